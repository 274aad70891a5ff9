package to.clasp.journal.internal.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import to.clasp.journal.internal.sql.WriteOp.CompactOp;
import to.clasp.journal.internal.sql.WriteOp.VacuumOp;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.WriteOp;

/**
 * SQLite's part of the {@link GroupCommitWriter}: one write connection, whose batches
 * {@link SqliteTransactions} writes ({@code BEGIN IMMEDIATE … COMMIT}, runs of appends, savepoints
 * after a failure), and the work between batches.
 *
 * <p>A compaction is not part of a batch's transaction: the writes queued before it are
 * committed first, and it is fixed in its place in the queue (what it removes cannot include a
 * write queued after it); then it deletes in chunks of a few milliseconds each (see
 * {@link SqliteCompaction}), which the writer thread runs between the batches that come after
 * it, so writes wait for one chunk at most, and its future completes after the last chunk,
 * usually after those of the writes queued behind it. A vacuum runs alone, outside any
 * transaction, in its place in the queue.
 *
 * <p>On a file, a {@link WalCheckpointer} copies the WAL into the database file on a connection
 * and thread of its own, alongside the commits, so that no commit waits for the copy and the
 * sync that SQLite would otherwise do on the committing thread every 1,000 pages. The writer's
 * own checkpoints (after a compaction or a vacuum, or when the file is lost) wait for a running
 * one.
 *
 * <p>After each batch and chunk the backend checks that the path still names the file it opened
 * (same device and inode). A journal file deleted, moved or replaced while open would otherwise
 * take appends that are gone once it is closed; instead, the batch's writes fail, and so does
 * every later one, with {@link JournalException.Storage} naming the file.
 *
 * <p>Used by whichever thread holds the writer's committer role (see
 * {@link GroupCommitWriter.Backend}).
 */
public final class SqliteWriteBackend implements GroupCommitWriter.Backend {

    private final String name;
    private final Connection conn;
    /** Copies the WAL into the file alongside commits; null in memory. */
    private final WalCheckpointer checkpointer;
    /** The database file, or null in memory; checked after each batch. */
    private final Path file;
    /** The file's identity (device and inode) when opened; null when it cannot be known. */
    private final Object fileKey;
    /** Set once the file is found deleted or replaced; every later write fails with it. */
    private volatile JournalException lost;
    /** Writes each batch in a transaction on the connection. */
    private final SqliteTransactions transactions;
    /** Runs the chunks of compactions, between batches (see {@link #runBetweenBatches}). */
    private final SqliteCompaction compaction;
    /**
     * Compactions started and not yet over, oldest first, each with what it removes and how far
     * it got; only the first one runs. Changed by the thread that holds the committer role; read
     * by the writer's callers under the writer's lock while nobody holds it.
     */
    private final LinkedHashMap<CompactOp, SqliteCompaction.Job> compacting = new LinkedHashMap<>();
    /**
     * The longest compaction chunks wait for the writer to finish the WAL's copy (see
     * {@link #workHeldBack}) before they run anyway.
     */
    static final long FINISH_HOLD_MAX_NANOS = 200_000_000L;
    /** Whether chunks wait for the finish, and since when; under the writer's lock. */
    private boolean finishHeld;
    private long finishHeldSince;
    /** Set once, before the writer starts. */
    private GroupCommitWriter writer;
    /** Set by the writer thread once it stops the work between batches, on close. */
    private volatile boolean stopping;
    /** The entries reads take from memory, forgotten when the file is lost; null with a key. Set once, before the writer starts. */
    private RecentEntries recent;

    private SqliteWriteBackend(Connection conn, Path file, Object fileKey, String name, Lock txLock,
            int snapshotsToKeep, Connection checkpointConnection) throws SQLException {
        this.name = name;
        this.conn = conn;
        this.file = file;
        this.fileKey = fileKey;
        this.transactions = new SqliteTransactions(conn, name, txLock, snapshotsToKeep, this::committed);
        try {
            this.compaction = new SqliteCompaction(conn, name, file != null,
                    file != null && checkpointConnection == null, txLock, new CompactionHost());
            if (checkpointConnection != null) {
                try (Statement s = conn.createStatement()) {
                    s.execute(SqliteSchema.WAL_AUTOCHECKPOINT_BACKSTOP);
                }
            }
        } catch (SQLException | RuntimeException e) {
            transactions.close();
            throw e;
        }
        this.checkpointer = checkpointConnection == null ? null : new WalCheckpointer(checkpointConnection);
    }

