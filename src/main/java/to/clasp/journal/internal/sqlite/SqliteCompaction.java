package to.clasp.journal.internal.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SignedLog;

/**
 * The space work of a SQLite journal's {@link to.clasp.journal.internal.sql.GroupCommitWriter}: the chunks of its compactions,
 * which it runs one at a time between its batches of writes, so that no write waits for a whole
 * compaction, and its vacuums ({@link #vacuum}), which cannot be cut up that way.
 *
 * <p>A compaction is fixed when the writer takes it from its queue ({@link #start}): it removes
 * the entries below {@code min(beforeSeq, latest seq + 1)} as they were then, so that writes
 * queued after it, which may now commit before it ends, are never removed by it. It then runs
 * as a series of chunks ({@link #step}), each deleting the oldest entries up to a cut,
 * moving the signed log's low-water mark to that cut and giving the pages back, so that a
 * compaction stopped after any commit leaves a journal as valid as a smaller compaction would.
 * When the writer has run no writes for {@link #QUIET_NANOS}, chunks share a transaction, for
 * up to {@link #OPEN_NANOS}; a write that arrives ends it after the chunk under way
 * ({@link #settle}). While writes keep coming, each chunk commits alone.
 *
 * <p>Every chunk costs the same whatever is left of the file: the oldest and newest seqs are
 * read with one seek at each end of the table (a single {@code SELECT min(seq), max(seq)} would
 * scan it, which made a compaction quadratic), and the cut is that oldest seq plus a row count.
 * The row count is sized by time: each chunk is measured, and the next one is scaled towards
 * {@link #CHUNK_NANOS}, so that a write queued behind a chunk waits a few milliseconds at most
 * however fast the disk is. When a chunk finds no room (a full disk), the WAL is checkpointed
 * once, and then the chunks get smaller, down to one row: that makes compaction the way out of
 * a full disk.
 *
 * <p>Used by whichever thread holds the writer's committer role, one call at a time, on the
 * writer's connection; it has statements of its own on it, prepared again after a failure.
 */
public final class SqliteCompaction {

    /** Rows the first chunk of a journal deletes; later chunks are sized by time. */
    static final int FIRST_CHUNK_ROWS = 1_024;
    /** The fewest rows a chunk is sized to, unless the disk is full. */
    static final int MIN_CHUNK_ROWS = 32;
    /** The most rows a chunk is sized to: bounds the WAL one chunk writes. */
    static final int MAX_CHUNK_ROWS = 65_536;
    /**
     * What a chunk should take: long enough that its fixed cost (BEGIN, two seeks, COMMIT) is a
     * small share of it, short enough that a write queued behind it hardly notices.
     */
    static final long CHUNK_NANOS = 2_000_000L;
    /**
     * The remaining entries are removed with one unbounded DELETE, which SQLite runs by dropping
     * whole pages, when they are at most this many times a chunk's rows: it is that much
     * cheaper per row, and the cheapest way in WAL on a full disk.
     */
    static final int CLEAR_FACTOR = 4;

    /**
     * The longest a compaction keeps one transaction open over its chunks while no write waits
     * for the writer. Every commit rewrites the leaf at the front of each address's run in the
     * address index (about 4.5 MB of WAL for 1,000 addresses, however few rows the chunk
     * deleted), so chunks that commit together cost a fraction of chunks that commit one by one;
     * a write that arrives meanwhile waits only for the chunk under way and the commit.
     */
    static final long OPEN_NANOS = 100_000_000L;
    /**
     * How long the writer must have run no writes before chunks share a transaction. While
     * writes keep coming, each chunk commits alone, as it is sized to, so that a write waits for
     * one short chunk and not for the commit of several: a shared commit rewrites the address
     * index's leaves too, and a write that arrives during one waited 8 to 14 ms in place of
     * 1 to 7 (appends every 100 ms against every 25 ms, compacting 1,000,000 entries). So it is
     * for a journal with little or nothing to write meanwhile (a quiet hour, the tool's
     * {@code compact}), where it makes the compaction three to four times faster.
     */
    static final long QUIET_NANOS = 50_000_000L;

    /**
     * The most times a compaction's end has the background checkpointer copy the WAL before its
     * own checkpoint on the writer, while appends keep adding to it.
     */
    static final int MAX_COPIES_IN_BACKGROUND = 4;

