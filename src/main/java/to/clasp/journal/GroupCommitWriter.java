package to.clasp.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import to.clasp.journal.WriteOp.AppendOp;
import to.clasp.journal.WriteOp.CompactOp;
import to.clasp.journal.WriteOp.MarkOp;
import to.clasp.journal.WriteOp.SnapshotOp;
import to.clasp.journal.WriteOp.VacuumOp;
import java.util.function.Supplier;
import java.util.concurrent.CompletionException;

/**
 * The single writer of a SQLite journal: one thread owns the write connection and commits every
 * write in groups.
 *
 * <p>Callers enqueue operations (appends, snapshots, compactions) from any thread. The writer
 * takes whatever is waiting, up to the batch size, and runs it as one {@code BEGIN IMMEDIATE …
 * COMMIT} transaction, in queue order, so appends from one thread get increasing seqs. There is
 * no waiting for a batch to fill: a lone append is committed at once, and appends that arrive
 * while a commit is running form the next batch. A compaction is not part of that transaction:
 * the writes queued before it are committed first, and it is fixed in its place in the queue
 * (what it removes cannot include a write queued after it); then it deletes in chunks of a few
 * milliseconds each (see {@link SqliteCompaction}), which the writer thread runs between the
 * batches that come after it, so writes wait for one chunk at most, and its future completes
 * after the last chunk, usually after those of the writes queued behind it.
 *
 * <p>The writer is a role more than a thread. Whoever holds it (see {@link #state}) takes the
 * next batch from the queue and runs it, so batches run one at a time and in queue order. The
 * writer thread takes it whenever writes are queued and nobody holds it. A caller that waits
 * for its write with {@code join()} or {@code get()} while nobody holds it, and no other caller
 * is blocked waiting for a write (which would mean contended load), and no compaction is under
 * way (whose chunks only the writer thread runs, between batches), takes it instead,
 * and runs the batches up to its own on its own thread (see {@link #help}): one caller waiting
 * for each append then pays no thread hand-off at all, while callers that do not wait, or that
 * arrive while a batch is running, are served by the writer thread as before.
 *
 * <p>The writer thread is not woken for a lone write while writes keep coming: waking a thread
 * on another core costs about as much as a fifth of a small commit. For {@link #POLL_WINDOW_NANOS}
 * after the last write was queued it looks at the queue every {@link #POLL_NANOS} instead, so a
 * write nobody waits for is taken within that time, and one whose caller waits is committed by
 * that caller first. A second write queued behind one not yet taken wakes it at once, and so does
 * a write that finds it asleep after a quiet spell.
 *
 * <p>On a file, a {@link WalCheckpointer} copies the WAL into the database file on a connection
 * and thread of its own, alongside the commits, so that no commit waits for the copy and the
 * sync that SQLite would otherwise do on the committing thread every 1,000 pages. The writer's
 * own checkpoints (after a compaction or a vacuum, or when the file is lost) wait for a running
 * one.
 *
 * <p>How a batch is written, and why no failure wedges the writer, is {@link SqliteTransactions}'s
 * part.
 *
 * <p>After each batch the writer checks that the path still names the file it opened (same
 * device and inode). A journal file deleted, moved or replaced while open would otherwise take
 * appends that are gone once it is closed; instead, the batch's writes fail, and so does every
 * later one, with {@link JournalException.Storage} naming the file.
 *
 * <p>Futures are completed only after COMMIT returns (and after the file check), in queue
 * order, and never run callers' code on the thread that holds the role: the writer thread
 * hands each batch's futures to a task on a pool of daemon threads; a caller that ran a batch
 * gives the role back first, then completes the futures that nothing is chained to and nobody
 * waits for (completing those runs no code) and hands the batch to the pool from the first one
 * that has dependents. So callbacks a caller chains with the non-async {@code then…} methods
 * can neither slow the writer down nor deadlock it, for instance by waiting for a later append.
 * (A stage chained in the instant between that check and the completion runs on the caller
 * that ran the batch, which holds no lock then: like any {@code CompletableFuture} chained to
 * as it completes.) The pool holds a thread per
 * batch whose callbacks are still running (threads idle for 30 seconds end), so it stays small
 * unless callbacks block; a callback that waits for an append queued later in its own batch
 * would wait forever, which is why blocking work belongs in the {@code …Async} variants.
 * {@link #close()} never waits for callbacks: once the writer is done, each future still to be
 * completed is completed on a pool thread of its own if the one before it is still running
 * callbacks.
 *
 * <p>At most {@link #queueCapacity} operations wait for the writer; a caller that finds the
 * queue full waits for room, which slows a producer down to the speed of the disk instead of
 * filling the heap. The writer thread survives any failure of a batch, an {@link Error}
 * included: that batch's uncommitted operations fail, and the writer goes on.
 */
