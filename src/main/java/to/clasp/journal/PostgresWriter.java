package to.clasp.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
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
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The single writer of a {@link PostgresJournal}: one thread holds one connection and commits
 * every append and snapshot in groups, the way {@link GroupCommitWriter} does for SQLite.
 *
 * <p>Each batch is one transaction that first locks the counter row and takes as many seqs as the
 * batch has appends. A batch of appends only is one statement ({@link PostgresSchema#appendGroup}:
 * counter, rows from arrays, notification) and a COMMIT, two round trips whatever its size. A
 * batch with snapshots takes the seqs ({@link PostgresSchema#reserve}), then inserts rows and
 * snapshots in queue order, so that each snapshot's seq is that of the last append before it.
 * The futures complete after COMMIT, in queue order, on a pool of daemon threads (never the
 * writer's).
 *
 * <p>Failures. A batch that fails for its data (a constraint, a trigger) is rolled back whole,
 * which also gives its seqs back, and its operations are run again one per transaction, so that
 * only the bad one fails. A batch that loses its connection (a server restart, a network
 * failure) fails all its operations with {@link JournalException.Storage}; the connection is
 * dropped and the next batch takes a new one from the data source, so the journal recovers as
 * soon as the server is back. Nothing is retried on its own: an operation whose future failed
 * was rolled back. When the connection breaks during COMMIT itself, the server may or may not
 * have committed: the writer then looks, on a new connection, at the seqs the transaction had
 * taken, and completes the futures as the rows there say; only if it cannot tell (the server is
 * still away) does the failure say that the outcome is unknown. The writer thread survives any
 * failure.
 *
 * <p>Compaction does not pass through here: it needs no seq and takes no lock that appends
 * wait for (see {@link PostgresJournal#compact(long)}).
 */
final class PostgresWriter {

    private final String name;
    private final DataSource dataSource;
    private final PostgresSchema schema;
    private final int maxBatch;
    private final int snapshotsToKeep;
    /** Signs each batch into the entry chain; null without a key. */
    private final PostgresChain chain;

    /** The writer thread's connection and statements; null until needed or after a failure. */
    private Connection conn;
    private PreparedStatement reserve;
    private PreparedStatement appendGroup;
    private PreparedStatement insertEntry;
    private PreparedStatement insertSnapshot;
    private PreparedStatement pruneSnapshots;

    private final LinkedBlockingQueue<Op<?>> queue;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private boolean closed;
    /** Set by close(): from then on, a server that cannot be reached fails what is left at once. */
    private volatile boolean closing;
    /** Writer thread: the last attempt to get a connection failed. */
    private boolean unreachable;

    private final Thread thread;
    private final ThreadPoolExecutor completer;
    private final ThreadLocal<Boolean> onCompleter = ThreadLocal.withInitial(() -> false);
    private final AtomicLong commits = new AtomicLong();
    /** Where commits, batch sizes, commit times and failures are counted. */
    private volatile StatsRecorder stats = new StatsRecorder();
    /** Told, on the writer thread, about the entries each COMMIT made visible; null for nobody. */
    private volatile Consumer<List<JournalEntry>> commitListener;

    /**
     * @param chain what signs the entries and snapshots of a journal opened with a key, or null
     */
    PostgresWriter(DataSource dataSource, PostgresSchema schema, String name, int maxBatch,
            int snapshotsToKeep, PostgresChain chain) {
        this.chain = chain;
        this.name = name;
        this.dataSource = dataSource;
        this.schema = schema;
        this.maxBatch = maxBatch;
        this.snapshotsToKeep = snapshotsToKeep;
        this.queue = new LinkedBlockingQueue<>(Math.max(1024, maxBatch * 64));
        AtomicInteger ids = new AtomicInteger();
        this.completer = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "clasp-journal-pg-complete-" + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.thread = new Thread(this::run, "clasp-journal-pg-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Enqueues an append; the future gets the assigned seq. */
    CompletableFuture<Long> append(SqlRows.EncodedEntry entry) {
        return submit(new AppendOp(entry));
    }

    /** Enqueues a snapshot; the future gets the highest seq committed when it was taken. */
    CompletableFuture<Long> snapshot(SqlRows.EncodedSnapshot snapshot) {
        return submit(new SnapshotOp(snapshot));
    }

    /**
     * Enqueues a checkpoint's row at the seq its fold read; the future gets whether it was
     * stored: it is not when the newest snapshot is at a higher seq by then. Like a snapshot,
     * it is written under the counter lock, which every snapshot of every journal on the
     * schema takes, so no other snapshot is stored between the check and the row.
     */
    CompletableFuture<Boolean> checkpoint(SqlRows.EncodedSnapshot snapshot, long seqAt, long createdAt) {
        return submit(new CheckpointOp(snapshot, seqAt, createdAt));
    }

    /**
     * Completes once every operation enqueued before it is committed (or failed), with the
     * highest seq committed by any journal on the schema at that moment; nothing enqueued after
     * it is committed yet then. Fails with {@code Storage} if that seq cannot be read.
     */
    CompletableFuture<Long> barrier() {
        return submit(new BarrierOp());
    }

    /**
     * Sets who hears, right after each successful COMMIT and on the writer thread, which entries
     * it made visible (with their seqs, ascending and contiguous). The listener must return
     * quickly and never block: the writer waits for it. This is how followers learn of this
     * journal's own appends without reading them back.
     */
    void onCommit(Consumer<List<JournalEntry>> listener) {
        this.commitListener = listener;
    }

    /** Counts commits, batch sizes, commit times and failed operations in {@code recorder} from now on. */
    void recordStatsIn(StatsRecorder recorder) {
        this.stats = recorder;
    }

    /** The operations waiting for the writer now. */
    int queued() {
        return queue.size();
    }

    boolean onCompletionThread() {
        return onCompleter.get();
    }

    /** The number of transactions committed so far (for tests). */
    long commits() {
        return commits.get();
    }

    private <T> CompletableFuture<T> submit(Op<T> op) {
        Lock shared = gate.readLock();
        shared.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new JournalException.Closed("the journal " + name + " is closed"));
            }
            // Only a full queue makes the caller wait, and only then can an interrupt stop it.
            if (!queue.offer(op)) {
                queue.put(op);
            }
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
     * are completed, stops the threads and gives the connection back. Idempotent.
     */
    void close() {
        Lock exclusive = gate.writeLock();
        exclusive.lock();
        try {
            if (!closed) {
                closed = true;
                closing = true;
                boolean interrupted = false;
                while (true) {
                    try {
                        queue.put(Stop.INSTANCE);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            exclusive.unlock();
        }
        boolean interrupted = Threads.joinUninterruptibly(thread);
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

    private void run() {
        List<Op<?>> batch = new ArrayList<>(Math.min(maxBatch, 1024));
        boolean stop = false;
        while (!stop) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer
            }
            queue.drainTo(batch, maxBatch - 1);
            if (batch.get(batch.size() - 1) == Stop.INSTANCE) {
                batch.remove(batch.size() - 1);
                stop = true;
            }
            if (!batch.isEmpty()) {
                List<Op<?>> ops = List.copyOf(batch);
                try {
                    execute(ops);
                } catch (Throwable t) {
                    dropConnection();
                    for (Op<?> op : ops) {
                        if (!op.committed && op.error == null) {
                            op.result = null;
                            op.error = storage("the writer failed", t);
                        }
                    }
                }
                complete(ops);
            }
        }
        dropConnection();
    }

    private void execute(List<Op<?>> batch) {
        // A barrier splits the batch: what follows it must not be committed when it is reached.
        List<Op<?>> ops = new ArrayList<>(batch.size());
        for (Op<?> op : batch) {
            if (op instanceof BarrierOp barrier) {
                executeGroup(ops);
                ops.clear();
                reachBarrier(barrier);
            } else {
                ops.add(op);
            }
        }
        executeGroup(ops);
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
            barrier.result = null;
            barrier.error = storage("cannot read the latest seq", e);
        }
    }

    /** Runs a group in one transaction; on a failure of its data, each operation alone. */
    private void executeGroup(List<Op<?>> ops) {
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
        for (Op<?> op : ops) {
            Failure alone = runTransaction(List.of(op));
            if (alone != null) {
                fail(List.of(op), alone);
            }
        }
    }

    private void fail(List<Op<?>> ops, Failure failure) {
        for (Op<?> op : ops) {
            if (op.error == null && !op.committed) {
                op.result = null;
                op.error = failure.inDoubt
                        ? storage("the connection broke during COMMIT, so " + op.describe()
                                + " may or may not have been written; look it up before writing it again",
                                failure.cause)
                        : storage(op.describe() + "; nothing was written", failure.cause);
            }
        }
    }

    /** Why a transaction failed. */
    private record Failure(SQLException cause, boolean connectionLost, boolean inDoubt) {}

    /** Runs one transaction; returns null once committed, else what went wrong (rolled back). */
    private Failure runTransaction(List<Op<?>> ops) {
        boolean committing = false;
        long began = System.nanoTime();
        int appends = 0;
        try {
            connect();
            boolean snapshots = false;
            for (Op<?> op : ops) {
                if (op instanceof AppendOp) {
                    appends++;
                } else if (op instanceof SnapshotOp || op instanceof CheckpointOp) {
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
            commits.incrementAndGet();
            for (Op<?> op : ops) {
                op.committed = true;
            }
            stats.committed(ops.size(), appends, System.nanoTime() - began);
            announceCommitted(ops);
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
                    commits.incrementAndGet();
                    for (Op<?> op : ops) {
                        op.committed = true;
                    }
                    stats.committed(ops.size(), appends, System.nanoTime() - began);
                    announceCommitted(ops);
                    return null;
                }
                inDoubt = written == null;
            }
            if (chain != null) {
                chain.abandoned(); // chain call site: nothing this transaction signed is the head
            }
            for (Op<?> op : ops) {
                op.result = null;
            }
            return new Failure(e, lost, inDoubt);
        }
    }

    /**
     * After the connection broke during COMMIT: looks, on a new connection, at the seqs the
     * transaction had reserved. TRUE if they hold exactly its rows (it committed, and so did
     * its snapshots), FALSE if they hold other rows or were never taken (it did not), null if
     * that cannot be told (no appends in it, the server still away, rows compacted meanwhile).
     */
    private Boolean resolveInDoubt(List<Op<?>> ops) {
        java.util.Map<Long, SqlRows.EncodedEntry> bySeq = new java.util.HashMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Op<?> op : ops) {
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

    private void announceCommitted(List<Op<?>> ops) {
        Consumer<List<JournalEntry>> listener = commitListener;
        if (listener == null) {
            return;
        }
        List<JournalEntry> entries = new ArrayList<>();
        for (Op<?> op : ops) {
            if (op instanceof AppendOp append) {
                entries.add(append.entry.entry().withSeq(append.result));
            }
        }
        if (!entries.isEmpty()) {
            try {
                listener.accept(entries);
            } catch (RuntimeException ignored) {
                // the commit stands; a listener's failure is its own
            }
        }
    }

    /** Appends only: one round trip for the counter, the rows and the notification. */
    private void appendAll(List<Op<?>> ops, int n) throws SQLException {
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
        for (Op<?> op : ops) {
            ((AppendOp) op).result = ++seq;
        }
    }

    /** Appends and snapshots in queue order: each snapshot sees exactly the appends before it. */
    private void writeInOrder(List<Op<?>> ops, int appends) throws SQLException {
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
        for (Op<?> op : ops) {
            if (op instanceof AppendOp a) {
                a.result = ++seq;
                bind(insertEntry, seq, a.entry);
                // chain call site: each entry links to the one before it in this batch
                setString(insertEntry, 12, chain == null ? null : chain.nextEntryMac(a.entry, seq));
                insertEntry.addBatch();
                batched++;
            } else if (op instanceof SnapshotOp s) {
                if (batched > 0) {
                    insertEntry.executeBatch();
                    batched = 0;
                }
                s.result = seq;
                long createdAt = Micros.now();
                insertSnapshot.setLong(1, createdAt);
                insertSnapshot.setLong(2, seq);
                insertSnapshot.setString(3, s.snapshot.dataJson());
                setBytes(insertSnapshot, 4, s.snapshot.dataExact());
                // chain call site: the snapshot's data_mac
                setString(insertSnapshot, 5, chain == null ? null : chain.snapshotMac(conn, createdAt, seq, s.snapshot));
                insertSnapshot.executeUpdate();
                pruneSnapshots.setInt(1, snapshotsToKeep);
                pruneSnapshots.executeUpdate();
            } else if (op instanceof CheckpointOp c) {
                if (batched > 0) {
                    insertEntry.executeBatch();
                    batched = 0;
                }
                c.result = storeCheckpoint(c);
            }
        }
        if (batched > 0) {
            insertEntry.executeBatch();
        }
    }

    private boolean storeCheckpoint(CheckpointOp c) throws SQLException {
        try (PreparedStatement insert = conn.prepareStatement(schema.insertCheckpoint)) {
            insert.setLong(1, c.createdAt);
            insert.setLong(2, c.seqAt);
            insert.setString(3, c.snapshot.dataJson());
            setBytes(insert, 4, c.snapshot.dataExact());
            // chain call site: the checkpoint's data_mac, as a snapshot's
            setString(insert, 5, chain == null ? null : chain.snapshotMac(conn, c.createdAt, c.seqAt, c.snapshot));
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
        JournalEntry entry = e.entry();
        ps.setLong(1, seq);
        ps.setLong(2, entry.timestamp());
        ps.setString(3, PostgresSchema.toStored(entry.author()));
        ps.setString(4, PostgresSchema.toStored(entry.address()));
        ps.setString(5, entry.signalType().wireName());
        ps.setString(6, e.valueJson());
        if (entry.revision().isPresent()) {
            ps.setLong(7, entry.revision().getAsLong());
        } else {
            ps.setNull(7, Types.BIGINT);
        }
        ps.setInt(8, entry.msgType());
        setString(ps, 9, e.hmac());
        setBytes(ps, 10, e.valueExact());
        setString(ps, 11, e.exactHmac());
    }

    private static void setString(PreparedStatement ps, int index, String s) throws SQLException {
        if (s != null) {
            ps.setString(index, s);
        } else {
            ps.setNull(index, Types.VARCHAR);
        }
    }

    private static void setBytes(PreparedStatement ps, int index, byte[] b) throws SQLException {
        if (b != null) {
            ps.setBytes(index, b);
        } else {
            ps.setNull(index, Types.BINARY); // bytea; BLOB would mean a large object
        }
    }

    private void complete(List<Op<?>> ops) {
        for (Op<?> op : ops) {
            if (op.error != null) {
                stats.failed(op.error);
            }
        }
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

    // ---- operations ----

    private abstract static class Op<T> {
        final CompletableFuture<T> future = new CompletableFuture<>();
        T result;
        JournalException error;
        boolean committed;

        abstract String describe();

        final void complete() {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(result);
            }
        }
    }

    private static final class AppendOp extends Op<Long> {
        final SqlRows.EncodedEntry entry;

        AppendOp(SqlRows.EncodedEntry entry) {
            this.entry = entry;
        }

        @Override
        String describe() {
            return "the entry for " + entry.entry().address();
        }
    }

    private static final class SnapshotOp extends Op<Long> {
        final SqlRows.EncodedSnapshot snapshot;

        SnapshotOp(SqlRows.EncodedSnapshot snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        String describe() {
            return "the snapshot";
        }
    }

    private static final class CheckpointOp extends Op<Boolean> {
        final SqlRows.EncodedSnapshot snapshot;
        final long seqAt;
        final long createdAt;

        CheckpointOp(SqlRows.EncodedSnapshot snapshot, long seqAt, long createdAt) {
            this.snapshot = snapshot;
            this.seqAt = seqAt;
            this.createdAt = createdAt;
        }

        @Override
        String describe() {
            return "the checkpoint";
        }
    }

    private static final class BarrierOp extends Op<Long> {
        @Override
        String describe() {
            return "a barrier";
        }
    }

    private static final class Stop extends Op<Void> {
        static final Stop INSTANCE = new Stop();

        @Override
        String describe() {
            return "stop";
        }
    }
}