    /** SQLite's result code for a full disk or a database at its max_page_count. */
    private static final int SQLITE_FULL = 13;
    /** SQLite's result code for an I/O error, such as a write beyond the file-size limit. */
    private static final int SQLITE_IOERR = 10;
    /** SQLite's result code for a database another connection holds locked. */
    private static final int SQLITE_BUSY = 5;
    /** How long a vacuum keeps trying for another process's write lock. */
    private static final long VACUUM_LOCK_WAIT_NANOS = 60_000_000_000L;

    /** What the writer lends a compaction. */
    interface Host {
        /**
         * Runs a checkpoint on the writer's connection, outside any transaction, without waiting
         * for other connections' readers: what they still read stays in the WAL.
         */
        void checkpoint(String pragma) throws SQLException;

        /** Ends whatever transaction a failure left open. */
        void endTransaction();

        /**
         * Has the background checkpointer copy the WAL now, holding further chunks back until
         * it has; false when there is no background checkpointer.
         */
        boolean checkpointInBackground();

        /** Counts a commit of chunks that deleted {@code rows} rows. */
        void committed(long rows);

        /** Whether a write waits for the writer, so that an open transaction should end now. */
        boolean writesWaiting();

        /** Whether the background checkpointer is behind, so that chunks are about to wait for it. */
        boolean checkpointerBehind();

        /**
         * Whether little was committed since the background checkpointer's last pass began, so
         * that a checkpoint on the writer has little to copy; true without one.
         */
        boolean littleLeftToCopy();
    }

    private final Connection conn;
    private final String name;
    /** Whether the journal is a file: its pages are given back and its WAL checkpointed. */
    private final boolean onFile;
    /** Whether each chunk checkpoints the WAL itself (a file without a background checkpointer). */
    private final boolean checkpointEachChunk;
    private final Lock txLock;
    private final Host host;
    private Statements sql;
    private boolean statementsSuspect;
    /**
     * The rows the next chunk deletes when it commits alone: learned from the chunks before,
     * across compactions. Its commit is part of its time.
     */
    private int rows = FIRST_CHUNK_ROWS;
    /** The same for chunks that share a transaction, whose time has no commit in it. */
    private int groupedRows = FIRST_CHUNK_ROWS;
    /** When the writer last ran writes on the connection ({@link #settle}). */
    private long lastWriteAt = System.nanoTime();
    /** The job whose chunks the open transaction holds, not yet committed; null when none is open. */
    private Job open;
    /** When the open transaction began. */
    private long openedAt;
    /** The rows the open transaction deleted. */
    private long openRows;

    /**
     * Prepares the statements on the writer's connection.
     *
     * @param txLock held around every chunk's transaction, or null (see {@link to.clasp.journal.SqliteJournal})
     */
    SqliteCompaction(Connection conn, String name, boolean onFile, boolean checkpointEachChunk,
            Lock txLock, Host host) throws SQLException {
        this.conn = conn;
        this.name = name;
        this.onFile = onFile;
        this.checkpointEachChunk = checkpointEachChunk;
        this.txLock = txLock;
        this.host = host;
        this.sql = new Statements(conn);
    }

    /** One compaction's progress. */
    static final class Job {
        /** The first seq to keep. */
        final long bound;
        final SignedLog signedLog;
        long removed;
        /** The most rows a chunk may take: lowered while the disk is full. */
        int maxRows = MAX_CHUNK_ROWS;
        /** Whether the rest may go in one unbounded DELETE; not after the disk was full. */
        boolean clearAllowed = true;
        /** Whether the last chunk deleted a whole span of seqs, not the rest up to the bound. */
        boolean fullSpan;
        /** Whether the WAL was checkpointed for room once already. */
        boolean checkpointedForRoom;
        /** Whether chunks may commit together ({@link #OPEN_NANOS}); not after a failure. */
        boolean together = true;
        /** How many times the background checkpointer was asked to copy the WAL before the last checkpoint. */
        int copiesInBackground;
        /** Set when the compaction failed; {@link #removed} says how far it got. */
        JournalException error;

        /** When the writer took the compaction from its queue. */
        final long startedAt = System.nanoTime();

        Job(long bound, SignedLog signedLog) {
            this.bound = bound;
            this.signedLog = signedLog;
        }
    }