final class GroupCommitWriter {

    private static final int MIN_QUEUE_CAPACITY = 1_024;
    /** Waiting writes, whatever the batch size, unless small batches make fewer enough. */
    private static final int QUEUE_CAPACITY = 65_536;
    private static final int SMALL_BATCHES_QUEUED = 64;
    private static final int LARGE_BATCHES_QUEUED = 4;
    /**
     * How often the writer thread looks at the queue while writes keep coming, instead of being
     * woken for each: the longest a write nobody waits for stays queued before the writer takes
     * it.
     */
    static final long POLL_NANOS = 100_000L;
    /** How long after the last write was queued the writer keeps looking, before it sleeps until woken. */
    static final long POLL_WINDOW_NANOS = 20_000_000L;
    /** How often a compaction held back for the checkpointer looks whether it may go on. */
    static final long HELD_BACK_NANOS = 1_000_000L;

    private final String name;
    private final int maxBatch;

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
    /** Runs the chunks of compactions, between batches (see {@link #runChunk}). */
    private final SqliteCompaction compaction;
    /**
     * Compactions started and not yet over, oldest first; only the first one runs. Changed by
     * the thread that holds the committer role; read by the writer thread under {@link #state}
     * while nobody holds it.
     */
    private final ArrayDeque<CompactOp> compacting = new ArrayDeque<>();

    private final int queueCapacity;
    /**
     * Guards the queue and the committer role. Whoever holds the role (the writer thread or a
     * caller helping in {@code join}) alone takes ops from the queue and runs them, so batches
     * run one at a time and in queue order, whichever thread runs them.
     */
    private final ReentrantLock state = new ReentrantLock();
    /** Signalled when ops are queued, the committer role is given back, or the writer closes. */
    private final Condition work = state.newCondition();
    /** Signalled when ops leave the queue. */
    private final Condition room = state.newCondition();
    private final ArrayDeque<WriteOp<?>> queue = new ArrayDeque<>();
    /** Whether some thread holds the committer role. */
    private boolean committing;
    /** Whether the writer thread is in a timed wait, due to look at the queue within {@link #POLL_NANOS}. */
    private boolean writerPolling;
    /** Operations queued so far; tells the writer thread whether writes are still coming. */
    private long submitted;
    /** Callers waiting for room: they were accepted, so the writer must not end before them. */
    private int waitingForRoom;
    /**
     * Snapshots whose mark was accepted and whose row is not queued yet: the writer thread does
     * not end before they are (see {@link #snapshot}).
     */
    private int snapshotsInFlight;
    /** Completes once the row of the latest snapshot taken is queued, or that snapshot failed. */
    private CompletableFuture<Void> lastSnapshotQueued = CompletableFuture.completedFuture(null);
    private boolean closed;

