package to.clasp.journal.internal.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import to.clasp.journal.internal.sql.WriteOp.AppendOp;
import to.clasp.journal.internal.sql.WriteOp.BarrierOp;
import to.clasp.journal.internal.sql.WriteOp.CheckpointOp;
import to.clasp.journal.internal.sql.WriteOp.MarkOp;
import to.clasp.journal.internal.sql.WriteOp.SnapshotOp;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.sql.WriteOp;

/**
 * PostgreSQL's part of the {@link GroupCommitWriter}: how a {@link to.clasp.journal.PostgresJournal}'s batches
 * are written on one connection taken from the data source, and what a failed commit means.
 *
 * <p>Each transaction first locks the counter row and takes as many seqs as it has appends. A
 * batch of appends only is one statement ({@link PostgresSchema#appendGroup}: counter, rows from
 * arrays, notification) and a COMMIT, two round trips whatever its size. A batch with snapshots
 * takes the seqs ({@link PostgresSchema#reserve}), then writes in queue order: a snapshot's mark
 * fixes the seq of the last append before it (or, with none before it in the transaction, the
 * highest seq committed by any journal on the schema), and a snapshot's row is inserted at the
 * seq its mark fixed. A barrier ({@link BarrierOp}) splits the batch: what is queued after it is
 * not committed when it reads the counter.
 *
 * <p>Failures. A group that fails for its data (a constraint, a trigger) is rolled back whole,
 * which also gives its seqs back, and its operations are run again one per transaction, so that
 * only the bad one fails. A group that loses its connection (a server restart, a network
 * failure) fails all its operations with {@link JournalException.Storage}; the connection is
 * dropped and the next batch takes a new one from the data source, so the journal recovers as
 * soon as the server is back. Nothing is retried on its own: an operation whose future failed
 * was rolled back. When the connection breaks during COMMIT itself, the server may or may not
 * have committed: the backend then looks, on a new connection, at the seqs the transaction had
 * taken, and leaves the operations as the rows there say ({@link #resolveInDoubt}); only if it
 * cannot tell (the server is still away) does the failure say that the outcome is unknown.
 *
 * <p>Compaction does not pass through here: it needs no seq and takes no lock that appends
 * wait for (see {@link to.clasp.journal.PostgresJournal#compact(long)}). Used by whichever thread holds the
 * writer's committer role (see {@link GroupCommitWriter.Backend}), but for {@link #closing}.
 */
public final class PostgresWriteBackend implements GroupCommitWriter.Backend {

    private final String name;
    private final DataSource dataSource;
    private final PostgresSchema schema;
    private final int snapshotsToKeep;
    /** Signs each batch into the entry chain; null without a key. */
    private final PostgresChain chain;

    /** The connection and its statements; null until needed or after a failure. Committing thread. */
    private Connection conn;
    private PreparedStatement reserve;
    private PreparedStatement appendGroup;
    private PreparedStatement insertEntry;
    private PreparedStatement insertSnapshot;
    private PreparedStatement pruneSnapshots;

    /** Set by close(): from then on, a server that cannot be reached fails what is left at once. */
    private volatile boolean closing;
    /** The last attempt to get a connection failed. Committing thread. */
    private boolean unreachable;
    /** Set once, before the writer starts. */
    private GroupCommitWriter writer;

    private PostgresWriteBackend(DataSource dataSource, PostgresSchema schema, String name, int snapshotsToKeep,
            PostgresChain chain) {
        this.chain = chain;
        this.name = name;
        this.dataSource = dataSource;
        this.schema = schema;
        this.snapshotsToKeep = snapshotsToKeep;
    }

    /**
     * Starts a writer that takes its connection from {@code dataSource} when it first needs one.
     *
     * @param maxBatch the most operations per batch, 1 or more
     * @param snapshotsToKeep how many snapshots a snapshot's row leaves kept
     * @param chain what signs the entries and snapshots of a journal opened with a key, or null
     */
    public static GroupCommitWriter start(DataSource dataSource, PostgresSchema schema, String name, int maxBatch,
            int snapshotsToKeep, PostgresChain chain) {
        PostgresWriteBackend backend = new PostgresWriteBackend(dataSource, schema, name, snapshotsToKeep, chain);
        GroupCommitWriter writer = new GroupCommitWriter(backend, name, maxBatch, Math.max(1024, maxBatch * 64),
                "clasp-journal-pg");
        backend.writer = writer;
        writer.start();
        return writer;
    }

    @Override
    public void write(WriteOp<?>[] batch) {
        // A barrier splits the batch: what follows it must not be committed when it is reached.
        List<WriteOp<?>> ops = new ArrayList<>(batch.length);
        for (WriteOp<?> op : batch) {
            if (op instanceof BarrierOp barrier) {
                executeGroup(ops);
                ops.clear();
                reachBarrier(barrier);
            } else {
                ops.add(op);
            }
        }
        executeGroup(ops.size() == batch.length ? Arrays.asList(batch) : ops);
    }