    /**
     * Fixes what a compaction removes, as of now: the entries below {@code beforeSeq} and below
     * every seq assigned later. Reads the latest seq outside any transaction.
     *
     * @return the job, or null when nothing can be removed ({@code beforeSeq} of 1 or less)
     */
    Job start(long beforeSeq, SignedLog signedLog) throws SQLException {
        if (beforeSeq <= 1) {
            return null;
        }
        if (statementsSuspect) {
            renewStatements();
        }
        long latest;
        try {
            latest = WriterStatements.readLatestSeq(sql.latestSeq);
        } catch (SQLException | RuntimeException e) {
            statementsSuspect = true;
            throw e;
        }
        long bound = Math.min(beforeSeq, latest + 1);
        return bound <= 1 ? null : new Job(bound, signedLog);
    }

    /**
     * Runs the next chunk of a job in a transaction of its own.
     *
     * @return true when the job is over: {@link Job#error} is set, or {@link Job#removed} is
     *     the whole count and the pages are given back
     */
    boolean step(Job job) {
        if (txLock != null) {
            txLock.lock();
        }
        try {
            boolean grouped = open != null || (together(job) && System.nanoTime() - lastWriteAt >= QUIET_NANOS);
            int chunk = Math.min(grouped ? groupedRows : rows, job.maxRows);
            long began = System.nanoTime();
            long n;
            try {
                if (statementsSuspect) {
                    renewStatements();
                }
                n = deleteChunk(job, chunk, grouped);
            } catch (JournalException e) {
                failed();
                job.error = e; // the signed log refused: nothing of this chunk is deleted
                return true;
            } catch (SQLException e) {
                failed();
                int code = e.getErrorCode() & 0xFF;
                if (code == SQLITE_FULL || code == SQLITE_IOERR) {
                    // No room to write. Once checkpointed, the WAL is written from its start
                    // again, so the same chunk may fit (not tried first: on a full disk the
                    // checkpoint itself may eat the little room there is); then smaller ones.
                    if (!job.checkpointedForRoom && onFile) {
                        job.checkpointedForRoom = true;
                        try {
                            host.checkpoint(SqliteSchema.CHECKPOINT_PASSIVE);
                        } catch (SQLException ignored) {
                            // then only smaller chunks can help
                        }
                        return false;
                    }
                    if (chunk > 1) {
                        job.maxRows = chunk / 2;
                        job.clearAllowed = false;
                        return false;
                    }
                }
                job.error = storage(job.removed == 0 ? "cannot compact"
                        : "compaction stopped after removing " + job.removed + " entries", e);
                return true;
            }
            if (n < 0) {
                return finish(job);
            }
            if (checkpointEachChunk) {
                try {
                    host.checkpoint(SqliteSchema.CHECKPOINT_PASSIVE); // the next chunk reuses the WAL
                } catch (SQLException e) {
                    // Not needed for correctness; the last checkpoint reports what fails.
                }
            }
            if (job.fullSpan) {
                // By the span, not the rows: seqs may have gaps (a file the Rust crate wrote,
                // entries removed by hand), and a span that held fewer rows than its length still
                // took the time it took; sized only after spans full of rows, the chunks of a file
                // with gaps were never sized at all.
                resize(chunk, System.nanoTime() - began, grouped);
            }
            return false;
        } finally {
            if (txLock != null) {
                txLock.unlock();
            }
        }
    }

    /**
     * Scales the row count towards {@link #CHUNK_NANOS} from a full chunk's time, by at most a
     * factor of two either way: one chunk slowed down by another process on the machine should
     * not shrink the next ones to nothing, nor one fast chunk make the next one long.
     */
    private void resize(int chunk, long nanos, boolean grouped) {
        long scaled = (long) ((double) chunk * CHUNK_NANOS / Math.max(1, nanos));
        scaled = Math.max(chunk / 2, Math.min(2L * chunk, scaled));
        int sized = (int) Math.max(MIN_CHUNK_ROWS, Math.min(MAX_CHUNK_ROWS, scaled));
        if (grouped) {
            groupedRows = sized;
        } else {
            rows = sized;
        }
    }