    private final Thread thread;
    private final ThreadPoolExecutor completer;
    /** Batches with futures not yet completed. */
    private final Set<BatchCompletion> unfinished = ConcurrentHashMap.newKeySet();
    /** Set by close() once the writer is done: from then on no future waits behind a callback. */
    private volatile boolean closing;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedOps = new AtomicLong();
    private final AtomicLong batchesRunByCallers = new AtomicLong();
    /**
     * Callers blocked waiting for a write. While any are, the load is contended: a caller then
     * leaves the batch to the writer thread, which groups everyone's writes, rather than
     * committing a small batch of its own in between.
     */
    final AtomicInteger blockedCallers = new AtomicInteger();
    /** Told, by the committing thread, about the entries each COMMIT made visible; null for nobody. */
    private volatile Consumer<List<JournalEntry>> commitListener;
    /** Where commits, batch sizes, commit times and failures are counted. */
    private volatile StatsRecorder stats = new StatsRecorder();
    /** What the current batch committed, announced once the batch is known to be at the path. */
    private final List<JournalEntry> committedEntries = new ArrayList<>();

    /**
     * Starts a writer on a connection prepared by {@link SqliteSchema#prepare}. The writer owns
     * the connection from now on, but does not close it.
     *
     * @param file the database file, whose identity is checked after every batch; null in memory
     * @param name the file name, for error messages
     * @param txLock held around every transaction, or null (see {@link SqliteJournal})
     * @param maxBatch the most operations per transaction, 1 or more
     * @param checkpointConnection a second read-write connection to the file, for the
     *     {@link WalCheckpointer}; null in memory, or to leave checkpoints to SQLite alone. The
     *     writer closes it on {@link #close()}, or at once if this constructor throws.
     */
    GroupCommitWriter(Connection conn, Path file, String name, Lock txLock, int maxBatch,
            int snapshotsToKeep, Connection checkpointConnection) throws SQLException {
        this.name = name;
        this.maxBatch = maxBatch;
        this.conn = conn;
        this.file = file;
        this.fileKey = file == null ? null : identity(file);
        if (file != null && fileKey == null && !Files.exists(file)) {
            throw new SQLException("the file " + file + " is missing");
        }
        try {
            this.transactions = new SqliteTransactions(conn, name, txLock, snapshotsToKeep, this::committed);
            try {
                this.compaction = new SqliteCompaction(conn, name, file != null,
                        file != null && checkpointConnection == null, txLock, new CompactionHost());
            } catch (SQLException | RuntimeException e) {
                transactions.close();
                throw e;
            }
            if (checkpointConnection != null) {
                try (Statement s = conn.createStatement()) {
                    s.execute(SqliteSchema.WAL_AUTOCHECKPOINT_BACKSTOP);
                }
            }
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
        if (checkpointConnection != null) {
            this.checkpointer = new WalCheckpointer(checkpointConnection);
        } else {
            this.checkpointer = null;
        }
        this.queueCapacity = queueCapacity(maxBatch);
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
    CompletableFuture<Long> append(SqlRows.EncodedEntry entry) {
        return submit(new AppendOp(entry));
    }

    /**
     * Enqueues a snapshot whose state is encoded by {@code encode} on another thread, so that
     * neither the caller nor the writes queued behind it wait for the encoding.
     *
     * <p>A snapshot is taken in two steps. A mark is queued at once, in the snapshot's place
     * among the writes: it reads the latest seq in its batch's transaction, so the seq it fixes
     * covers exactly the writes queued before it, and holds only if that batch commits. The row
     * is inserted, with that seq, by an op queued once both the mark has committed and the state
     * is encoded, and after the row of every snapshot taken before (rows stay in seq order, which
     * {@code latestSnapshot} and compaction rely on). A {@link #close} waits for snapshots taken
     * before it.
     *
     * @return a future of the seq the snapshot covers, completed once its row has committed
     */
    CompletableFuture<Long> snapshot(Supplier<SqlRows.EncodedSnapshot> encode) {
        // The pool outlives every snapshot in flight (close waits for them), so it takes this.
        return snapshot(mark -> CompletableFuture.supplyAsync(encode, completer), false);
    }

    /**
     * Enqueues a checkpoint: a snapshot whose state {@code fold} computes, on another thread once
     * the mark has committed, at the seq and creation time the mark fixed; its row is left out
     * if a snapshot at a higher seq is the newest by then (another journal on the file stored it).
     */
    CompletableFuture<Long> checkpoint(BiFunction<Long, Long, SqlRows.EncodedSnapshot> fold) {
        return snapshot(mark -> mark.future.thenApplyAsync(seq -> fold.apply(seq, mark.createdAt), completer), true);
    }

    private CompletableFuture<Long> snapshot(Function<MarkOp, CompletableFuture<SqlRows.EncodedSnapshot>> encoding,
            boolean unlessSuperseded) {
        MarkOp mark = new MarkOp();
        CompletableFuture<Long> marked = submit(mark);
        if (marked.isCompletedExceptionally()) {
            return marked; // closed, or interrupted while waiting for room: nothing was queued
        }
        CompletableFuture<Long> saved = new CompletableFuture<>();
        CompletableFuture<SqlRows.EncodedSnapshot> encoded = encoding.apply(mark);
        CompletableFuture.allOf(marked, encoded, mark.rowBefore).whenComplete((v, error) -> {
            if (error != null) {
                saved.completeExceptionally(unwrap(error));
                snapshotAbandoned();
            } else {
                submitSnapshotRow(new SnapshotOp(encoded.join(), marked.join(), mark.createdAt, saved,
                        unlessSuperseded))
                        .whenComplete((seq, failure) -> {
                            if (failure != null) {
                                saved.completeExceptionally(failure); // not queued: interrupted
                            }
                        });
            }
            mark.row.complete(null);
        });
        return saved;
    }

    /**
     * Enqueues a compaction; the future gets the number of entries removed, once their space is
     * freed.
     */
    CompletableFuture<Long> compact(long beforeSeq) {
        return compact(beforeSeq, null);
    }

    /**
     * Enqueues a compaction that also moves the signed log's low-water mark in the transaction
     * of each chunk it deletes, so that the journal verifies after every chunk.
     */
    CompletableFuture<Long> compact(long beforeSeq, SignedLog signedLog) {
        return submit(new CompactOp(beforeSeq, signedLog));
    }

    /**
     * Enqueues a VACUUM that also switches the file to incremental auto-vacuum; the future gets
     * the bytes given back. It runs alone, outside any transaction, in queue order.
     */
    CompletableFuture<Long> vacuum() {
        return submit(new VacuumOp());
    }

    /**
     * Sets who hears, right after each successful COMMIT and on the thread that ran the batch
     * (the writer thread or a caller holding the role), which entries it made visible (with their
     * seqs, ascending), one batch at a time. The listener must return quickly and never block:
     * the next batch waits for it.
     */
    void onCommit(Consumer<List<JournalEntry>> listener) {
        this.commitListener = listener;
    }

    /**
     * How many writes may wait: 64 batches' worth, at least 1,024 and at most 65,536, or 4
     * batches' worth if that is more. The bound is on memory, so it does not grow with the
     * batch size beyond that.
     */
    static int queueCapacity(int maxBatch) {
        long small = Math.min((long) maxBatch * SMALL_BATCHES_QUEUED, QUEUE_CAPACITY);
        long large = (long) maxBatch * LARGE_BATCHES_QUEUED;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_QUEUE_CAPACITY, Math.max(small, large)));
    }

