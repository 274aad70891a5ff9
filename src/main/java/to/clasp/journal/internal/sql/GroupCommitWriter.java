package to.clasp.journal.internal.sql;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import to.clasp.journal.internal.sql.WriteOp.AppendOp;
import to.clasp.journal.internal.sql.WriteOp.BarrierOp;
import to.clasp.journal.internal.sql.WriteOp.CheckpointOp;
import to.clasp.journal.internal.sql.WriteOp.CompactOp;
import to.clasp.journal.internal.sql.WriteOp.MarkOp;
import to.clasp.journal.internal.sql.WriteOp.SnapshotOp;
import to.clasp.journal.internal.sql.WriteOp.VacuumOp;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.internal.stats.StatsRecorder;
import to.clasp.journal.internal.util.Threads;
import to.clasp.journal.internal.util.Validation;

/**
 * The group-commit writer of both SQL backends: it owns the write queue, the committer role,
 * batching, the completion of futures, failure handling, the two-step snapshot and closing. What
 * differs between SQLite and PostgreSQL (how a batch is written and committed, how seqs are
 * taken, what a failed commit means, and work between batches) is a {@link Backend}'s part:
 * {@link to.clasp.journal.internal.sqlite.SqliteWriteBackend} and {@link to.clasp.journal.internal.postgres.PostgresWriteBackend}.
 *
 * <p>Callers enqueue operations ({@link WriteOp}: appends, snapshots, and a backend's own kinds)
 * from any thread. Whoever holds the committer role takes whatever is waiting, up to the batch
 * size, and has the backend write it, in queue order, so appends from one thread get increasing
 * seqs. There is no waiting for a batch to fill: a lone append is committed at once, and appends
 * that arrive while a commit is running form the next batch.
 *
 * <p>The writer is a role more than a thread. Whoever holds it (see {@link #state}) takes the
 * next batch from the queue and runs it, so batches run one at a time and in queue order. The
 * writer thread takes it whenever writes are queued and nobody holds it. A caller that waits
 * for its write with {@code join()} or {@code get()} while nobody holds it, and no other caller
 * is blocked waiting for a write (which would mean contended load), and the backend has no work
 * under way between batches (which only the writer thread runs), takes it instead, and runs the
 * batches up to its own on its own thread (see {@link #help}): one caller waiting for each
 * append then pays no thread hand-off at all, while callers that do not wait, or that arrive
 * while a batch is running, are served by the writer thread as before.
 *
 * <p>The writer thread is not woken for a lone write while writes keep coming: waking a thread
 * on another core costs about as much as a fifth of a small commit. For {@link #POLL_WINDOW_NANOS}
 * after the last write was queued it looks at the queue every {@link #POLL_NANOS} instead, so a
 * write nobody waits for is taken within that time, and one whose caller waits is committed by
 * that caller first. A second write queued behind one not yet taken wakes it at once, and so does
 * a write that finds it asleep after a quiet spell.
 *
 * <p>Work between batches (SQLite's compaction chunks) is run by the writer thread alone, one
 * piece after each batch and piece after piece while nothing is queued, so that writes wait for
 * one piece at most and the work still ends under any load. Batches that ran
 * {@link #LONG_BATCH_NANOS} or longer (a burst) are followed by the next batch instead, for up
 * to {@link #PIECE_DEFERRED_MAX_NANOS}.
 *
 * <p>Futures are completed only after COMMIT returns (and after whatever the backend checks
 * then), in queue order, and never run callers' code on the thread that holds the role: the
 * writer thread hands each batch's futures to a task on a pool of daemon threads
 * ({@link BatchCompletion}); a caller that ran a batch gives the role back first, then completes
 * the futures that nothing is chained to and nobody waits for (completing those runs no code)
 * and hands the batch to the pool from the first one that has dependents. So callbacks a caller
 * chains with the non-async {@code then…} methods can neither slow the writer down nor deadlock
 * it, for instance by waiting for a later append. (A stage chained in the instant between that
 * check and the completion runs on the caller that ran the batch, which holds no lock then: like
 * any {@code CompletableFuture} chained to as it completes.) The pool holds a thread per batch
 * whose callbacks are still running (threads idle for 30 seconds end), so it stays small unless
 * callbacks block; a callback that waits for an append queued later in its own batch would wait
 * forever, which is why blocking work belongs in the {@code …Async} variants. {@link #close()}
 * never waits for callbacks: once the writer is done, each future still to be completed is
 * completed on a pool thread of its own if the one before it is still running callbacks.
 *
 * <p>At most {@link #queueCapacity} operations wait for the writer; a caller that finds the
 * queue full waits for room, which slows a producer down to the speed of the disk instead of
 * filling the heap. The writer survives any failure of a batch, an {@link Error} included: the
 * backend cleans up ({@link Backend#abandon}), that batch's uncommitted operations fail, and the
 * writer goes on.
 */