    /** Ends a job with nothing left to remove: gives the space back to the file system. */
    private boolean finish(Job job) {
        if (job.removed == 0 || !onFile) {
            return true;
        }
        if (job.copiesInBackground == 0
                || (job.copiesInBackground < MAX_COPIES_IN_BACKGROUND && !host.littleLeftToCopy())) {
            // The checkpoint below runs on the writer, and appends wait for it: the WAL is
            // copied beside them first, and again while appends committed during that copy left
            // much to copy (beside a router's 3,000 SETs a second, one pass over the
            // compaction's WAL could leave the writer hundreds of pages to copy).
            job.copiesInBackground++;
            if (host.checkpointInBackground()) {
                return false;
            }
        }
        // Beside writes, cutting the WAL file to nothing held the writer, and the appends queued
        // behind it, 15 to 35 ms longer than copying the rest of the WAL did. A passive
        // checkpoint here copies the rest all the same (nothing commits meanwhile), so the file
        // shrinks as it reaches the WAL's end, and the next write starts the WAL over.
        boolean writesBeside = lastWriteAt > job.startedAt;
        try {
            host.checkpoint(writesBeside ? SqliteSchema.CHECKPOINT_PASSIVE : SqliteSchema.CHECKPOINT_TRUNCATE);
        } catch (SQLException e) {
            job.error = storage(job.removed + " entries were removed, but their space could not be"
                    + " given back to the file system", e);
        }
        return true;
    }

    /**
     * Deletes up to {@code chunk} seqs' worth of the oldest entries below the job's bound and
     * gives their pages back to the file system, in the transaction chunks left open or a new
     * one, which it commits unless it is {@code grouped} and may stay open ({@link #OPEN_NANOS}):
     * while no write waits, the checkpointer is not behind, and for at most that long.
     *
     * @return the number of entries deleted, or -1 if none was left to remove (the transaction
     *     is then committed)
     */
    private long deleteChunk(Job job, int chunk, boolean grouped) throws SQLException {
        if (open == null) {
            sql.begin.execute();
            open = job;
            openedAt = System.nanoTime();
            openRows = 0;
        }
        long oldest;
        long newest;
        try (ResultSet rs = sql.heldSeqs.executeQuery()) {
            rs.next();
            oldest = rs.getLong(1);
            boolean empty = rs.wasNull();
            newest = rs.getLong(2);
            if (empty || oldest >= job.bound) {
                oldest = -1;
            }
        }
        if (oldest < 0) {
            commitOpen();
            return -1;
        }
        // Seqs are dense, so a span of seqs holds at most that many rows: a chunk of rows.
        boolean clear = job.clearAllowed && job.bound > newest && newest - oldest < (long) chunk * CLEAR_FACTOR;
        long cut = clear || job.bound - oldest <= chunk ? job.bound : oldest + chunk;
        job.fullSpan = cut == oldest + chunk;
        if (job.signedLog != null) {
            job.signedLog.beforeCompaction(conn, cut);
        }
        long n;
        if (clear) {
            n = sql.clearEntries.executeUpdate();
        } else {
            sql.delete.setLong(1, cut);
            n = sql.delete.executeUpdate();
        }
        if (onFile) {
            sql.vacuum.executeUpdate(SqliteSchema.INCREMENTAL_VACUUM);
        }
        openRows += n;
        if (!grouped || host.writesWaiting() || host.checkpointerBehind()
                || System.nanoTime() - openedAt >= OPEN_NANOS) {
            commitOpen();
        }
        return n;
    }

    /**
     * Whether the chunks of {@code job} may share a transaction: on a file, with a background
     * checkpointer, and until anything failed. In memory, the table lock held around a
     * transaction keeps readers out, so each chunk commits at once, as after a failure.
     */
    private boolean together(Job job) {
        return job.together && onFile && txLock == null && !checkpointEachChunk;
    }

    /**
     * Commits the open transaction, if any: the rows its chunks deleted count as removed from
     * now on.
     */
    private void commitOpen() throws SQLException {
        if (open == null) {
            return;
        }
        sql.commit.execute();
        Job job = open;
        long n = openRows;
        open = null;
        openRows = 0;
        job.removed += n;
        if (n > 0) {
            host.committed(n);
        }
    }

    /**
     * Ends the transaction that chunks left open, before the writer runs anything else on the
     * connection (a batch, a checkpoint) or stops: commits it. Never throws: if the commit
     * fails, the chunks it held are rolled back, and are deleted again by later chunks, each
     * committing alone.
     *
     * @param writes whether writes run now, which keeps chunks committing alone for
     *     {@link #QUIET_NANOS}
     */
    void settle(boolean writes) {
        if (writes) {
            lastWriteAt = System.nanoTime();
        }
        if (open == null) {
            return;
        }
        try {
            commitOpen();
        } catch (SQLException | RuntimeException e) {
            failed();
        }
    }