    /** Counts commits, batch sizes, commit times and failed operations in {@code recorder} from now on. */
    void recordStatsIn(StatsRecorder recorder) {
        this.stats = recorder;
    }

    /** The operations waiting for the writer now. */
    int queued() {
        state.lock();
        try {
            return queue.size();
        } finally {
            state.unlock();
        }
    }

    /** The most operations that wait for the writer before callers have to wait for room. */
    int queueCapacity() {
        return queueCapacity;
    }

    /** The number of transactions committed so far (for tests). */
    long commits() {
        return commits.get();
    }

    /** The number of batches run by callers waiting for them instead of the writer (for tests). */
    long batchesRunByCallers() {
        return batchesRunByCallers.get();
    }

    /** The number of operations committed so far (for tests). */
    long committedOps() {
        return committedOps.get();
    }

    /** The cause a {@link CompletionException} carries, as a journal exception. */
    private JournalException unwrap(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof JournalException j ? j : storage("cannot save the snapshot", cause);
    }

    /**
     * Queues the row of a snapshot whose mark committed, even once closed: the writer thread
     * stays until every snapshot in flight has queued its row (see {@link #snapshotsInFlight}).
     */
    private CompletableFuture<Long> submitSnapshotRow(SnapshotOp op) {
        return submit(op, true);
    }

