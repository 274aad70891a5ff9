package to.clasp.journal.internal.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

import to.clasp.journal.internal.sql.WriteOp.AppendOp;
import to.clasp.journal.internal.sql.WriteOp.MarkOp;
import to.clasp.journal.internal.sql.WriteOp.SnapshotOp;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.sql.WriteOp;

/**
 * How a SQLite journal's {@link to.clasp.journal.internal.sql.GroupCommitWriter} writes a batch (for {@link SqliteWriteBackend}): in one transaction on the
 * write connection, with its prepared statements ({@link WriterStatements}).
 *
 * <p>A batch first runs as plain statements in one transaction, where each run of
 * {@link #MIN_APPEND_RUN} or more unsigned appends in a row is one JDBC batch of inserts (see
 * {@link #appendRun}: half the cost per row of an insert that returns its seq). If an operation fails (a
 * constraint, a trigger), that transaction is rolled back and the batch runs again with each
 * operation inside its own savepoint, so that the one that fails is rolled back alone and the
 * rest of its batch commits: savepoints cost two statements per write, which only a batch with
 * a failure needs to pay. Should SQLite abandon the whole
 * transaction instead, the failed operation is dropped and the others are run again in a new
 * one. If BEGIN or COMMIT fails (a full disk, an I/O error), every operation of the batch that
 * was not committed fails.
 *
 * <p>No failure wedges the writer. The driver discards a prepared statement that fails with most
 * errors, and SQLite may or may not have rolled back the transaction: so after any failure the
 * writer ends whatever transaction is open with a statement of its own, and prepares a fresh set
 * of statements before the next batch. The write lock is therefore never held between batches,
 * and the next batch works as soon as the cause (say, the full disk) is gone.
 *
 * <p>Used by whichever thread holds the writer's committer role, one call at a time; not
 * thread-safe otherwise.
 */
public final class SqliteTransactions {

    /**
     * The fewest unsigned appends in a row that are inserted as one JDBC batch: below it, the
     * two seq reads around the batch cost more than the result row of each insert.
     */
    static final int MIN_APPEND_RUN = 4;

    /** Told, on the committing thread, about each COMMIT. */
    interface Listener {
        /**
         * A transaction committed: {@code done} of {@code ops} without an error are committed,
         * {@code writes} of them wrote rows, {@code appends} of those were appends, in
         * {@code nanos}.
         */
        void committed(List<WriteOp<?>> ops, int done, int writes, int appends, long nanos);
    }

    private final Connection conn;
    private final String name;
    /** Held around every transaction, or null (see {@link to.clasp.journal.SqliteJournal}). */
    private final Lock txLock;
    private final int snapshotsToKeep;
    private final Listener listener;
    /** The prepared statements; replaced when a failure may have left them unusable. */
    private WriterStatements sql;
    private boolean statementsSuspect;

    SqliteTransactions(Connection conn, String name, Lock txLock, int snapshotsToKeep, Listener listener)
            throws SQLException {
        this.conn = conn;
        this.name = name;
        this.txLock = txLock;
        this.snapshotsToKeep = snapshotsToKeep;
        this.listener = listener;
        this.sql = new WriterStatements(conn);
    }