    /**
     * Forgets the transaction that chunks left open, which the writer has rolled back after a
     * failure; its rows are deleted again by later chunks, each committing alone.
     */
    void abandon() {
        if (open != null) {
            open.together = false;
            open = null;
            openRows = 0;
        }
        statementsSuspect = true;
    }

    /**
     * Rebuilds the file with a VACUUM that also switches it to incremental auto-vacuum, outside
     * any transaction, then checkpoints and truncates the WAL.
     *
     * <p>Unlike a compaction, this cannot be cut into chunks: VACUUM is one statement, which
     * rewrites the whole file, and the checkpoint after it copies the whole file once more, both
     * on the writer's connection. The writes queued behind it wait for both; they run as soon as
     * it is done, before anything queued after them.
     *
     * @return the bytes given back: pages before minus pages after, times the page size
     */
    long vacuum() throws SQLException {
        if (txLock != null) {
            txLock.lock();
        }
        try (Statement s = conn.createStatement()) {
            long pageSize = queryLong(s, SqliteSchema.PAGE_SIZE);
            long before = queryLong(s, SqliteSchema.PAGE_COUNT);
            s.execute(SqliteSchema.SET_INCREMENTAL_AUTO_VACUUM);
            // Another process's write transaction can outlast the busy timeout; a vacuum is
            // rare and long anyway, so it keeps waiting for the lock, up to a minute.
            long deadline = System.nanoTime() + VACUUM_LOCK_WAIT_NANOS;
            while (true) {
                try {
                    s.execute(SqliteSchema.VACUUM);
                    break;
                } catch (SQLException e) {
                    if ((e.getErrorCode() & 0xff) != SQLITE_BUSY || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
            host.checkpoint(SqliteSchema.CHECKPOINT_TRUNCATE); // shrinks the file now unless a reader holds the WAL
            long after = queryLong(s, SqliteSchema.PAGE_COUNT);
            return Math.max(0, before - after) * pageSize;
        } finally {
            if (txLock != null) {
                txLock.unlock();
            }
        }
    }

    private static long queryLong(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    /**
     * After a failure: ends the transaction, whose chunks are then not removed (they are deleted
     * again by later chunks, each committing alone), and has the statements prepared again.
     */
    private void failed() {
        abandon();
        host.endTransaction();
    }

    private void renewStatements() throws SQLException {
        Statements fresh = new Statements(conn);
        sql.close();
        sql = fresh;
        statementsSuspect = false;
    }

    private JournalException.Storage storage(String what, Throwable cause) {
        return new JournalException.Storage(name + ": " + what + ": " + cause.getMessage(), cause);
    }

    /** Frees the prepared statements; the connection belongs to the writer's owner. */
    void close() {
        sql.close();
    }

    /**
     * The statements of the chunks. The driver discards a statement that fails with most errors,
     * so a new set is prepared after any failure.
     */
    private static final class Statements {
        final PreparedStatement begin;
        final PreparedStatement commit;
        final PreparedStatement latestSeq;
        final PreparedStatement heldSeqs;
        final PreparedStatement delete;
        final PreparedStatement clearEntries;
        /** Not prepared: only sqlite3_exec steps incremental_vacuum to the end (it yields a row per page). */
        final Statement vacuum;
        private final List<Statement> all = new ArrayList<>();

        Statements(Connection conn) throws SQLException {
            try {
                begin = add(conn.prepareStatement(SqliteSchema.BEGIN));
                commit = add(conn.prepareStatement(SqliteSchema.COMMIT));
                latestSeq = add(conn.prepareStatement(SqliteSchema.LATEST_SEQ));
                heldSeqs = add(conn.prepareStatement(SqliteSchema.HELD_SEQS));
                delete = add(conn.prepareStatement(SqliteSchema.COMPACT));
                clearEntries = add(conn.prepareStatement(SqliteSchema.CLEAR_ENTRIES));
                vacuum = add(conn.createStatement());
            } catch (SQLException | RuntimeException e) {
                close();
                throw e;
            }
        }

        private <S extends Statement> S add(S statement) {
            all.add(Objects.requireNonNull(statement));
            return statement;
        }

        void close() {
            for (Statement s : all) {
                try {
                    s.close();
                } catch (SQLException | RuntimeException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