public final class GroupCommitWriter {

    /**
     * What a backend supplies to the writer: how a batch is written and committed (and so how
     * seqs are taken), what a failure leaves to clean up, and the work it runs between batches.
     * The writing and the work between batches are called by the thread that holds the committer
     * role, one call at a time (the work between batches by the writer thread only), so a
     * backend's connection and statements need no lock of their own; {@link #hasWorkBetweenBatches}
     * is also called under the writer's lock while nobody holds the role. {@link #closing},
     * {@link #stopped} and {@link #closeStatements} are called by the thread that closes the
     * writer, the last two once nothing runs any more.
     */
    public interface Backend {
        /**
         * Writes and commits a batch, in queue order, in as many transactions as the backend
         * needs. On return each op is committed with its result ({@link WriteOp#committed}) or
         * holds its error. Reports each COMMIT with {@link GroupCommitWriter#committed}.
         *
         * @throws Exception anything, an {@link Error} too: the writer then calls
         *     {@link #abandon} and fails every op not committed
         */
        void write(WriteOp<?>[] ops) throws Exception;

        /** Cleans up after {@link #write} threw {@code failure}: ends the transaction or drops the connection. */
        void abandon(Throwable failure);

        /**
         * Whether {@code op}, done with its batch, is completed later by the backend (through
         * {@link GroupCommitWriter#completeAlone}); if it failed with its batch, the backend
         * stops its work and says false.
         */
        default boolean completesLater(WriteOp<?> op) {
            return false;
        }

        /** Whether work is under way that runs between batches. */
        default boolean hasWorkBetweenBatches() {
            return false;
        }

        /** Whether that work waits for now (the writer looks again every {@link GroupCommitWriter#HELD_BACK_NANOS}). */
        default boolean workHeldBack() {
            return false;
        }

        /** Runs the next piece of that work. Never throws. */
        default void runBetweenBatches() {}

        /** Ends, on close, every piece of that work, failing what it has not done. */
        default void stopWorkBetweenBatches() {}

        /** Told, on the closing thread, that close() has begun: the queue is being drained. */
        default void closing() {}

        /**
         * Told, on the closing thread, that the writer is done: nothing will run any more.
         *
         * @return whether the caller was interrupted while waiting for the backend's own threads
         */
        default boolean stopped() {
            return false;
        }

        /** Frees what the backend prepared on its connection; after {@link #stopped}. */
        public default void closeStatements() {}
    }

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
    public static final long POLL_WINDOW_NANOS = 20_000_000L;
    /** How often work between batches that is held back looks whether it may go on. */
    static final long HELD_BACK_NANOS = 1_000_000L;
    /**
     * A batch that ran at least this long (part of a burst of thousands of writes) is followed by
     * the next batch, not by a piece of work between batches: what was queued meanwhile has
     * waited for all of it already.
     */
    public static final long LONG_BATCH_NANOS = 5_000_000L;
    /**
     * The longest long batches put off the work between batches: then a piece runs after the
     * next batch whatever its length, so the work ends under any load.
     */
    public static final long PIECE_DEFERRED_MAX_NANOS = 100_000_000L;