    @Override
    public void abandon(Throwable failure) {
        dropConnection();
    }

    @Override
    public void closing() {
        closing = true;
    }

    @Override
    public boolean stopped() {
        dropConnection();
        return false;
    }

    /** Reads the counter for a barrier, on the writer's connection. */
    private void reachBarrier(BarrierOp barrier) {
        try {
            connect();
            try (PreparedStatement ps = conn.prepareStatement(schema.latestSeq); ResultSet rs = ps.executeQuery()) {
                barrier.result = rs.next() ? rs.getLong(1) : 0L;
            }
            conn.commit();
            barrier.committed = true;
        } catch (SQLException | RuntimeException e) {
            if (!(e instanceof SQLException sql) || isConnectionLost(sql)) {
                dropConnection();
            } else {
                try {
                    conn.rollback();
                } catch (SQLException | RuntimeException ignored) {
                    dropConnection();
                }
            }
            barrier.clearResult();
            barrier.error = writer.storage("cannot read the latest seq", e);
        }
    }

    /** Runs a group in one transaction; on a failure of its data, each operation alone. */
    private void executeGroup(List<WriteOp<?>> ops) {
        if (ops.isEmpty()) {
            return;
        }
        Failure failure = runTransaction(ops);
        if (failure == null) {
            return;
        }
        if (failure.connectionLost || ops.size() == 1) {
            fail(ops, failure);
            return;
        }
        for (WriteOp<?> op : ops) {
            Failure alone = runTransaction(List.of(op));
            if (alone != null) {
                fail(List.of(op), alone);
            }
        }
    }

    private void fail(List<WriteOp<?>> ops, Failure failure) {
        for (WriteOp<?> op : ops) {
            if (op.error == null && !op.committed) {
                op.clearResult();
                op.error = failure.inDoubt
                        ? writer.storage("the connection broke during COMMIT, so " + subject(op)
                                + " may or may not have been written; look it up before writing it again",
                                failure.cause)
                        : writer.storage(subject(op) + "; nothing was written", failure.cause);
            }
        }
    }

    /** What an op writes, for a failure's message. */
    private static String subject(WriteOp<?> op) {
        if (op instanceof AppendOp append) {
            return "the entry for " + append.entry.entry().address();
        }
        return op instanceof CheckpointOp ? "the checkpoint" : "the snapshot";
    }

    /** Why a transaction failed. */
    private record Failure(SQLException cause, boolean connectionLost, boolean inDoubt) {}

    /** Runs one transaction; returns null once committed, else what went wrong (rolled back). */
    private Failure runTransaction(List<WriteOp<?>> ops) {
        boolean committing = false;
        long began = System.nanoTime();
        int appends = 0;
        try {
            connect();
            boolean snapshots = false;
            for (WriteOp<?> op : ops) {
                if (op instanceof AppendOp) {
                    appends++;
                } else {
                    snapshots = true;
                }
            }
            if (snapshots) {
                writeInOrder(ops, appends);
            } else {
                appendAll(ops, appends);
            }
            committing = true;
            conn.commit();
            if (chain != null) {
                chain.committed(); // chain call site: what this transaction signed is the head now
            }
            committed(ops, appends, began);
            return null;
        } catch (SQLException e) {
            boolean lost = isConnectionLost(e);
            if (!lost) {
                try {
                    conn.rollback();
                } catch (SQLException | RuntimeException rollbackFailed) {
                    lost = true;
                }
            }
            if (lost) {
                dropConnection();
            }
            boolean inDoubt = committing && lost;
            if (inDoubt) {
                Boolean written = resolveInDoubt(ops);
                if (Boolean.TRUE.equals(written)) {
                    if (chain != null) {
                        chain.committed(); // chain call site: the rows found are the head
                    }
                    committed(ops, appends, began);
                    return null;
                }
                inDoubt = written == null;
            }
            if (chain != null) {
                chain.abandoned(); // chain call site: nothing this transaction signed is the head
            }
            for (WriteOp<?> op : ops) {
                op.clearResult();
            }
            return new Failure(e, lost, inDoubt);
        }
    }

    /** Marks a committed transaction's ops, counts it and tells followers at once (each commit is contiguous). */
    private void committed(List<WriteOp<?>> ops, int appends, long began) {
        int writes = 0;
        for (WriteOp<?> op : ops) {
            op.committed = true;
            // A snapshot's mark writes nothing; its row counts as the snapshot's write.
            writes += op instanceof MarkOp ? 0 : 1;
        }
        writer.committed(ops, ops.size(), writes, appends, System.nanoTime() - began);
        writer.announceCommitted();
    }