    private <T> CompletableFuture<T> submit(WriteOp<T> op) {
        return submit(op, false);
    }

    /** Counts off a snapshot that failed before its row was queued. */
    private void snapshotAbandoned() {
        state.lock();
        try {
            snapshotsInFlight--;
            work.signalAll();
        } finally {
            state.unlock();
        }
    }

    private <T> CompletableFuture<T> submit(WriteOp<T> op, boolean snapshotRow) {
        state.lock();
        try {
            if (snapshotRow) {
                snapshotsInFlight--;
                work.signalAll(); // a closing writer thread waits for the last one
            } else if (closed) {
                return CompletableFuture.failedFuture(
                        new JournalException.Closed("the journal " + name + " is closed"));
            }
            // Only a full queue makes the caller wait, and only then can an interrupt stop it.
            if (queue.size() >= queueCapacity) {
                waitingForRoom++;
                try {
                    do {
                        room.await();
                    } while (queue.size() >= queueCapacity);
                } finally {
                    waitingForRoom--;
                }
            }
            op.future = new WriteFuture<>(op, this);
            queue.addLast(op);
            submitted++;
            if (op instanceof MarkOp mark) {
                // Under the lock, with the mark's place in the queue: rows follow marks' order,
                // and the writer thread cannot end between the mark and its row.
                snapshotsInFlight++;
                mark.rowBefore = lastSnapshotQueued;
                lastSnapshotQueued = mark.row;
            }
            // Waking a thread on another core costs about as much as a fifth of a commit. A
            // polling writer finds a lone write within POLL_NANOS, and its caller, if it waits,
            // commits it before that; a second queued write means nobody is committing them
            // soon, so the writer is woken for it.
            if (!committing && !(writerPolling && queue.size() == 1)) {
                work.signal();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new JournalException.Storage(
                    name + ": interrupted while waiting for room in the write queue; nothing was written", e));
        } finally {
            state.unlock();
        }
        return op.future;
    }

    /**
     * Runs, on the calling thread, the batch that holds {@code op} if nobody is committing and
     * {@code op} is still queued: a caller about to wait for its append does the writer's work
     * itself instead of waiting for two threads to wake up. The batch runs exactly as on the
     * writer thread; afterwards this thread completes, in queue order, the futures nobody has
     * chained anything to or waits for, and hands the rest of the batch to the completion pool,
     * so that other callers' callbacks never run here.
     */
    void help(WriteOp<?> op) {
        WriteOp<?>[] ops;
        state.lock();
        try {
            // While a compaction is under way the writer thread alternates its chunks with the
            // batches; a caller that took every batch itself could keep it from ever running one.
            if (op.taken || committing || !compacting.isEmpty()) {
                return;
            }
            committing = true;
            ops = takeBatch();
        } finally {
            state.unlock();
        }
        BatchCompletion completion = null;
        try {
            batchesRunByCallers.incrementAndGet();
            runBatch(ops);
            completion = register(ops);
            // The batch is drained from the front: if op was beyond it, the next batch holds it.
            while (!op.taken) {
                state.lock();
                try {
                    ops = takeBatch();
                } finally {
                    state.unlock();
                }
                completion.start();
                batchesRunByCallers.incrementAndGet();
                runBatch(ops);
                completion = register(ops);
            }
        } finally {
            release();
            if (completion != null) {
                completion.runHere();
            }
        }
    }