    /**
     * Starts a writer on a connection prepared by {@link SqliteSchema#prepare}. The writer owns
     * the connection from now on, but does not close it.
     *
     * @param file the database file, whose identity is checked after every batch; null in memory
     * @param name the file name, for error messages
     * @param txLock held around every transaction, or null (see {@link to.clasp.journal.SqliteJournal})
     * @param maxBatch the most operations per transaction, 1 or more
     * @param checkpointConnection a second read-write connection to the file, for the
     *     {@link WalCheckpointer}; null in memory, or to leave checkpoints to SQLite alone. The
     *     writer closes it on {@link GroupCommitWriter#close()}, or at once if this throws.
     * @param recent the journal's newest entries in memory, forgotten if the file is lost; or null
     */
    public static GroupCommitWriter start(Connection conn, Path file, String name, Lock txLock, int maxBatch,
            int snapshotsToKeep, Connection checkpointConnection, RecentEntries recent) throws SQLException {
        SqliteWriteBackend backend;
        try {
            Object fileKey = file == null ? null : identity(file);
            if (file != null && fileKey == null && !Files.exists(file)) {
                throw new SQLException("the file " + file + " is missing");
            }
            backend = new SqliteWriteBackend(conn, file, fileKey, name, txLock, snapshotsToKeep, checkpointConnection);
        } catch (SQLException | RuntimeException e) {
            if (checkpointConnection != null) {
                try {
                    checkpointConnection.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        GroupCommitWriter writer = new GroupCommitWriter(backend, name, maxBatch,
                GroupCommitWriter.queueCapacity(maxBatch), "clasp-journal");
        backend.writer = writer;
        backend.recent = recent;
        writer.start();
        return writer;
    }

    @Override
    public void write(WriteOp<?>[] ops) throws SQLException {
        // Chunks may have left their transaction open for this batch. A batch of compactions
        // alone writes nothing yet, and does not keep the chunks from sharing a transaction.
        compaction.settle(writesAny(ops));
        if (lost == null && fileChanged()) {
            fileLost();
        }
        if (lost != null) {
            WriteOp.failAll(Arrays.asList(ops), lost);
            return;
        }
        executeInOrder(ops);
        if (fileChanged()) {
            // Changed while this batch ran: what it committed is not at the path.
            fileLost();
            WriteOp.failAll(Arrays.asList(ops), lost);
        }
    }

    @Override
    public void abandon(Throwable failure) {
        transactions.endTransaction();
        compaction.abandon();
    }

    /**
     * Runs a batch: compactions and vacuums on their own (a vacuum cannot run in a transaction),
     * the writes between them as transactions.
     */
    private void executeInOrder(WriteOp<?>[] ops) throws SQLException {
        int start = 0;
        for (int i = 0; i <= ops.length; i++) {
            if (i == ops.length || ops[i] instanceof CompactOp || ops[i] instanceof VacuumOp) {
                if (i > start) {
                    transactions.execute(Arrays.asList(ops).subList(start, i));
                }
                if (i < ops.length && ops[i] instanceof CompactOp compactOp) {
                    startCompaction(compactOp);
                } else if (i < ops.length) {
                    runVacuum((VacuumOp) ops[i]);
                }
                start = i + 1;
            }
        }
    }

    /** Whether a batch holds anything but compactions (a plain loop: this runs for every batch). */
    private static boolean writesAny(WriteOp<?>[] ops) {
        for (WriteOp<?> op : ops) {
            if (!(op instanceof CompactOp)) {
                return true;
            }
        }
        return false;
    }

    /** Counts a COMMIT of {@link #transactions}. */
    private void committed(List<WriteOp<?>> ops, int done, int writes, int appends, long nanos) {
        writer.committed(ops, done, writes, appends, nanos);
        if (checkpointer != null && writes > 0) {
            checkpointer.committed(writes);
        }
    }

    /** Whether the path no longer names the file the journal opened. */
    private boolean fileChanged() {
        return fileKey != null && !fileKey.equals(identity(file));
    }

    /**
     * Stops all writing: the file was deleted, moved or replaced, so a write acknowledged now
     * would not be found at the path (nor announced to followers). What was committed is copied
     * from the WAL into the file it belongs to (moved or deleted), which also leaves the WAL at
     * the path empty, so that it cannot be replayed into a file put in its place.
     */
    private void fileLost() {
        compaction.settle(false); // to the file that is gone: the checkpoint below needs no transaction
        lost = new JournalException.Storage(name + ": the journal file was deleted, moved or replaced"
                + " while the journal was open, so nothing more is written to it (close the journal"
                + " and open the file again)", null);
        writer.forgetCommitted();
        if (recent != null) {
            recent.clear();
        }
        if (checkpointer != null) {
            checkpointer.stop(); // its connection may hold the file that is gone, or the new one
        }
        try {
            checkpoint(SqliteSchema.CHECKPOINT_TRUNCATE);
        } catch (SQLException e) {
            // Best effort: nothing more can be done for a file that is gone.
        }
    }

    /** The file's device and inode, or null if it is missing or the platform has no such key. */
    private static Object identity(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Runs a VACUUM (see {@link SqliteCompaction#vacuum}): one statement, so the writes queued
     * behind it wait for all of it.
     */
    private void runVacuum(VacuumOp op) {
        try {
            op.result = compaction.vacuum();
            op.committed = true;
            writer.committedAlone();
        } catch (SQLException | RuntimeException e) {
            op.error = writer.storage("cannot vacuum (no entry was changed)", e);
        }
    }

    // ---------------------------------------------------------------- compactions

    /**
     * Starts a compaction in its place in the queue: fixes what it removes (see
     * {@link SqliteCompaction#start}), so that the writes queued after it, which may commit
     * before it ends, stay. Its chunks run between later batches, by the writer thread only; its
     * future is completed after the last one.
     */
    private void startCompaction(CompactOp op) {
        SqliteCompaction.Job job;
        try {
            job = compaction.start(op.beforeSeq, op.signedLog);
        } catch (SQLException | RuntimeException e) {
            op.error = writer.storage("cannot compact", e);
            return;
        }
        if (job == null) {
            op.result = 0L; // nothing below the bound can exist
            op.committed = true;
            writer.committedAlone();
            return;
        }
        op.running = true;
        compacting.put(op, job);
        if (checkpointer != null) {
            checkpointer.compacting(true);
        }
    }

    @Override
    public boolean completesLater(WriteOp<?> op) {
        if (!(op instanceof CompactOp c && c.running)) {
            return false;
        }
        if (c.error == null) {
            return true; // completed after its last chunk
        }
        c.running = false; // failed with its batch (the file was lost)
        compacting.remove(c);
        return false;
    }

    /** Compactions under way, or a copy of the WAL for the writer to finish ({@link WalCheckpointer#finish}). */
    @Override
    public boolean hasWorkBetweenBatches() {
        return !compacting.isEmpty() || (checkpointer != null && !stopping && checkpointer.finishWanted());
    }

    /**
     * Whether the work between batches waits. The copy of the WAL's end waits until it is cheap
     * ({@link WalCheckpointer#finishDue}) and nothing is queued, so that no batch waits for it
     * unless it came in meanwhile. The next compaction chunk waits for the checkpointer
     * ({@link WalCheckpointer#behind}): appends go on meanwhile, so the compaction waits for the
     * disk instead of the appends waiting for the compaction's WAL. Neither without a
     * checkpointer.
     */
    @Override
    public boolean workHeldBack() {
        if (checkpointer == null) {
            return false;
        }
        if (finishNow()) {
            return false;
        }
        if (!compacting.isEmpty() && checkpointer.finishWanted()) {
            // Chunks wait until the writer has finished the copy: otherwise each one adds to
            // the WAL's uncopied end, the copy never becomes due while appends keep coming,
            // and the WAL grows to the backstop, whose copy then runs inside a chunk's commit
            // (30 ms). For a while only: writes that never leave the queue empty would
            // otherwise hold the compaction back for as long as they come.
            long now = System.nanoTime();
            if (!finishHeld) {
                finishHeld = true;
                finishHeldSince = now;
            }
            if (now - finishHeldSince < FINISH_HOLD_MAX_NANOS) {
                checkpointer.catchUpForFinish();
                return true;
            }
        } else {
            finishHeld = false;
        }
        return compacting.isEmpty() || checkpointer.behind();
    }

    /** Whether to finish the WAL's copy now; under the writer's lock or with the role. */
    private boolean finishNow() {
        return checkpointer != null && checkpointer.finishDue() && writer.queued() == 0;
    }

    /**
     * Finishes the WAL's copy if that is due, or else runs the next chunk of the oldest
     * compaction under way, completing its future if that was the last. Never throws.
     */
    @Override
    public void runBetweenBatches() {
        if (finishNow() || (compacting.isEmpty() && hasWorkBetweenBatches())) {
            finishCopy();
            return;
        }
        if (compacting.isEmpty()) {
            return;
        }
        Map.Entry<CompactOp, SqliteCompaction.Job> oldest = compacting.entrySet().iterator().next();
        CompactOp op = oldest.getKey();
        SqliteCompaction.Job job = oldest.getValue();
        boolean over;
        try {
            if (lost == null && fileChanged()) {
                fileLost();
            }
            if (lost != null) {
                job.error = lost;
                over = true;
            } else {
                over = compaction.step(job);
                if (fileChanged()) {
                    fileLost(); // what the chunk deleted is not at the path
                    job.error = lost;
                    over = true;
                }
            }
        } catch (Throwable t) {
            transactions.endTransaction();
            compaction.abandon();
            job.error = writer.storage(job.removed == 0 ? "cannot compact"
                    : "compaction stopped after removing " + job.removed + " entries", t);
            over = true;
        }
        if (over) {
            finishCompaction(op);
        }
    }

    /**
     * Copies the rest of the WAL on this connection ({@link WalCheckpointer#finish}), after
     * ending a transaction that compaction chunks left open. A failure loses nothing: the pages
     * stay in the WAL for later checkpoints.
     */
    private void finishCopy() {
        compaction.settle(false);
        try {
            checkpointer.finish(conn);
        } catch (SQLException | RuntimeException e) {
            // the checkpointer's next passes, or the backstop, copy the WAL instead
        }
    }

    /** Takes a compaction out of {@link #compacting} and completes its future on the pool. */
    private void finishCompaction(CompactOp op) {
        SqliteCompaction.Job job = compacting.remove(op);
        op.running = false;
        if (checkpointer != null && compacting.isEmpty()) {
            checkpointer.compacting(false);
        }
        if (job.error != null) {
            op.error = job.error;
        } else {
            op.result = job.removed;
            op.committed = true;
            writer.committedAlone();
        }
        writer.completeAlone(op);
    }

    /**
     * Ends, on close, every compaction under way where it stands, after its last whole chunk:
     * what it removed stays removed, the rest stays, and the journal is as valid as after a
     * smaller compaction. Its future fails with {@link JournalException.Closed}, saying how many
     * entries were removed; close() does not wait for the rest.
     */
    @Override
    public void stopWorkBetweenBatches() {
        stopping = true; // the WAL's copy is left to the close, or to the next open
        compaction.settle(false); // what the chunks deleted so far stays deleted
        while (!compacting.isEmpty()) {
            Map.Entry<CompactOp, SqliteCompaction.Job> oldest = compacting.entrySet().iterator().next();
            SqliteCompaction.Job job = oldest.getValue();
            job.error = new JournalException.Closed("the journal " + name + " was closed during the"
                    + " compaction, after it removed " + job.removed + " entries; the entries below seq "
                    + job.bound + " that are left stay until a later compaction");
            finishCompaction(oldest.getKey());
        }
    }

    @Override
    public boolean stopped() {
        return checkpointer != null && checkpointer.stopAndWait();
    }

    /** Frees the prepared statements; the connection itself belongs to the journal. */
    @Override
    public void closeStatements() {
        transactions.close();
        compaction.close();
    }

    /** What the writer lends its compactions. */
    private final class CompactionHost implements SqliteCompaction.Host {
        /** Never waits for readers: appends wait for this checkpoint, which is only to give space back. */
        @Override
        public void checkpoint(String pragma) throws SQLException {
            try (Statement s = conn.createStatement()) {
                long busyTimeout;
                try (ResultSet rs = s.executeQuery(SqliteSchema.BUSY_TIMEOUT)) {
                    busyTimeout = rs.next() ? rs.getLong(1) : 0;
                }
                s.execute(SqliteSchema.busyTimeout(0));
                try {
                    SqliteWriteBackend.this.checkpoint(pragma);
                } finally {
                    s.execute(SqliteSchema.busyTimeout(busyTimeout));
                }
            }
        }

        @Override
        public void endTransaction() {
            transactions.endTransaction();
        }

        @Override
        public boolean checkpointInBackground() {
            if (checkpointer == null) {
                return false;
            }
            checkpointer.checkpointSoon();
            return true;
        }

        @Override
        public boolean writesWaiting() {
            return writer.queued() > 0;
        }

        @Override
        public boolean checkpointerBehind() {
            return checkpointer != null && checkpointer.behind();
        }

        @Override
        public boolean littleLeftToCopy() {
            return checkpointer == null || checkpointer.littleWaiting();
        }

        @Override
        public void committed(long rows) {
            writer.committedBetweenBatches();
            if (checkpointer != null) {
                // A deleted row rewrites a share of a table leaf and an index leaf of its own:
                // the address index keeps each address's rows together, so the rows of one
                // chunk, spread over many addresses, each land on a different leaf. Counting
                // a page per row wakes the checkpointer before the WAL reaches the writer's
                // backstop, whose checkpoint would hold a commit for tens of milliseconds.
                checkpointer.committed((int) Math.min(Integer.MAX_VALUE, rows));
            }
        }
    }

    /** Runs a checkpoint with a statement of its own, outside any transaction. */
    private void checkpoint(String pragma) throws SQLException {
        Lock checkpointing = checkpointer == null ? null : checkpointer.lock();
        if (checkpointing != null) {
            checkpointing.lock(); // SQLite refuses a checkpoint while another one runs
        }
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(pragma)) {
            rs.next(); // busy (a reader still needs old frames) is no failure: a later one catches up
        } finally {
            if (checkpointing != null) {
                checkpointing.unlock();
            }
        }
    }
}
