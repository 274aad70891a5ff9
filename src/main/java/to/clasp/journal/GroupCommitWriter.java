package to.clasp.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The single writer of a SQLite journal: one thread owns the write connection and commits every
 * write in groups.
 *
 * <p>Callers enqueue operations (appends, snapshots, compactions) from any thread. The writer
 * takes whatever is waiting, up to the batch size, and runs it as one {@code BEGIN IMMEDIATE …
 * COMMIT} transaction, in queue order, so appends from one thread get increasing seqs. There is
 * no waiting for a batch to fill: a lone append is committed at once, and appends that arrive
 * while a commit is running form the next batch.
 *
 * <p>Each operation runs inside its own savepoint, so one that fails (a constraint, a trigger)
 * is rolled back alone and the rest of its batch commits. Should SQLite abandon the whole
 * transaction instead, the failed operation is dropped and the others are run again in a new
 * one. If COMMIT fails, every operation of the batch fails, and the writer goes on with the
 * next batch.
 *
 * <p>Futures are completed only after COMMIT returns, and never on the writer thread: each
 * batch's futures are completed, in queue order, by a task on a pool of daemon threads, so that
 * callbacks a caller chains with the non-async {@code then…} methods can neither slow the writer
 * down nor deadlock it, for instance by waiting for a later append. The pool holds a thread per
 * batch whose callbacks are still running (threads idle for 30 seconds end), so it stays small
 * unless callbacks block; a callback that waits for an append queued later in its own batch
 * would wait forever, which is why blocking work belongs in the {@code …Async} variants.
 *
 * <p>At most {@link #queueCapacity} operations wait for the writer; a caller that finds the
 * queue full waits for room, which slows a producer down to the speed of the disk instead of
 * filling the heap. The writer thread survives any failure of a batch, an {@link Error}
 * included: that batch's uncommitted operations fail, and the writer goes on.
 */
final class GroupCommitWriter {

    private final String name;
    private final Lock txLock;
    private final int maxBatch;
    private final int snapshotsToKeep;

    private final Connection conn;
    /** The prepared statements; replaced when a failure may have left them unusable. */
    private Statements sql;
    private boolean statementsSuspect;

    private final int queueCapacity;
    private final LinkedBlockingQueue<Op<?>> queue;
    /** Appends hold the read side while enqueueing; close() takes the write side to shut the door. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private boolean closed;

    private final Thread thread;
    private final ThreadPoolExecutor completer;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedOps = new AtomicLong();
    /** True on a completer thread while it completes futures (and so runs callers' callbacks). */
    private final ThreadLocal<Boolean> onCompleter = ThreadLocal.withInitial(() -> false);

    /**
     * Starts a writer on a connection prepared by {@link SqliteSchema#prepare}. The writer owns
     * the connection from now on, but does not close it.
     *
     * @param name the file name, for error messages
     * @param txLock held around every transaction, or null (see {@link SqliteJournal})
     */
    GroupCommitWriter(Connection conn, String name, Lock txLock, int maxBatch, int snapshotsToKeep)
            throws SQLException {
        this.name = name;
        this.txLock = txLock;
        this.maxBatch = maxBatch;
        this.snapshotsToKeep = snapshotsToKeep;
        this.conn = conn;
        this.sql = new Statements(conn);
        this.queueCapacity = Math.max(1024, maxBatch * 64);
        this.queue = new LinkedBlockingQueue<>(queueCapacity);
        AtomicInteger completerIds = new AtomicInteger();
        this.completer = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "clasp-journal-complete-" + completerIds.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.thread = new Thread(this::run, "clasp-journal-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Enqueues an append; the future gets the assigned seq. */
    CompletableFuture<Long> append(SqliteRows.EncodedEntry entry) {
        return submit(new AppendOp(entry));
    }

    /** Enqueues a snapshot; the future gets the latest seq at the moment it was taken. */
    CompletableFuture<Long> snapshot(SqliteRows.EncodedSnapshot snapshot) {
        return submit(new SnapshotOp(snapshot));
    }

    /**
     * Enqueues a compaction; the future gets the number of entries removed, once their space is
     * freed. With a signed log, its low-water mark moves in the same transaction.
     */
    CompletableFuture<Long> compact(long beforeSeq, SignedLog signedLog) {
        return submit(new CompactOp(beforeSeq, signedLog));
    }

    /** The most operations that wait for the writer before callers have to wait for room. */
    int queueCapacity() {
        return queueCapacity;
    }

    /** Whether the current thread is the one that completes this writer's futures. */
    boolean onCompletionThread() {
        return onCompleter.get();
    }

    /** The number of transactions committed so far (for tests). */
    long commits() {
        return commits.get();
    }

    /** The number of operations committed so far (for tests). */
    long committedOps() {
        return committedOps.get();
    }

    private <T> CompletableFuture<T> submit(Op<T> op) {
        Lock shared = gate.readLock();
        shared.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new JournalException.Closed("the journal " + name + " is closed"));
            }
            queue.put(op);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new JournalException.Storage(
                    name + ": interrupted while waiting for room in the write queue; nothing was written", e));
        } finally {
            shared.unlock();
        }
        return op.future;
    }

    /**
     * Stops accepting operations, commits everything accepted before, waits until its futures
     * are completed and stops the threads. Idempotent. When called from a thread that completes
     * futures (a callback), it does not wait for that thread's own task to end.
     */
    void close() {
        Lock exclusive = gate.writeLock();
        exclusive.lock();
        try {
            if (!closed) {
                closed = true;
                putUninterruptibly(Stop.INSTANCE);
            }
        } finally {
            exclusive.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        completer.shutdown();
        if (!onCompleter.get()) {
            while (!completer.isTerminated()) {
                try {
                    completer.awaitTermination(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void putUninterruptibly(Op<?> op) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(op);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Op<?>> batch = new ArrayList<>(Math.min(maxBatch, 1024));
        boolean stop = false;
        while (!stop) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, so that nothing accepted is dropped
            }
            queue.drainTo(batch, maxBatch - 1);
            if (batch.get(batch.size() - 1) == Stop.INSTANCE) {
                // Stop is enqueued last, behind a closed gate, so it always ends the final batch.
                batch.remove(batch.size() - 1);
                stop = true;
            }
            if (!batch.isEmpty()) {
                Op<?>[] ops = batch.toArray(new Op<?>[0]);
                try {
                    execute(ops);
                } catch (Throwable t) {
                    // Whatever happened, the writer must live on: a dead writer would leave
                    // every later append hanging. What was not committed fails.
                    abandonTransaction();
                    statementsSuspect = true;
                    for (Op<?> op : ops) {
                        if (!op.committed && op.error == null) {
                            op.clearResult();
                            op.error = storage("the writer failed", t);
                        }
                    }
                }
                complete(ops);
            }
        }
    }

    private void renewStatements() throws SQLException {
        Statements fresh = new Statements(conn);
        sql.close();
        sql = fresh;
        statementsSuspect = false;
    }

    /** Rolls back whatever transaction a failure left open, with a statement of its own. */
    private void abandonTransaction() {
        try (Statement s = conn.createStatement()) {
            s.execute(SqliteSchema.ROLLBACK);
        } catch (SQLException | RuntimeException ignored) {
            // no transaction was open
        }
    }

    /** Runs a batch; afterwards each op holds its result or its error. */
    private void execute(Op<?>[] ops) throws SQLException {

        List<Op<?>> pending = new ArrayList<>(ops.length);
        for (Op<?> op : ops) {
            pending.add(op);
        }
        if (txLock != null) {
            txLock.lock();
        }
        try {
            while (!pending.isEmpty()) {
                if (statementsSuspect) {
                    renewStatements(); // on failure the batch fails, and the next one tries again
                }
                if (runTransaction(pending)) {
                    break;
                }
                // SQLite abandoned the transaction: drop the failed op, run the others again.
                List<Op<?>> retry = new ArrayList<>(pending.size());
                for (Op<?> op : pending) {
                    if (op.error == null) {
                        op.clearResult();
                        retry.add(op);
                    }
                }
                pending = retry;
            }
        } finally {
            if (txLock != null) {
                txLock.unlock();
            }
        }
    }

    /**
     * Runs ops in one transaction.
     *
     * @return false if SQLite rolled the whole transaction back after an op failed (that op
     *     holds its error; the others must run again), true when the batch is done
     */
    private boolean runTransaction(List<Op<?>> ops) {
        try {
            sql.begin.execute();
        } catch (SQLException e) {
            failAll(ops, storage("cannot begin a transaction", e));
            return true;
        }
        boolean releases = false;
        for (Op<?> op : ops) {
            try {
                sql.savepoint.execute();
                op.runAndKeep(this);
                sql.release.execute();
                releases |= op instanceof CompactOp;
            } catch (SQLException | RuntimeException e) {
                op.error = e instanceof SQLException failure ? storage(op.describe(), failure)
                        : e instanceof JournalException je ? je : storage(op.describe(), e);
                if (!rollbackToSavepoint()) {
                    rollbackQuietly();
                    statementsSuspect = true;
                    return false;
                }
                // The driver may have closed the statement that failed (it does when a failure
                // comes out of a callback into Java): the rest of the batch needs fresh ones.
                try {
                    renewStatements();
                } catch (SQLException renewal) {
                    rollbackQuietly();
                    statementsSuspect = true;
                    failAll(ops, storage("cannot prepare the writer's statements again", renewal));
                    return true;
                }
            }
        }
        try {
            sql.commit.execute();
        } catch (SQLException e) {
            rollbackQuietly();
            JournalException failure = storage("commit failed", e);
            for (Op<?> op : ops) {
                if (op.error == null) {
                    op.clearResult();
                    op.error = failure;
                }
            }
            return true;
        }
        commits.incrementAndGet();
        for (Op<?> op : ops) {
            if (op.error == null) {
                op.committed = true;
                committedOps.incrementAndGet();
            }
        }
        if (releases) {
            releaseFreePages(ops);
        }
        return true;
    }

    /** Gives the pages a compaction freed back to the file system before its future completes. */
    private void releaseFreePages(List<Op<?>> ops) {
        try {
            sql.vacuum.executeUpdate(SqliteSchema.INCREMENTAL_VACUUM);
        } catch (SQLException e) {
            JournalException failure = storage("entries were removed, but freeing their space failed", e);
            for (Op<?> op : ops) {
                if (op instanceof CompactOp && op.error == null) {
                    op.clearResult();
                    op.error = failure;
                }
            }
        }
    }

    private boolean rollbackToSavepoint() {
        try {
            sql.rollbackTo.execute();
            sql.release.execute();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private void rollbackQuietly() {
        try {
            sql.rollback.execute();
        } catch (SQLException ignored) {
            // already rolled back by SQLite
        }
    }

    private static void failAll(List<Op<?>> ops, JournalException e) {
        for (Op<?> op : ops) {
            if (op.error == null) {
                op.error = e;
            }
        }
    }

    private void complete(Op<?>[] ops) {
        Runnable task = () -> {
            onCompleter.set(true);
            try {
                for (Op<?> op : ops) {
                    op.complete();
                }
            } finally {
                onCompleter.set(false);
            }
        };
        try {
            completer.execute(task);
        } catch (RejectedExecutionException | Error e) {
            task.run(); // never leave a future hanging
        }
    }

    private JournalException.Storage storage(String what, Throwable cause) {
        return new JournalException.Storage(name + ": " + what + ": " + cause.getMessage(), cause);
    }

    /** Frees the prepared statements; the connection itself belongs to the caller. */
    void closeStatements() {
        sql.close();
    }

    /**
     * The writer's prepared statements. A failure that escapes the driver (an {@link Error}
     * thrown inside it) can leave them closed, so the writer prepares a new set before the next
     * batch instead of failing every later write.
     */
    private static final class Statements {
        final PreparedStatement begin;
        final PreparedStatement commit;
        final PreparedStatement rollback;
        final PreparedStatement savepoint;
        final PreparedStatement release;
        final PreparedStatement rollbackTo;
        final PreparedStatement insertEntry;
        final PreparedStatement chainHead;
        final PreparedStatement latestSeq;
        final PreparedStatement insertSnapshot;
        final PreparedStatement pruneSnapshots;
        final PreparedStatement compact;
        /** Not prepared: only sqlite3_exec steps incremental_vacuum to the end (it yields a row per page). */
        final Statement vacuum;

        Statements(Connection conn) throws SQLException {
            List<Statement> made = new ArrayList<>();
            try {
                begin = add(made, conn.prepareStatement(SqliteSchema.BEGIN));
                commit = add(made, conn.prepareStatement(SqliteSchema.COMMIT));
                rollback = add(made, conn.prepareStatement(SqliteSchema.ROLLBACK));
                savepoint = add(made, conn.prepareStatement(SqliteSchema.SAVEPOINT));
                release = add(made, conn.prepareStatement(SqliteSchema.RELEASE));
                rollbackTo = add(made, conn.prepareStatement(SqliteSchema.ROLLBACK_TO));
                insertEntry = add(made, conn.prepareStatement(SqliteSchema.INSERT_ENTRY));
                chainHead = add(made, conn.prepareStatement(SqliteSchema.CHAIN_HEAD));
                latestSeq = add(made, conn.prepareStatement(SqliteSchema.LATEST_SEQ));
                insertSnapshot = add(made, conn.prepareStatement(SqliteSchema.INSERT_SNAPSHOT));
                pruneSnapshots = add(made, conn.prepareStatement(SqliteSchema.PRUNE_SNAPSHOTS));
                compact = add(made, conn.prepareStatement(SqliteSchema.COMPACT));
                vacuum = add(made, conn.createStatement());
            } catch (SQLException | RuntimeException e) {
                made.forEach(Statements::closeQuietly);
                throw e;
            }
        }

        private static <S extends Statement> S add(List<Statement> made, S statement) {
            made.add(statement);
            return statement;
        }

        void close() {
            for (Statement s : new Statement[] {begin, commit, rollback, savepoint, release, rollbackTo,
                    insertEntry, chainHead, latestSeq, insertSnapshot, pruneSnapshots, compact, vacuum}) {
                closeQuietly(s);
            }
        }

        private static void closeQuietly(Statement s) {
            try {
                s.close();
            } catch (SQLException | RuntimeException ignored) {
                // closing anyway
            }
        }
    }

    // ---- operations ----

    /** One write: run inside the batch's transaction, completed after COMMIT. */
    private abstract static class Op<T> {
        final CompletableFuture<T> future = new CompletableFuture<>();
        T result;
        JournalException error;
        /** Set once the transaction that ran this op has committed. */
        boolean committed;

        abstract T run(GroupCommitWriter w) throws SQLException;

        abstract String describe();

        final void runAndKeep(GroupCommitWriter w) throws SQLException {
            result = run(w);
        }

        final void clearResult() {
            result = null;
        }

        final void complete() {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(result);
            }
        }
    }

    private static final class AppendOp extends Op<Long> {
        private final SqliteRows.EncodedEntry entry;

        AppendOp(SqliteRows.EncodedEntry entry) {
            this.entry = entry;
        }

        @Override
        Long run(GroupCommitWriter w) throws SQLException {
            SqliteRows.bind(w.sql.insertEntry, entry, w.sql.chainHead);
            try (ResultSet rs = w.sql.insertEntry.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("INSERT returned no seq");
                }
                return rs.getLong(1);
            }
        }

        @Override
        String describe() {
            return "cannot append the entry for " + entry.entry().address();
        }
    }

    private static final class SnapshotOp extends Op<Long> {
        private final SqliteRows.EncodedSnapshot snapshot;

        SnapshotOp(SqliteRows.EncodedSnapshot snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        Long run(GroupCommitWriter w) throws SQLException {
            // Read inside the write transaction: no append can slip in between.
            long seqAt = readLatestSeq(w.sql.latestSeq);
            SqliteRows.bindSnapshot(w.sql.insertSnapshot, snapshot, Micros.now(), seqAt);
            w.sql.insertSnapshot.executeUpdate();
            w.sql.pruneSnapshots.setInt(1, w.snapshotsToKeep);
            w.sql.pruneSnapshots.executeUpdate();
            return seqAt;
        }

        @Override
        String describe() {
            return "cannot save the snapshot";
        }
    }

    private static final class CompactOp extends Op<Long> {
        private final long beforeSeq;
        private final SignedLog signedLog;

        CompactOp(long beforeSeq, SignedLog signedLog) {
            this.beforeSeq = beforeSeq;
            this.signedLog = signedLog;
        }

        @Override
        Long run(GroupCommitWriter w) throws SQLException {
            if (signedLog != null) {
                signedLog.beforeCompaction(w.conn, beforeSeq);
            }
            w.sql.compact.setLong(1, beforeSeq);
            return (long) w.sql.compact.executeUpdate();
        }

        @Override
        String describe() {
            return "cannot compact";
        }
    }

    /** The last thing ever enqueued: tells the writer to finish. */
    private static final class Stop extends Op<Void> {
        static final Stop INSTANCE = new Stop();

        @Override
        Void run(GroupCommitWriter w) {
            throw new IllegalStateException("never run");
        }

        @Override
        String describe() {
            return "stop";
        }
    }

    /** Reads the highest seq ever assigned from sqlite_sequence; 0 before the first append. */
    static long readLatestSeq(PreparedStatement latestSeq) throws SQLException {
        try (ResultSet rs = latestSeq.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }
}