    /**
     * After the connection broke during COMMIT: looks, on a new connection, at the seqs the
     * transaction had reserved. TRUE if they hold exactly its rows (it committed, and so did
     * its snapshots), FALSE if they hold other rows or were never taken (it did not), null if
     * that cannot be told (no appends in it, the server still away, rows compacted meanwhile).
     */
    private Boolean resolveInDoubt(List<WriteOp<?>> ops) {
        java.util.Map<Long, SqlRows.EncodedEntry> bySeq = new java.util.HashMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (WriteOp<?> op : ops) {
            if (op instanceof AppendOp a && a.result != null) {
                bySeq.put(a.result, a.entry);
                first = Math.min(first, a.result);
                last = Math.max(last, a.result);
            }
        }
        if (bySeq.isEmpty()) {
            return null;
        }
        int ours = 0;
        int others = 0;
        long counter;
        try {
            connect();
            try (PreparedStatement latest = conn.prepareStatement(schema.latestSeq);
                    ResultSet rs = latest.executeQuery()) {
                counter = rs.next() ? rs.getLong(1) : 0;
            }
            try (PreparedStatement rows = conn.prepareStatement(schema.rowsBetween)) {
                rows.setLong(1, first);
                rows.setLong(2, last);
                try (ResultSet rs = rows.executeQuery()) {
                    while (rs.next()) {
                        SqlRows.EncodedEntry e = bySeq.get(rs.getLong(1));
                        JournalEntry entry = e == null ? null : e.entry();
                        boolean same = entry != null && rs.getLong(2) == entry.timestamp()
                                && PostgresSchema.toStored(entry.author()).equals(rs.getString(3))
                                && PostgresSchema.toStored(entry.address()).equals(rs.getString(4))
                                && e.valueJson().equals(rs.getString(5));
                        if (same) {
                            ours++;
                        } else {
                            others++;
                        }
                    }
                }
            }
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            dropConnection();
            return null;
        }
        if (ours == bySeq.size()) {
            return Boolean.TRUE;
        }
        if (ours == 0 && (others > 0 || counter < first)) {
            return Boolean.FALSE;
        }
        return null;
    }

    /** Appends only: one round trip for the counter, the rows and the notification. */
    private void appendAll(List<WriteOp<?>> ops, int n) throws SQLException {
        Long[] ts = new Long[n];
        String[] author = new String[n];
        String[] address = new String[n];
        String[] type = new String[n];
        String[] json = new String[n];
        Long[] revision = new Long[n];
        Integer[] msgType = new Integer[n];
        String[] hmac = new String[n];
        byte[][] exact = new byte[n][];
        String[] exactHmac = new String[n];
        for (int i = 0; i < n; i++) {
            SqlRows.EncodedEntry e = ((AppendOp) ops.get(i)).entry;
            JournalEntry entry = e.entry();
            ts[i] = entry.timestamp();
            author[i] = PostgresSchema.toStored(entry.author());
            address[i] = PostgresSchema.toStored(entry.address());
            type[i] = entry.signalType().wireName();
            json[i] = e.valueJson();
            revision[i] = entry.revision().isPresent() ? entry.revision().getAsLong() : null;
            msgType[i] = entry.msgType();
            hmac[i] = e.hmac();
            exact[i] = e.valueExact();
            exactHmac[i] = e.exactHmac();
        }
        java.sql.Array[] columns = {conn.createArrayOf("bigint", ts), conn.createArrayOf("text", author),
            conn.createArrayOf("text", address), conn.createArrayOf("text", type), conn.createArrayOf("text", json),
            conn.createArrayOf("bigint", revision), conn.createArrayOf("int4", msgType),
            conn.createArrayOf("text", hmac), conn.createArrayOf("bytea", exact),
            conn.createArrayOf("text", exactHmac)};
        long last;
        if (chain != null) {
            // chain call site: the group is signed for the chain's head, under the counter lock
            List<SqlRows.EncodedEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                entries.add(((AppendOp) ops.get(i)).entry);
            }
            last = chain.appendGroup(conn, entries, columns);
        } else {
            PreparedStatement ps = appendGroup;
            ps.setInt(1, n);
            ps.setInt(2, n);
            for (int i = 0; i < columns.length; i++) {
                ps.setArray(3 + i, columns[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the counter row of " + schema.schema() + ".journal_seq is missing");
                }
                last = rs.getLong(1);
            }
        }
        long seq = last - n;
        for (WriteOp<?> op : ops) {
            ((AppendOp) op).result = ++seq;
        }
    }