    private final String name;
    private final int maxBatch;
    private final Backend backend;
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
    /** Guarded by {@link #state}. */
    private final ArrayDeque<WriteOp<?>> queue = new ArrayDeque<>();
    /** Whether some thread holds the committer role; guarded by {@link #state}. */
    private boolean committing;
    /**
     * Whether the writer thread is in a timed wait, due to look at the queue within
     * {@link #POLL_NANOS}; guarded by {@link #state}.
     */
    private boolean writerPolling;
    /** Operations queued so far; tells the writer thread whether writes are still coming. Guarded by {@link #state}. */
    private long submitted;
    /**
     * Callers waiting for room: they were accepted, so the writer must not end before them.
     * Guarded by {@link #state}.
     */
    private int waitingForRoom;
    /**
     * Snapshots whose mark was accepted and whose row is not queued yet: the writer thread does
     * not end before they are (see {@link #snapshot}). Guarded by {@link #state}.
     */
    private int snapshotsInFlight;
    /**
     * Completes once the row of the latest snapshot taken is queued, or that snapshot failed.
     * Guarded by {@link #state}.
     */
    private CompletableFuture<Void> lastSnapshotQueued = CompletableFuture.completedFuture(null);
    /** Guarded by {@link #state}. */
    private boolean closed;

    private final Thread thread;
    private final ThreadPoolExecutor completer;
    /** True on the completion pool's threads only. */
    private final ThreadLocal<Boolean> onCompleter = ThreadLocal.withInitial(() -> false);
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
    /**
     * What the current batch committed and nobody has heard of yet; owned by the thread that
     * holds the committer role.
     */
    private final List<JournalEntry> committedEntries = new ArrayList<>();