    /** Gives the committer role back; the writer takes over whatever has been queued meanwhile. */
    private void release() {
        state.lock();
        try {
            committing = false;
            if (!queue.isEmpty() || closed || !compacting.isEmpty()) {
                work.signal();
            }
        } finally {
            state.unlock();
        }
    }

    /** Takes the next batch from the queue; the caller holds {@link #state} and the role. */
    private WriteOp<?>[] takeBatch() {
        int n = Math.min(queue.size(), maxBatch);
        WriteOp<?>[] ops = new WriteOp<?>[n];
        for (int i = 0; i < n; i++) {
            WriteOp<?> op = queue.pollFirst();
            op.taken = true;
            ops[i] = op;
        }
        if (waitingForRoom > 0) {
            room.signalAll();
        }
        return ops;
    }

    /**
     * Stops accepting operations, commits or fails everything accepted before, and returns once
     * every future is completed. It never waits for callers' callbacks to return: a future that
     * would be completed after one still running is completed on another thread. Idempotent;
     * safe to call from a callback.
     */
    void close() {
        state.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            state.unlock();
        }
        boolean interrupted = Threads.joinUninterruptibly(thread);
        if (checkpointer != null) {
            interrupted |= checkpointer.stopAndWait();
        }
        // Every operation now has its result; what is left is handing them over.
        closing = true;
        for (BatchCompletion c : unfinished) {
            c.continueElsewhere();
        }
        for (BatchCompletion c : unfinished) {
            c.awaitCompleted();
        }
        completer.shutdown(); // threads still running callbacks end when those return
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The writer thread: whenever ops are queued and no caller is running a batch, takes up to
     * {@link #maxBatch} of them and runs them; while a compaction is under way, runs one chunk
     * of it after each batch, and chunk after chunk while nothing is queued, so that writes wait
     * for one chunk at most and the compaction still ends under any load. Ends once closed with
     * nothing left to run (a compaction under way is stopped first, see {@link #stopCompactions}).
     */
    private void run() {
        long seen = -1;
        long lastSeenAt = 0;
        boolean chunkDue = false;
        while (true) {
            WriteOp<?>[] ops = null;
            boolean stop = false;
            state.lock();
            try {
                while (committing || (queue.isEmpty() && (compacting.isEmpty() || compactionHeldBack()))) {
                    if (closed && !committing && waitingForRoom == 0 && snapshotsInFlight == 0) {
                        return; // nothing accepted is left: every op has run or is running
                    }
                    if (!committing && !compacting.isEmpty()) {
                        // Held back for the checkpointer: look again soon; a write queued
                        // meanwhile wakes this thread at once (it is not polling).
                        try {
                            work.awaitNanos(HELD_BACK_NANOS);
                        } catch (InterruptedException e) {
                            // Nobody interrupts the writer; it stops only once closed.
                        }
                        continue;
                    }
                    long now = System.nanoTime();
                    if (submitted != seen) {
                        seen = submitted;
                        lastSeenAt = now;
                    }
                    if (now - lastSeenAt < POLL_WINDOW_NANOS) {
                        writerPolling = true;
                        try {
                            work.awaitNanos(POLL_NANOS);
                        } catch (InterruptedException e) {
                            // Nobody interrupts the writer; it stops only once closed.
                        } finally {
                            writerPolling = false;
                        }
                    } else {
                        work.awaitUninterruptibly();
                    }
                }
                committing = true;
                if (compacting.isEmpty() || (!queue.isEmpty() && (!chunkDue || compactionHeldBack()) && !closed)) {
                    ops = takeBatch();
                } else {
                    stop = closed;
                }
            } finally {
                state.unlock();
            }
            try {
                if (ops != null) {
                    runBatch(ops);
                    register(ops).start();
                    chunkDue = true;
                } else if (stop) {
                    stopCompactions();
                } else {
                    runChunk();
                    chunkDue = false;
                }
            } finally {
                release();
            }
        }
    }

    /**
     * Whether the next compaction chunk waits for the checkpointer ({@link WalCheckpointer#behind}):
     * appends go on meanwhile, so the compaction waits for the disk instead of the appends
     * waiting for the compaction's WAL. Never when closing, nor without a checkpointer.
     */
    private boolean compactionHeldBack() {
        return checkpointer != null && !closed && checkpointer.behind();
    }

    /**
     * Runs one batch and leaves each op with its result or its error. Never throws: whatever
     * happens, the writer must live on, since a dead writer would leave every later append
     * hanging. Runs on whichever thread holds the committer role, one batch at a time.
     */
    private void runBatch(WriteOp<?>[] ops) {
        committedEntries.clear();
        try {
            if (lost == null && fileChanged()) {
                fileLost();
            }
            if (lost != null) {
                WriteOp.failAll(Arrays.asList(ops), lost);
            } else {
                executeInOrder(ops);
                if (fileChanged()) {
                    // Changed while this batch ran: what it committed is not at the path.
                    fileLost();
                    WriteOp.failAll(Arrays.asList(ops), lost);
                }
            }
        } catch (Throwable t) {
            // What was not committed fails.
            transactions.endTransaction();
            for (WriteOp<?> op : ops) {
                if (!op.committed && op.error == null && !(op instanceof CompactOp c && c.running)) {
                    op.clearResult();
                    op.error = storage("the writer failed", t); // a compaction started goes on
                }
            }
        }
        if (lost == null) {
            announceCommitted();
        }
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

    /** Whether the path no longer names the file the journal opened. */
    private boolean fileChanged() {
        return fileKey != null && !fileKey.equals(identity(file));
    }

    /**
     * Stops all writing: the file was deleted, moved or replaced, so a write acknowledged now
     * would not be found at the path. What was committed is copied from the WAL into the file
     * it belongs to (moved or deleted), which also leaves the WAL at the path empty, so that it
     * cannot be replayed into a file put in its place.
     */
    private void fileLost() {
        lost = new JournalException.Storage(name + ": the journal file was deleted, moved or replaced"
                + " while the journal was open, so nothing more is written to it (close the journal"
                + " and open the file again)", null);
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
            committedOps.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            op.error = storage("cannot vacuum (no entry was changed)", e);
        }
    }

    /** Counts a COMMIT of {@link #transactions}, and keeps the appends it made visible. */
    private void committed(List<WriteOp<?>> ops, int done, int writes, int appends, long nanos) {
        committedOps.addAndGet(done);
        if (writes == 0) {
            return; // only marks: a transaction that wrote nothing is no commit to count
        }
        commits.incrementAndGet();
        stats.committed(writes, appends, nanos);
        if (checkpointer != null) {
            checkpointer.committed(writes);
        }
        if (commitListener != null) {
            for (WriteOp<?> op : ops) {
                if (op.committed && op instanceof AppendOp append) {
                    committedEntries.add(append.entry.entry().withSeq(append.result));
                }
            }
        }
    }

    /**
     * Tells the commit listener what the batch committed. Called only once the batch is known
     * to be at the path: entries of a batch that ran while the file was moved away are
     * reported failed to their callers, so followers must not see them either.
     */
    private void announceCommitted() {
        Consumer<List<JournalEntry>> listener = commitListener;
        if (listener == null || committedEntries.isEmpty()) {
            return;
        }
        List<JournalEntry> entries = List.copyOf(committedEntries);
        committedEntries.clear();
        try {
            listener.accept(entries);
        } catch (RuntimeException | Error ignored) {
            // The commit stands; a listener's failure is its own, and must not keep the batch's
            // futures from being completed or end the writer thread.
        }
    }

    /**
     * Starts a compaction in its place in the queue: fixes what it removes (see
     * {@link SqliteCompaction#start}), so that the writes queued after it, which may commit
     * before it ends, stay. Its chunks run between later batches (see {@link #run}), by the
     * writer thread only; its future is completed after the last one.
     */
    private void startCompaction(CompactOp op) {
        try {
            op.job = compaction.start(op.beforeSeq, op.signedLog);
        } catch (SQLException | RuntimeException e) {
            op.error = storage("cannot compact", e);
            return;
        }
        if (op.job == null) {
            op.result = 0L; // nothing below the bound can exist
            op.committed = true;
            committedOps.incrementAndGet();
            return;
        }
        op.running = true;
        compacting.addLast(op);
        if (checkpointer != null) {
            checkpointer.compacting(true);
        }
    }

    /**
     * Runs the next chunk of the oldest compaction under way, and completes its future if that
     * was the last. Never throws; holds the committer role.
     */
    private void runChunk() {
        CompactOp op = compacting.peekFirst();
        SqliteCompaction.Job job = op.job;
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
            job.error = storage(job.removed == 0 ? "cannot compact"
                    : "compaction stopped after removing " + job.removed + " entries", t);
            over = true;
        }
        if (over) {
            finishCompaction(op);
        }
    }

    /** Takes a compaction out of {@link #compacting} and completes its future on the pool. */
    private void finishCompaction(CompactOp op) {
        compacting.remove(op);
        op.running = false;
        if (checkpointer != null && compacting.isEmpty()) {
            checkpointer.compacting(false);
        }
        if (op.job.error != null) {
            op.error = op.job.error;
        } else {
            op.result = op.job.removed;
            op.committed = true;
            committedOps.incrementAndGet();
        }
        register(new WriteOp<?>[] {op}).start();
    }

    /**
     * Ends, on close, every compaction under way where it stands, after its last whole chunk:
     * what it removed stays removed, the rest stays, and the journal is as valid as after a
     * smaller compaction. Its future fails with {@link JournalException.Closed}, saying how many
     * entries were removed; close() does not wait for the rest.
     */
    private void stopCompactions() {
        while (!compacting.isEmpty()) {
            CompactOp op = compacting.peekFirst();
            op.job.error = new JournalException.Closed("the journal " + name + " was closed during the"
                    + " compaction, after it removed " + op.job.removed + " entries; the entries below seq "
                    + op.job.bound + " that are left stay until a later compaction");
            finishCompaction(op);
        }
    }

    /** What the writer lends its compactions. */
    private final class CompactionHost implements SqliteCompaction.Host {
        @Override
        public void checkpoint(String pragma) throws SQLException {
            GroupCommitWriter.this.checkpoint(pragma);
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
        public void committed(long rows) {
            commits.incrementAndGet();
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

    /**
     * Makes a batch's completion known to {@link #close()} before the committer role is given
     * back, so that close() cannot return before its futures are completed.
     */
    private BatchCompletion register(WriteOp<?>[] ops) {
        List<WriteOp<?>> done = new ArrayList<>(ops.length);
        for (WriteOp<?> op : ops) {
            if (op instanceof CompactOp c && c.running) {
                if (c.error == null) {
                    continue; // completed after its last chunk
                }
                c.running = false; // failed with its batch (the file was lost)
                compacting.remove(c);
            }
            if (op.error != null) {
                stats.failed(op.error);
            }
            done.add(op);
        }
        BatchCompletion completion = new BatchCompletion(done.size() == ops.length ? ops : done.toArray(new WriteOp<?>[0]),
                completer, unfinished, () -> closing);
        unfinished.add(completion);
        return completion;
    }

    private JournalException.Storage storage(String what, Throwable cause) {
        return new JournalException.Storage(name + ": " + what + ": " + cause.getMessage(), cause);
    }

    /** Frees the prepared statements; the connection itself belongs to the caller. */
    void closeStatements() {
        transactions.close();
        compaction.close();
    }

    /** Reads the highest seq ever assigned from sqlite_sequence; 0 before the first append. */
    static long readLatestSeq(PreparedStatement latestSeq) throws SQLException {
        try (ResultSet rs = latestSeq.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }
}