    /** Appends and snapshots in queue order: each mark sees exactly the appends before it. */
    private void writeInOrder(List<WriteOp<?>> ops, int appends) throws SQLException {
        if (chain != null) {
            chain.beginInOrder(conn); // chain call site: locks the counter and reads the head first
        }
        reserve.setInt(1, appends);
        long last;
        try (ResultSet rs = reserve.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the counter row of " + schema.schema() + ".journal_seq is missing");
            }
            last = rs.getLong(1);
        }
        long seq = last - appends;
        int batched = 0;
        for (WriteOp<?> op : ops) {
            if (op instanceof AppendOp a) {
                a.result = ++seq;
                bind(insertEntry, seq, a.entry);
                // chain call site: each entry links to the one before it in this batch
                SqlRows.setNullableString(insertEntry, 12, chain == null ? null : chain.nextEntryMac(a.entry, seq));
                insertEntry.addBatch();
                batched++;
            } else if (op instanceof MarkOp mark) {
                mark.fix(seq);
            } else if (op instanceof SnapshotOp s) {
                if (batched > 0) {
                    insertEntry.executeBatch();
                    batched = 0;
                }
                SqlRows.bindSnapshotColumns(insertSnapshot, s.snapshot, s.createdAt, s.seqAt);
                // chain call site: the snapshot's data_mac
                SqlRows.setNullableString(insertSnapshot, 5,
                        chain == null ? null : chain.snapshotMac(conn, s.createdAt, s.seqAt, s.snapshot));
                insertSnapshot.executeUpdate();
                pruneSnapshots.setInt(1, snapshotsToKeep);
                pruneSnapshots.executeUpdate();
                s.result = s.seqAt;
            } else if (op instanceof CheckpointOp c) {
                if (batched > 0) {
                    insertEntry.executeBatch();
                    batched = 0;
                }
                c.result = storeCheckpoint(c);
            } else {
                throw new IllegalStateException(op.describe() + ": not an operation of a PostgreSQL journal's writer");
            }
        }
        if (batched > 0) {
            insertEntry.executeBatch();
        }
    }

    /** Inserts a checkpoint's row unless a newer snapshot is stored; whether it was. */
    private boolean storeCheckpoint(CheckpointOp c) throws SQLException {
        try (PreparedStatement insert = conn.prepareStatement(schema.insertCheckpoint)) {
            SqlRows.bindSnapshotColumns(insert, c.snapshot, c.createdAt, c.seqAt);
            // chain call site: the checkpoint's data_mac, as a snapshot's
            SqlRows.setNullableString(insert, 5,
                    chain == null ? null : chain.snapshotMac(conn, c.createdAt, c.seqAt, c.snapshot));
            insert.setLong(6, c.seqAt);
            if (insert.executeUpdate() == 0) {
                return false;
            }
        }
        pruneSnapshots.setInt(1, snapshotsToKeep);
        pruneSnapshots.executeUpdate();
        return true;
    }

    /** Whether the failure broke the connection (or it was never there), rather than the data. */
    private boolean isConnectionLost(SQLException e) {
        if (conn == null) {
            return true;
        }
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true;
        }
        try {
            return !conn.isValid(2);
        } catch (SQLException notValid) {
            return true;
        }
    }

    private void connect() throws SQLException {
        if (conn != null) {
            return;
        }
        if (closing && unreachable) {
            // Closing must not wait out the pool's timeout once per group left in the queue.
            throw new SQLException("the server could not be reached while the journal was closing", "08001");
        }
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException | RuntimeException e) {
            unreachable = true;
            throw e;
        }
        unreachable = false;
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try (Statement s = c.createStatement()) {
                // A writer that vanishes mid-transaction must not hold the counter lock for ever.
                s.execute("SET idle_in_transaction_session_timeout = '60s'");
            }
            c.commit();
            reserve = c.prepareStatement(schema.reserve);
            appendGroup = c.prepareStatement(schema.appendGroup);
            insertEntry = c.prepareStatement(schema.insertEntry);
            insertSnapshot = c.prepareStatement(schema.insertSnapshot);
            pruneSnapshots = c.prepareStatement(schema.pruneSnapshots);
            conn = c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Gives the connection back (a pool throws a broken one away); the next batch takes another. */
    private void dropConnection() {
        Connection c = conn;
        conn = null;
        reserve = null;
        appendGroup = null;
        insertEntry = null;
        insertSnapshot = null;
        pruneSnapshots = null;
        if (c != null) {
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                // A pooled connection goes back to other users as it came.
                try (Statement s = c.createStatement()) {
                    s.execute("RESET idle_in_transaction_session_timeout");
                }
                c.commit();
            } catch (SQLException | RuntimeException ignored) {
                // broken, and going away anyway
            }
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // nothing more to do
            }
        }
    }

    /** Binds an entry to {@link PostgresSchema#insertEntry}. */
    private static void bind(PreparedStatement ps, long seq, SqlRows.EncodedEntry e) throws SQLException {
        ps.setLong(1, seq);
        SqlRows.bindEntryColumns(ps, 2, e, PostgresSchema::toStored);
    }
}