    /**
     * Makes a writer; nothing runs before {@link #start()}.
     *
     * @param backend how batches are written; used by the committing thread from now on
     * @param name the journal's name, for error messages
     * @param maxBatch the most operations per batch, 1 or more
     * @param queueCapacity the most operations that wait before callers wait for room
     * @param threadNames the prefix of the writer's and the completion pool's thread names
     */
    public GroupCommitWriter(Backend backend, String name, int maxBatch, int queueCapacity, String threadNames) {
        this.backend = backend;
        this.name = name;
        this.maxBatch = maxBatch;
        this.queueCapacity = queueCapacity;
        AtomicInteger completerIds = new AtomicInteger();
        this.completer = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(() -> {
                        onCompleter.set(true);
                        r.run();
                    }, threadNames + "-complete-" + completerIds.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.thread = new Thread(this::run, threadNames + "-writer");
        this.thread.setDaemon(true);
    }

    /** Starts the writer thread; once, after the backend knows this writer. */
    public void start() {
        thread.start();
    }

    /** Enqueues an append; the future gets the assigned seq. */
    public CompletableFuture<Long> append(SqlRows.EncodedEntry entry) {
        return submit(new AppendOp(entry));
    }

    /**
     * Enqueues a snapshot of {@code state}, copied here (a list the caller changes afterwards
     * changes nothing) and then checked and encoded on another thread, as {@link #snapshot(Supplier)}
     * says: for a large state both take milliseconds, which a router would otherwise spend
     * holding its own writes back. A state that fails the checks fails the future with
     * {@link JournalException.InvalidInput}, counted as rejected, and writes nothing.
     *
     * @param state the params, not null (the caller checks that, on its thread)
     * @param mac signs the snapshot's row, or null
     */
    public CompletableFuture<Long> snapshot(List<ParamSnapshot> state, EntryMac mac) {
        List<ParamSnapshot> params = new ArrayList<>(state);
        return snapshot(() -> {
            try {
                Validation.snapshot(params);
                return SqlRows.encodeSnapshot(params, mac);
            } catch (JournalException e) {
                stats.failed(e);
                throw e;
            }
        });
    }

    /**
     * Enqueues a snapshot whose state is encoded by {@code encode} on another thread, so that
     * neither the caller nor the writes queued behind it wait for the encoding (nor for the
     * checks that go with it: {@code encode} throws a {@link JournalException} for a bad state).
     *
     * <p>A snapshot is taken in two steps. A mark is queued at once, in the snapshot's place
     * among the writes: the backend reads the latest seq in its batch's transaction, so the seq
     * it fixes covers exactly the writes queued before it, and holds only if that batch commits;
     * it writes nothing. The row is inserted, with that seq, by an op queued once both the mark
     * has committed and the state is encoded, and after the row of every snapshot taken before
     * (rows stay in seq order, which {@code latestSnapshot} and compaction rely on). A
     * {@link #close} waits for snapshots taken before it.
     *
     * @return a future of the seq the snapshot covers, completed once its row has committed
     */
    public CompletableFuture<Long> snapshot(Supplier<SqlRows.EncodedSnapshot> encode) {
        // The pool outlives every snapshot in flight (close waits for them), so it takes this.
        return snapshot(mark -> CompletableFuture.supplyAsync(encode, completer), false);
    }

    /**
     * Enqueues a checkpoint (SQLite's backend): a snapshot whose state {@code fold} computes, on another thread once
     * the mark has committed, at the seq and creation time the mark fixed; its row is left out
     * if a snapshot at a higher seq is the newest by then (another journal on the file stored it).
     */
    public CompletableFuture<Long> checkpoint(BiFunction<Long, Long, SqlRows.EncodedSnapshot> fold) {
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
                submit(new SnapshotOp(encoded.join(), marked.join(), mark.createdAt, saved, unlessSuperseded), true)
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
     * Enqueues a checkpoint's row (PostgreSQL's backend only) at the seq its fold read; the
     * future gets whether it was stored: it is not when the newest snapshot is at a higher seq
     * by then. Like a snapshot, it is written under the counter lock, which every snapshot of
     * every journal on the schema takes, so no other snapshot is stored between the check and
     * the row.
     */
    public CompletableFuture<Boolean> checkpoint(SqlRows.EncodedSnapshot snapshot, long seqAt, long createdAt) {
        return submit(new CheckpointOp(snapshot, seqAt, createdAt));
    }

    /**
     * Enqueues a compaction (SQLite's backend only): the future gets the number of entries
     * removed, once their space is freed.
     */
    public CompletableFuture<Long> compact(long beforeSeq) {
        return compact(beforeSeq, null);
    }

    /**
     * Enqueues a compaction (SQLite's backend only) that also moves the signed log's low-water
     * mark in the transaction of each chunk it deletes, so that the journal verifies after every
     * chunk.
     */
    public CompletableFuture<Long> compact(long beforeSeq, SignedLog signedLog) {
        return submit(new CompactOp(beforeSeq, signedLog));
    }

    /**
     * Enqueues a VACUUM (SQLite's backend only) that also switches the file to incremental
     * auto-vacuum; the future gets the bytes given back. It runs alone, outside any transaction,
     * in queue order.
     */
    public CompletableFuture<Long> vacuum() {
        return submit(new VacuumOp());
    }

    /**
     * Enqueues a barrier (PostgreSQL's backend only): completes once every operation enqueued
     * before it is committed (or failed), with the highest seq committed by any journal on the
     * schema at that moment; nothing enqueued after it is committed yet then.
     */
    public CompletableFuture<Long> barrier() {
        return submit(new BarrierOp());
    }

    /**
     * Sets who hears, right after each successful COMMIT and on the thread that ran the batch
     * (the writer thread or a caller holding the role), which entries it made visible (with their
     * seqs, ascending and contiguous), one transaction at a time. The listener must return
     * quickly and never block: the next batch waits for it.
     */
    public void onCommit(Consumer<List<JournalEntry>> listener) {
        this.commitListener = listener;
    }

    /**
     * How many writes may wait on SQLite: 64 batches' worth, at least 1,024 and at most 65,536,
     * or 4 batches' worth if that is more. The bound is on memory, so it does not grow with the
     * batch size beyond that.
     */
    public static int queueCapacity(int maxBatch) {
        long small = Math.min((long) maxBatch * SMALL_BATCHES_QUEUED, QUEUE_CAPACITY);
        long large = (long) maxBatch * LARGE_BATCHES_QUEUED;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_QUEUE_CAPACITY, Math.max(small, large)));
    }

    /** Counts commits, batch sizes, commit times and failed operations in {@code recorder} from now on. */
    public void recordStatsIn(StatsRecorder recorder) {
        this.stats = recorder;
    }

    /** The operations waiting for the writer now. */
    public int queued() {
        state.lock();
        try {
            return queue.size();
        } finally {
            state.unlock();
        }
    }

    /** The most operations that wait for the writer before callers have to wait for room. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Whether the calling thread is one of the completion pool's, running callers' callbacks. */
    public boolean onCompletionThread() {
        return onCompleter.get();
    }

    /** The number of transactions committed so far (for tests). */
    public long commits() {
        return commits.get();
    }

    /** The number of batches run by callers waiting for them instead of the writer (for tests). */
    public long batchesRunByCallers() {
        return batchesRunByCallers.get();
    }

    /** The number of operations committed so far (for tests). */
    public long committedOps() {
        return committedOps.get();
    }

    // ---------------------------------------------------------------- for backends

    /**
     * Counts a COMMIT a backend made for {@code ops}: {@code done} of them committed,
     * {@code writes} of those wrote rows, {@code appends} of those were appends, in
     * {@code nanos}; keeps the committed appends for {@link #announceCommitted}. A transaction
     * that wrote nothing (only marks) is no commit to count. Committing thread only.
     */
    public void committed(List<? extends WriteOp<?>> ops, int done, int writes, int appends, long nanos) {
        committedOps.addAndGet(done);
        if (writes == 0) {
            return;
        }
        commits.incrementAndGet();
        stats.committed(writes, appends, nanos);
        if (commitListener != null) {
            for (WriteOp<?> op : ops) {
                if (op.committed && op instanceof AppendOp append) {
                    committedEntries.add(append.entry.entry().withSeq(append.result));
                }
            }
        }
    }

    /** Counts a COMMIT of work between batches, which no op of a batch waits for. */
    public void committedBetweenBatches() {
        commits.incrementAndGet();
    }

    /** Counts an op that committed alone, outside a batch's transaction (a vacuum, a compaction). */
    public void committedAlone() {
        committedOps.incrementAndGet();
    }

    /**
     * Tells the commit listener what was committed since it last heard; the writer calls this
     * after each batch, a backend sooner when a batch is several transactions (each announcement
     * must be contiguous). Committing thread only.
     */
    public void announceCommitted() {
        Consumer<List<JournalEntry>> listener = commitListener;
        if (committedEntries.isEmpty()) {
            return;
        }
        List<JournalEntry> entries = List.copyOf(committedEntries);
        committedEntries.clear();
        if (listener == null) {
            return;
        }
        try {
            listener.accept(entries);
        } catch (RuntimeException | Error ignored) {
            // The commit stands; a listener's failure is its own, and must not keep the batch's
            // futures from being completed or end the writer thread.
        }
    }

    /**
     * Forgets what was committed and not announced: it turned out not to be where readers look
     * (SQLite's file was replaced), and its ops are failed. Committing thread only.
     */
    public void forgetCommitted() {
        committedEntries.clear();
    }

    /** Completes an op the backend kept past its batch ({@link Backend#completesLater}), on the pool. */
    public void completeAlone(WriteOp<?> op) {
        register(new WriteOp<?>[] {op}).start();
    }

    /** A storage failure of this journal: "name: what: cause". */
    public JournalException.Storage storage(String what, Throwable cause) {
        return new JournalException.Storage(name + ": " + what + ": " + cause.getMessage(), cause);
    }

    // ---------------------------------------------------------------- the queue and the role

    /** The cause a {@link CompletionException} carries, as a journal exception. */
    private JournalException unwrap(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof JournalException j ? j : storage("cannot save the snapshot", cause);
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

    /**
     * Queues {@code op}. A snapshot's row ({@code snapshotRow}) is queued even once closed: the
     * writer thread stays until every snapshot in flight has queued its row.
     */
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
            // While work between batches is under way the writer thread alternates it with the
            // batches; a caller that took every batch itself could keep it from ever running.
            if (op.taken || committing || backend.hasWorkBetweenBatches()) {
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
            if (!queue.isEmpty() || closed || backend.hasWorkBetweenBatches()) {
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
    public void close() {
        state.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            state.unlock();
        }
        backend.closing();
        boolean interrupted = Threads.joinUninterruptibly(thread);
        interrupted |= backend.stopped();
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

    /** Frees what the backend prepared on its connection; after {@link #close()}. */
    public void closeStatements() {
        backend.closeStatements();
    }

    /**
     * The writer thread: whenever ops are queued and no caller is running a batch, takes up to
     * {@link #maxBatch} of them and runs them; while the backend has work between batches, runs
     * one piece of it after each batch, and piece after piece while nothing is queued. Ends once
     * closed with nothing left to run (work under way between batches is stopped first).
     */
    private void run() {
        long seen = -1;
        long lastSeenAt = 0;
        boolean pieceDue = false;
        boolean deferring = false;
        long deferringSince = 0;
        while (true) {
            WriteOp<?>[] ops = null;
            boolean stop = false;
            state.lock();
            try {
                while (committing || (queue.isEmpty() && !(backend.hasWorkBetweenBatches() && !heldBack()))) {
                    if (closed && !committing && waitingForRoom == 0 && snapshotsInFlight == 0) {
                        return; // nothing accepted is left: every op has run or is running
                    }
                    if (!committing && backend.hasWorkBetweenBatches()) {
                        // Held back: look again soon; a write queued meanwhile wakes this
                        // thread at once (it is not polling).
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
                if (!backend.hasWorkBetweenBatches() || (!queue.isEmpty() && (!pieceDue || heldBack()) && !closed)) {
                    ops = takeBatch();
                } else {
                    stop = closed;
                }
            } finally {
                state.unlock();
            }
            try {
                if (ops != null) {
                    long began = System.nanoTime();
                    runBatch(ops);
                    register(ops).start();
                    // After a long batch the writes queued during it go first, for a while.
                    long now = System.nanoTime();
                    if (now - began < LONG_BATCH_NANOS) {
                        pieceDue = true;
                        deferring = false;
                    } else if (!deferring) {
                        deferring = true;
                        deferringSince = began;
                        pieceDue = false;
                    } else {
                        pieceDue = now - deferringSince >= PIECE_DEFERRED_MAX_NANOS;
                    }
                } else if (stop) {
                    backend.stopWorkBetweenBatches();
                } else {
                    backend.runBetweenBatches();
                    pieceDue = false;
                    deferring = false;
                }
            } finally {
                release();
            }
        }
    }

    /** Whether the work between batches waits for now; never when closing. Under {@link #state}. */
    private boolean heldBack() {
        return !closed && backend.workHeldBack();
    }

    /**
     * Runs one batch and leaves each op with its result or its error. Never throws: whatever
     * happens, the writer must live on, since a dead writer would leave every later append
     * hanging. Runs on whichever thread holds the committer role, one batch at a time.
     */
    private void runBatch(WriteOp<?>[] ops) {
        committedEntries.clear();
        try {
            backend.write(ops);
        } catch (Throwable t) {
            backend.abandon(t);
            // What was not committed fails; work the backend goes on with stays its own.
            for (WriteOp<?> op : ops) {
                if (!op.committed && op.error == null && !backend.completesLater(op)) {
                    op.clearResult();
                    op.error = storage("the writer failed", t);
                }
            }
        }
        announceCommitted();
    }

    /**
     * Makes a batch's completion known to {@link #close()} before the committer role is given
     * back, so that close() cannot return before its futures are completed.
     */
    private BatchCompletion register(WriteOp<?>[] ops) {
        List<WriteOp<?>> done = new ArrayList<>(ops.length);
        for (WriteOp<?> op : ops) {
            if (backend.completesLater(op)) {
                continue;
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
}