    /** Runs writes in transactions; afterwards each op holds its result or its error. */
    void execute(List<WriteOp<?>> ops) throws SQLException {
        List<WriteOp<?>> pending = new ArrayList<>(ops);
        if (txLock != null) {
            txLock.lock();
        }
        try {
            // Savepoints cost two statements per write; most batches have no failure to isolate.
            boolean savepoints = false;
            while (!pending.isEmpty()) {
                if (statementsSuspect) {
                    renewStatements(); // on failure the batch fails, and the next one tries again
                }
                if (!savepoints) {
                    if (runWithoutSavepoints(pending)) {
                        break;
                    }
                    savepoints = true; // rolled back: run it again, isolating the failure
                    continue;
                }
                if (runTransaction(pending)) {
                    break;
                }
                // SQLite abandoned the transaction: drop the failed op, run the others again.
                List<WriteOp<?>> retry = new ArrayList<>(pending.size());
                for (WriteOp<?> op : pending) {
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
     * Runs ops in one transaction without a savepoint each, which is all a batch needs when
     * none of its writes fails. If one fails, the whole transaction is rolled back and every op
     * left as it was, so that {@link #runTransaction} can run the batch again with savepoints
     * and fail that write alone. A failed BEGIN or COMMIT fails the batch, as there.
     *
     * @return true when the batch is done, false if it must run again with savepoints
     */
    private boolean runWithoutSavepoints(List<WriteOp<?>> ops) {
        long began = System.nanoTime();
        if (!begin(ops)) {
            return true;
        }
        int next = 0;
        while (next < ops.size()) {
            try {
                int end = next;
                while (end < ops.size() && ops.get(end) instanceof AppendOp append && append.unsigned()) {
                    end++;
                }
                if (end - next >= MIN_APPEND_RUN) {
                    appendRun(ops.subList(next, end));
                    next = end;
                } else {
                    run(ops.get(next++));
                }
            } catch (SQLException | RuntimeException e) {
                endTransaction(); // also has the statements prepared again
                for (WriteOp<?> undone : ops) {
                    undone.clearResult();
                }
                return false;
            }
        }
        return commit(ops, began);
    }

    /** Runs one write in the open transaction, and keeps its result in it. */
    private void run(WriteOp<?> op) throws SQLException {
        if (op instanceof AppendOp append) {
            SqlRows.bind(sql.insertEntry, append.entry, sql.chainHead);
            try (ResultSet rs = sql.insertEntry.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("INSERT returned no seq");
                }
                append.result = rs.getLong(1);
            }
        } else if (op instanceof MarkOp mark) {
            // Read inside the write transaction: no append can slip in between.
            mark.fix(WriterStatements.readLatestSeq(sql.latestSeq));
        } else if (op instanceof SnapshotOp snapshot) {
            snapshot.result = snapshot.seqAt;
            if (snapshot.unlessSuperseded) {
                // In the write transaction, so no other journal on the file stores one meanwhile.
                try (ResultSet rs = sql.newestSnapshotSeq.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > snapshot.seqAt) {
                        return; // stored behind a newer one, it would hide it from recovery
                    }
                }
            }
            SqlRows.bindSnapshot(sql.insertSnapshot, snapshot.snapshot, snapshot.createdAt, snapshot.seqAt,
                    SqliteSchema.INTEGRITY);
            sql.insertSnapshot.executeUpdate();
            sql.pruneSnapshots.setInt(1, snapshotsToKeep);
            sql.pruneSnapshots.executeUpdate();
            snapshot.result = snapshot.seqAt;
        } else {
            throw new IllegalStateException(op.describe() + ": it runs outside the batch's transactions");
        }
    }

    /**
     * Inserts a run of unsigned appends as one JDBC batch, inside the batch's transaction: a
     * statement each, stepped by the driver in one call, instead of a query with a result row
     * each. The transaction holds SQLite's write lock, so AUTOINCREMENT gives the run consecutive
     * seqs, counted up from {@link SqliteSchema#SEQ_BASE}; the highest seq assigned afterwards
     * must be that plus the run's length, or something else inserted rows (a trigger of another
     * program, say) and this throws, so that the batch runs again an op at a time, each insert
     * returning its own seq.
     */
    private void appendRun(List<WriteOp<?>> run) throws SQLException {
        long base;
        try (ResultSet rs = sql.seqBase.executeQuery()) {
            base = rs.next() ? rs.getLong(1) : 0L;
        }
        PreparedStatement insert = sql.insertEntryBatched;
        int[] counts;
        try {
            for (WriteOp<?> op : run) {
                SqlRows.bind(insert, ((AppendOp) op).entry, null);
                insert.addBatch();
            }
            counts = insert.executeBatch();
        } finally {
            insert.clearBatch();
        }
        long last = WriterStatements.readLatestSeq(sql.latestSeq);
        if (counts.length != run.size() || last - base != run.size()) {
            throw new SQLException("a batch of " + run.size() + " appends did not get consecutive seqs after "
                    + base + " (the highest seq is now " + last + ")");
        }
        for (int i = 0; i < run.size(); i++) {
            ((AppendOp) run.get(i)).result = base + i + 1;
        }
    }

    /** Begins the write transaction for ops; if that fails, fails them all and returns false. */
    private boolean begin(List<WriteOp<?>> ops) {
        try {
            sql.begin.execute();
            return true;
        } catch (SQLException e) {
            endTransaction();
            WriteOp.failAll(ops, storage("cannot begin a transaction", e));
            return false;
        }
    }

    /**
     * Runs ops in one transaction.
     *
     * @return false if SQLite rolled the whole transaction back after an op failed (that op
     *     holds its error; the others must run again), true when the batch is done
     */
    private boolean runTransaction(List<WriteOp<?>> ops) {
        long began = System.nanoTime();
        if (!begin(ops)) {
            return true;
        }
        for (WriteOp<?> op : ops) {
            try {
                sql.savepoint.execute();
                run(op);
                sql.release.execute();
            } catch (SQLException | RuntimeException e) {
                op.error = e instanceof SQLException failure ? storage(op.describe(), failure)
                        : e instanceof JournalException je ? je : storage(op.describe(), e);
                if (!rollbackToSavepoint()) {
                    endTransaction();
                    return false;
                }
                // The driver may have closed the statement that failed (it does for most
                // errors, and when a failure comes out of a callback into Java): the rest of
                // the batch needs fresh ones.
                try {
                    renewStatements();
                } catch (SQLException renewal) {
                    endTransaction();
                    WriteOp.failAll(ops, storage("cannot prepare the writer's statements again", renewal));
                    return true;
                }
            }
        }
        return commit(ops, began);
    }

    /**
     * Commits the transaction that ran ops, begun at {@code began} ({@link System#nanoTime()});
     * afterwards each op is committed or failed.
     */
    private boolean commit(List<WriteOp<?>> ops, long began) {
        try {
            sql.commit.execute();
        } catch (SQLException e) {
            endTransaction();
            JournalException failure = storage("commit failed, nothing of this batch was written", e);
            for (WriteOp<?> op : ops) {
                if (op.error == null) {
                    op.clearResult();
                    op.error = failure;
                }
            }
            return true;
        }
        int done = 0;
        int writes = 0;
        int appends = 0;
        for (WriteOp<?> op : ops) {
            if (op.error == null) {
                op.committed = true;
                done++;
                // A snapshot's mark writes nothing; its row counts as the snapshot's write.
                writes += op instanceof MarkOp ? 0 : 1;
                appends += op instanceof AppendOp ? 1 : 0;
            }
        }
        listener.committed(ops, done, writes, appends, System.nanoTime() - began);
        return true;
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

    void renewStatements() throws SQLException {
        WriterStatements fresh = new WriterStatements(conn);
        sql.close();
        sql = fresh;
        statementsSuspect = false;
    }

    /**
     * Ends whatever transaction a failure left open, with a statement of its own (the prepared
     * ROLLBACK may be the one the driver discarded), and has the statements prepared again.
     * SQLite may already have rolled back; a ROLLBACK without a transaction is harmless.
     */
    void endTransaction() {
        statementsSuspect = true;
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Statement s = conn.createStatement()) {
                s.execute(SqliteSchema.ROLLBACK);
                return;
            } catch (SQLException e) {
                if (String.valueOf(e.getMessage()).contains("no transaction is active")) {
                    return;
                }
            } catch (RuntimeException e) {
                return; // the connection is gone; nothing is open on it
            }
        }
        // Still failing: the next BEGIN fails, and ends the transaction again.
    }

    private JournalException.Storage storage(String what, Throwable cause) {
        return new JournalException.Storage(name + ": " + what + ": " + cause.getMessage(), cause);
    }

    /** Frees the prepared statements; the connection belongs to the writer's owner. */
    void close() {
        sql.close();
    }
}
