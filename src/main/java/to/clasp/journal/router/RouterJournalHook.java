package to.clasp.journal.router;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.JournalStats;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SignalType;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Value;
import to.clasp.journal.router.JournalFailure.Operation;
import to.clasp.journal.router.RecoveryReport.SnapshotStatus;

/**
 * Connects a CLASP router to a {@link Journal}: records every SET and PUBLISH, rebuilds the
 * router's params after a crash, saves snapshots and answers REPLAY requests.
 *
 * <pre>{@code
 * Journal journal = ...;                          // the router opens it, and closes it last
 * InMemoryParamStore params = new InMemoryParamStore();
 * RouterJournalHook hook = RouterJournalHook.builder(journal)
 *         .errorListener(f -> log.warn("journal: {} failed", f.operation(), f.error()))
 *         .snapshotPolicy(SnapshotPolicy.every(50_000, params).compactingKeeping(100_000))
 *         .build();
 *
 * RecoveryReport report = hook.recover(params).join();       // at start-up, before traffic
 *
 * params.set(address, value, revision, session, now);        // on each SET: store first,
 * hook.recordSet(address, value, revision, session);         // then record
 * hook.recordPublish(address, SignalType.EVENT, value, session);
 * }</pre>
 *
 * <h2>Recording never throws</h2>
 * {@link #recordSet} and {@link #recordPublish} return the append's future, and never throw into
 * the router's hot path: bad arguments, a closed journal, a disk error or a journal that throws
 * all fail the returned future, go to the error listener and add to {@link #failureCount()}.
 * When the returned future completes, the counters and the listener already reflect it.
 *
 * <h2>Order</h2>
 * Records made from one thread land in the journal in call order: each record calls
 * {@link Journal#append} synchronously on the caller's thread, and a journal gives appends from
 * one thread seqs in call order. Records from different threads interleave, each thread's own
 * order kept.
 *
 * <h2>Threads and callbacks</h2>
 * Every method may be called from any thread. The error listener, and the callbacks of the
 * returned futures, run on the caller's thread or on the thread that completes the journal's
 * future, so they should be short and must not block. Automatic snapshots run asynchronously
 * on {@link java.util.concurrent.CompletableFuture}'s default executor (the common fork-join
 * pool, or a new thread per snapshot where that pool has no parallelism).
 *
 * <h2>A shared journal</h2>
 * Where other writers append to the same journal (a cluster of routers on one PostgreSQL
 * schema), no router's own params are the whole state, so a snapshot of them would hide the
 * others' SETs from recovery. Build the hook with {@link Builder#sharedJournal(boolean)
 * sharedJournal(true)}: its snapshots are then the journal's {@link Journal#checkpoint()
 * checkpoints}, which fold every writer's entries, and a {@link SnapshotPolicy} works as on a
 * journal of one's own, compaction included.
 *
 * <h2>Ownership</h2>
 * The hook does not own the journal, and has nothing to close. Whoever opened the journal closes
 * it, after the router has stopped recording and {@link #idle()} has completed (otherwise an
 * automatic snapshot still running fails with {@link JournalException.Closed}, which the
 * listener hears).
 */
public final class RouterJournalHook {

    /** How many entries recovery reads from the journal at a time. */
    static final int DEFAULT_RECOVERY_PAGE_SIZE = 10_000;

    private static final System.Logger LOG = System.getLogger(RouterJournalHook.class.getName());

    private final Journal journal;
    private final LongSupplier clock;
    private final Consumer<? super JournalFailure> errorListener;
    private final SnapshotPolicy snapshotPolicy;
    private final int recoveryPageSize;
    /** Whether other writers share the journal: snapshots are then the journal's checkpoints. */
    private final boolean sharedJournal;

    /*
     * Appends of SETs hold this gate shared; a snapshot holds it exclusively while it reads the
     * store and hands the state to the journal. So every SET appended before the snapshot, and
     * therefore given a seq the snapshot covers, was applied to the store (the router applies
     * before it records) before the store was read. Without it, a SET could get a seq at or below
     * the snapshot's seq and yet be missing from the state: recovery would lose it.
     */
    private final StampedLock snapshotGate = new StampedLock();

    private final LongAdder recorded = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong recordedSinceSnapshot = new AtomicLong();
    private final AtomicBoolean autoSnapshotRunning = new AtomicBoolean();
    private final AtomicReference<CompletableFuture<Void>> autoSnapshot =
            new AtomicReference<>(CompletableFuture.completedFuture(null));

    /**
     * Creates a hook with the defaults: the wall clock, an error listener that logs each failure
     * at WARNING through {@link System.Logger}, and no automatic snapshots.
     *
     * @param journal the journal to record into, not null; the hook does not close it
     * @throws NullPointerException if {@code journal} is null
     */
    public RouterJournalHook(Journal journal) {
        this(builder(journal));
    }

    private RouterJournalHook(Builder b) {
        this.journal = b.journal;
        this.clock = b.clock;
        this.errorListener = b.errorListener;
        this.snapshotPolicy = b.snapshotPolicy;
        this.recoveryPageSize = b.recoveryPageSize;
        this.sharedJournal = b.sharedJournal;
    }

    /**
     * Returns a builder for a hook on {@code journal}, with the same defaults as
     * {@link #RouterJournalHook(Journal)}.
     *
     * @param journal the journal to record into, not null; the hook does not close it
     * @return the builder
     * @throws NullPointerException if {@code journal} is null
     */
    public static Builder builder(Journal journal) {
        return new Builder(journal);
    }

    // ---- recording ------------------------------------------------------------------------

    /**
     * Records a SET, stamped with the hook's clock.
     *
     * <p>Apply the SET to the router's {@link ParamStore} before recording it, so that a snapshot
     * never misses a SET it covers (see {@link #saveSnapshot}). The append is made on the
     * calling thread before this method returns, so records from one thread keep their order.
     * May wait briefly while a snapshot reads the store.
     *
     * @param address the param's address, starting with {@code /}
     * @param value the new value
     * @param revision the param's revision after the SET, not negative
     * @param author the writer's session or entity id
     * @return a future of the entry's seq. It fails, after the listener has been told, with
     *     {@link JournalException.InvalidInput} for a null or malformed argument (nothing is
     *     appended), {@link JournalException.Closed} for a closed journal, or whatever else the
     *     journal failed the append with. Never null; this method does not throw.
     */
    public CompletableFuture<Long> recordSet(String address, Value value, long revision, String author) {
        JournalEntry entry;
        try {
            requireArgument(address, "address");
            requireArgument(value, "value");
            requireArgument(author, "author");
            entry = JournalEntry.fromSet(address, value, revision, author, clock.getAsLong());
        } catch (RuntimeException e) {
            return failedRecord(Operation.RECORD_SET, null, e);
        }
        CompletableFuture<Long> appended;
        long stamp = snapshotGate.readLock();
        try {
            appended = append(entry);
        } finally {
            snapshotGate.unlockRead(stamp);
        }
        // Outside the gate: with a synchronous journal the bookkeeping, and maybe the start of an
        // automatic snapshot that needs the gate exclusively, runs right here.
        return track(Operation.RECORD_SET, entry, appended);
    }

    /**
     * Records a PUBLISH (an event, stream sample, gesture or timeline cue), stamped with the
     * hook's clock. The append is made on the calling thread before this method returns, so
     * records from one thread keep their order.
     *
     * @param address the address published to, starting with {@code /}
     * @param type the kind of signal
     * @param value the published value
     * @param author the publisher's session or entity id
     * @return a future of the entry's seq. It fails, after the listener has been told, with
     *     {@link JournalException.InvalidInput} for a null or malformed argument (nothing is
     *     appended), {@link JournalException.Closed} for a closed journal, or whatever else the
     *     journal failed the append with. Never null; this method does not throw.
     */
    public CompletableFuture<Long> recordPublish(String address, SignalType type, Value value,
            String author) {
        JournalEntry entry;
        try {
            requireArgument(address, "address");
            requireArgument(type, "type");
            requireArgument(value, "value");
            requireArgument(author, "author");
            entry = JournalEntry.fromPublish(address, type, value, author, clock.getAsLong());
        } catch (RuntimeException e) {
            return failedRecord(Operation.RECORD_PUBLISH, null, e);
        }
        // A PUBLISH changes no param, so a snapshot need not wait for it.
        return track(Operation.RECORD_PUBLISH, entry, append(entry));
    }

    /**
     * Returns the number of entries recorded successfully.
     *
     * @return the count since the hook was created
     */
    public long recordedCount() {
        return recorded.sum();
    }

    /**
     * Returns the number of failures the error listener was told about: records, automatic
     * snapshots and automatic compactions.
     *
     * @return the count since the hook was created
     */
    public long failureCount() {
        return failures.sum();
    }

    /**
     * Returns the figures of the journal this hook writes to (see {@link Journal#stats()}):
     * they count what the journal did for every caller, where {@link #recordedCount()} and
     * {@link #failureCount()} count this hook's own calls. Cheap and thread-safe.
     *
     * @return a snapshot of the journal's figures
     */
    public JournalStats journalStats() {
        return journal.stats();
    }

    private CompletableFuture<Long> append(JournalEntry entry) {
        return call(() -> journal.append(entry));
    }

    private CompletableFuture<Long> track(Operation operation, JournalEntry entry,
            CompletableFuture<Long> appended) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        appended.whenComplete((seq, error) -> {
            if (error == null) {
                recorded.increment();
                try {
                    countTowardsSnapshot();
                } catch (RuntimeException e) {
                    report(Operation.AUTO_SNAPSHOT, null, e);
                } finally {
                    result.complete(seq);
                }
            } else {
                Throwable cause = unwrap(error);
                report(operation, entry, cause);
                result.completeExceptionally(cause);
            }
        });
        return result;
    }

    private CompletableFuture<Long> failedRecord(Operation operation, JournalEntry entry, Throwable error) {
        report(operation, entry, error);
        return CompletableFuture.failedFuture(error);
    }

    private void report(Operation operation, JournalEntry entry, Throwable error) {
        failures.increment();
        try {
            errorListener.accept(new JournalFailure(operation, Optional.ofNullable(entry), error));
        } catch (Throwable listenerError) {
            // The listener runs on the router's or the journal's threads: whatever it throws must
            // neither escape there nor leave a record's future incomplete.
            LOG.log(Level.ERROR, "journal error listener threw; ignored", listenerError);
        }
    }

    private static void logFailure(JournalFailure failure) {
        String what = failure.entry().map(e -> " for " + e.address()).orElse("");
        LOG.log(Level.WARNING, "journal " + failure.operation() + what + " failed", failure.error());
    }

    // ---- snapshots ------------------------------------------------------------------------

    /**
     * Saves a snapshot of {@code store} in the journal.
     *
     * <p>The snapshot's seq is assigned by the journal when it stores the state, so it covers
     * every entry appended before. To make that exact, this method waits for SETs being appended
     * through this hook, holds new ones back while it reads the store and hands the state to the
     * journal, then lets them go: a few milliseconds per thousand params (reading the store and
     * encoding the snapshot), so large stores should snapshot rarely.
     * Every SET with a seq at or below the snapshot's seq was therefore applied to the store
     * before the store was read, provided the router applies each SET to its store before it
     * records it. A SET applied to the store but recorded after the snapshot gets a higher seq
     * and is replayed on recovery on top of a state that already has it; that is harmless,
     * because {@link ParamStore#restore} ignores a revision equal to or lower than the one held.
     *
     * <p>Call it from a router thread, not from a journal callback: it may wait for appends in
     * progress.
     *
     * <p>On a {@link Builder#sharedJournal(boolean) shared journal} the journal's
     * {@link Journal#checkpoint() checkpoint} is taken instead: the store is not read, and the
     * seq is the checkpoint's.
     *
     * @param store the state to save, not null
     * @return a future of the snapshot's seq; it fails with {@link JournalException.InvalidInput}
     *     for a null store or a state the journal refuses, or with the journal's failure. Never
     *     null; this method does not throw.
     */
    public CompletableFuture<Long> saveSnapshot(ParamStore store) {
        if (store == null) {
            return CompletableFuture.failedFuture(new JournalException.InvalidInput("store must not be null"));
        }
        return unwrapped(snapshotOf(store));
    }

    /**
     * Returns a future that completes when the automatic snapshot running at the time of the
     * call, the compaction after it, and any snapshot that became due meanwhile have finished;
     * at once if none is running. It never fails (failures go to the error listener). Once the
     * router has stopped recording and its records' futures have completed, wait for it before
     * closing the journal.
     *
     * @return the future
     */
    public CompletableFuture<Void> idle() {
        return autoSnapshot.get().copy();
    }

    private CompletableFuture<Long> snapshotOf(ParamStore store) {
        if (sharedJournal) {
            // The journal folds every writer's entries itself: no store to read, no record to hold.
            return call(journal::checkpoint).thenApply(Snapshot::seq);
        }
        long stamp = snapshotGate.writeLock();
        try {
            List<ParamSnapshot> state = store.params();
            return call(() -> journal.snapshot(state));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            snapshotGate.unlockWrite(stamp);
        }
    }

    private void countTowardsSnapshot() {
        if (snapshotPolicy.isEnabled()
                && recordedSinceSnapshot.incrementAndGet() >= snapshotPolicy.interval().getAsLong()) {
            startAutoSnapshot();
        }
    }

    private void startAutoSnapshot() {
        if (!autoSnapshotRunning.compareAndSet(false, true)) {
            return;
        }
        recordedSinceSnapshot.set(0);
        CompletableFuture<Void> done = new CompletableFuture<>();
        autoSnapshot.set(done);
        try {
            // Off the recording thread, and off the journal's completion thread: the snapshot
            // waits for appends in progress, which may themselves be waiting for that thread.
            CompletableFuture.supplyAsync(() -> snapshotOf(snapshotPolicy.store()))
                    .thenCompose(f -> f)
                    .handle((seq, error) -> {
                        if (error != null) {
                            report(Operation.AUTO_SNAPSHOT, null, unwrap(error));
                            return CompletableFuture.<Void>completedFuture(null);
                        }
                        return compactAfter(seq);
                    })
                    .thenCompose(f -> f)
                    .whenComplete((v, error) -> finishAutoSnapshot(done));
        } catch (RuntimeException e) {
            report(Operation.AUTO_SNAPSHOT, null, e);
            finishAutoSnapshot(done);
        }
    }

    private void finishAutoSnapshot(CompletableFuture<Void> done) {
        autoSnapshotRunning.set(false);
        // Entries recorded while this snapshot ran may already be due for the next one; whoever
        // waits for this snapshot through idle() then waits for that one too.
        if (recordedSinceSnapshot.get() >= snapshotPolicy.interval().getAsLong()) {
            startAutoSnapshot();
        }
        CompletableFuture<Void> next = autoSnapshot.get();
        if (next == done) {
            done.complete(null);
        } else {
            next.whenComplete((v, error) -> done.complete(null));
        }
    }

    private CompletableFuture<Void> compactAfter(long snapshotSeq) {
        long byCount = snapshotPolicy.compactBefore(snapshotSeq);
        if (byCount <= 1) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Long> before = snapshotPolicy.maxAge().isEmpty()
                ? CompletableFuture.completedFuture(byCount)
                : call(() -> firstSeqStampedAtOrAfter(clock.getAsLong() - micros(snapshotPolicy.maxAge().get())))
                        .thenApply(young -> Math.min(byCount, young));
        return before.thenCompose(cut -> cut <= 1 ? CompletableFuture.completedFuture(0L)
                : call(() -> journal.compact(cut))).handle((removed, error) -> {
            if (error != null) {
                report(Operation.AUTO_COMPACT, null, unwrap(error));
            }
            return null;
        });
    }

    /**
     * The lowest seq of an entry stamped at or after {@code cutoffMicros}, or
     * {@link Long#MAX_VALUE} when there is none: every entry before it is older than the cutoff.
     */
    private CompletableFuture<Long> firstSeqStampedAtOrAfter(long cutoffMicros) {
        if (cutoffMicros <= 0) {
            return CompletableFuture.completedFuture(1L); // nothing can be older
        }
        return journal.query(JournalQuery.of("/**").from(cutoffMicros).limit(1))
                .thenApply(young -> young.isEmpty() ? Long.MAX_VALUE : young.get(0).seq());
    }

    private static long micros(Duration d) {
        try {
            return Math.multiplyExact(d.getSeconds(), 1_000_000L) + d.getNano() / 1_000;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // longer than any clock: nothing is that old
        }
    }

    // ---- recovery -------------------------------------------------------------------------

    /**
     * Rebuilds {@code store} from the journal: restores the latest snapshot, then replays the
     * SET entries after the snapshot's seq, in seq order, a page at a time. Without a snapshot
     * it replays every SET the journal holds. PUBLISH entries are skipped: they change no param.
     *
     * <p>A corrupt snapshot does not fail recovery: the report says
     * {@link SnapshotStatus#UNREADABLE}, with the error, and the store is rebuilt from every
     * entry the journal still holds. When entries recovery needed were compacted or evicted
     * (so the state may be incomplete), {@link RecoveryReport#complete()} is {@code false}.
     *
     * <p>Call it at start-up, before the router records anything. The store is restored on the
     * thread that completes the journal's futures. Recovering twice, or into a store that already
     * holds newer revisions, is harmless: {@link ParamStore#restore} keeps the higher revision.
     *
     * @param store the store to rebuild, not null
     * @return a future of the report; it fails with {@link JournalException.InvalidInput} for a
     *     null store, with the journal's failure (such as {@link JournalException.Closed},
     *     {@link JournalException.Storage} or {@link JournalException.Serialization}) if the
     *     entries cannot be read, or with what the store threw. Never null; this method does not
     *     throw.
     */
    public CompletableFuture<RecoveryReport> recover(ParamStore store) {
        if (store == null) {
            return CompletableFuture.failedFuture(new JournalException.InvalidInput("store must not be null"));
        }
        Recovery recovery = new Recovery(store, System.nanoTime());
        CompletableFuture<RecoveryReport> report = call(journal::latestSnapshot)
                .handle((snapshot, error) -> {
                    recovery.startFrom(snapshot, error);
                    return null;
                })
                .thenCompose(v -> call(journal::latestSeq))
                .thenCompose(latest -> {
                    recovery.latestSeq = latest;
                    return replayAfter(recovery.snapshotSeq, recovery);
                })
                .thenApply(v -> recovery.report());
        return unwrapped(report);
    }

    /** Reads the entries after {@code seq} page by page, without deep recursion when pages complete at once. */
    private CompletableFuture<Void> replayAfter(long seq, Recovery recovery) {
        long after = seq;
        while (true) {
            long from = after;
            CompletableFuture<List<JournalEntry>> page = call(() -> journal.since(from, recoveryPageSize));
            if (!page.isDone()) {
                return page.thenCompose(entries -> recovery.apply(entries) < recoveryPageSize
                        ? CompletableFuture.completedFuture(null)
                        : replayAfter(recovery.lastSeq, recovery));
            }
            List<JournalEntry> entries;
            try {
                entries = page.join();
            } catch (CompletionException | CancellationException e) {
                return CompletableFuture.failedFuture(unwrap(e));
            }
            if (recovery.apply(entries) < recoveryPageSize) {
                return CompletableFuture.completedFuture(null);
            }
            after = recovery.lastSeq;
        }
    }

    /** The progress of one recovery; used by one stage at a time. */
    private static final class Recovery {
        private final ParamStore store;
        private final long startedNanos;
        private SnapshotStatus status = SnapshotStatus.NONE;
        private JournalException.Snapshot snapshotError;
        private long snapshotSeq;
        private int paramsFromSnapshot;
        private long latestSeq;
        private long firstSeq = -1;
        private long lastSeq;
        private long replayed;

        Recovery(ParamStore store, long startedNanos) {
            this.store = store;
            this.startedNanos = startedNanos;
        }

        void startFrom(Optional<Snapshot> snapshot, Throwable error) {
            if (error != null) {
                Throwable cause = unwrap(error);
                if (!(cause instanceof JournalException.Snapshot corrupt)) {
                    throw new CompletionException(cause);
                }
                status = SnapshotStatus.UNREADABLE;
                snapshotError = corrupt;
                LOG.log(Level.WARNING, "journal snapshot unreadable; rebuilding from the entries", corrupt);
            } else if (snapshot.isPresent()) {
                Snapshot s = snapshot.get();
                status = SnapshotStatus.LOADED;
                snapshotSeq = s.seq();
                paramsFromSnapshot = s.params().size();
                s.params().forEach(store::restore);
            }
            lastSeq = snapshotSeq;
        }

        /** Restores the SETs of one page and returns the page's size. */
        int apply(List<JournalEntry> entries) {
            for (JournalEntry e : entries) {
                if (firstSeq < 0) {
                    firstSeq = e.seq();
                }
                lastSeq = e.seq();
                if (e.isSet()) {
                    if (e.revision().isPresent()) {
                        store.restore(new ParamSnapshot(e.address(), e.value(),
                                e.revision().getAsLong(), e.author(), e.timestamp()));
                        replayed++;
                    } else {
                        LOG.log(Level.WARNING, "journal SET entry " + e.seq() + " for " + e.address()
                                + " has no revision; skipped");
                    }
                }
            }
            return entries.size();
        }

        RecoveryReport report() {
            // Seqs are dense and only the oldest entries are ever removed, so a gap can only be
            // at the start: before the first entry read, or everything if none was read.
            long expectedFirst = snapshotSeq + 1;
            long missing = firstSeq < 0 ? Math.max(0, latestSeq - snapshotSeq)
                    : Math.max(0, firstSeq - expectedFirst);
            return new RecoveryReport(status, Optional.ofNullable(snapshotError), snapshotSeq,
                    paramsFromSnapshot, replayed, lastSeq, missing,
                    Duration.ofNanos(System.nanoTime() - startedNanos));
        }
    }

    // ---- replay ---------------------------------------------------------------------------

    /**
     * Answers a REPLAY request for a session that may read only some addresses.
     *
     * <p>{@code mayRead} is the session's read scope. It is asked first about the query's
     * pattern text: it must reject any pattern that can select addresses outside the scope
     * (for a scope {@code /lights/**}, accept patterns that start with {@code /lights/}; reject
     * {@code /**}, {@code /admin/**} and anything starting with {@code !}). A rejected pattern
     * fails the request with {@link JournalException.AccessDenied}, so an out-of-scope request
     * is refused loudly rather than answered with a silently empty list. It is then asked about
     * each matching entry's address, and entries it rejects are left out: that check alone
     * guarantees nothing outside the scope is returned, even for a pattern wrongly accepted.
     * {@code a -> AddressPattern.matches("/lights/**", a)} serves for both questions.
     *
     * <p>The query's limit counts the entries returned: when entries are left out, more are
     * read, so {@code descending().limit(n)} still gives the newest {@code n} readable entries.
     * Each entry carries its {@code msgType} and {@code revision}, enough to rebuild the SET or
     * PUBLISH message.
     *
     * @param query the request, not null
     * @param mayRead the session's read scope, not null; called on this thread and on the
     *     journal's
     * @return a future of the readable entries, in the query's order, unmodifiable; it fails
     *     with {@link JournalException.InvalidInput} for a null argument,
     *     {@link JournalException.AccessDenied} if {@code mayRead} rejects the pattern, the
     *     journal's failure, or what {@code mayRead} threw. Never null; this method does not
     *     throw.
     */
    public CompletableFuture<List<JournalEntry>> replay(JournalQuery query, Predicate<String> mayRead) {
        if (query == null) {
            return CompletableFuture.failedFuture(new JournalException.InvalidInput("query must not be null"));
        }
        if (mayRead == null) {
            return CompletableFuture.failedFuture(new JournalException.InvalidInput("mayRead must not be null"));
        }
        try {
            if (!mayRead.test(query.pattern())) {
                return CompletableFuture.failedFuture(new JournalException.AccessDenied(
                        "not allowed to replay '" + query.pattern() + "'"));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        int wanted = query.maxResults().orElse(-1);
        return unwrapped(readable(query, mayRead, wanted, wanted));
    }

    private CompletableFuture<List<JournalEntry>> readable(JournalQuery query, Predicate<String> mayRead,
            int wanted, int fetch) {
        JournalQuery q = wanted < 0 ? query : query.limit(fetch);
        return call(() -> journal.query(q)).thenCompose(raw -> {
            List<JournalEntry> out = new ArrayList<>(raw.size());
            for (JournalEntry e : raw) {
                if (wanted >= 0 && out.size() == wanted) {
                    break;
                }
                if (mayRead.test(e.address())) {
                    out.add(e);
                }
            }
            boolean mayHaveMore = wanted >= 0 && out.size() < wanted && raw.size() == fetch
                    && fetch < Integer.MAX_VALUE;
            if (mayHaveMore) {
                return readable(query, mayRead, wanted, (int) Math.min(Integer.MAX_VALUE, 2L * fetch));
            }
            return CompletableFuture.completedFuture(List.copyOf(out));
        });
    }

    /**
     * Answers "REPLAY, then stay live" for a session that may read only some addresses: the
     * journal's {@link Journal#follow(JournalQuery, long) follow} stream, with the read scope of
     * {@link #replay(JournalQuery, Predicate)}.
     *
     * <p>{@code mayRead} is asked about the query's pattern at each subscribe; if it rejects
     * it, the stream ends at once with {@link JournalException.AccessDenied}. It is then asked
     * about each entry's address, and entries it rejects are left out (they do not use up the
     * subscriber's requests). The query's limit counts the entries delivered. Everything else
     * (order, exactly once, backpressure, {@link JournalException.Truncated},
     * {@link JournalException.Closed}) is as {@link Journal#follow} says. Typical use: replay
     * with {@link #replay(JournalQuery, Predicate)} or follow from the session's last seen seq,
     * and keep the subscription for as long as the session lives.
     *
     * @param query the request, not null; ascending
     * @param afterSeq the last seq the session has seen; 0 for everything the journal holds
     * @param mayRead the session's read scope, not null; called on the subscribing thread and
     *     on the journal's follow threads
     * @return a publisher; its {@code subscribe} throws {@link NullPointerException} for a null
     *     subscriber, and otherwise reports every failure through {@code onError} after
     *     {@code onSubscribe}: {@link JournalException.InvalidInput} for a null argument, a
     *     descending query or a negative {@code afterSeq}, {@link JournalException.AccessDenied}
     *     if {@code mayRead} rejects the pattern, what {@code mayRead} threw, or the journal's
     *     failure. Never null; this method does not throw.
     */
    public Flow.Publisher<JournalEntry> follow(JournalQuery query, long afterSeq, Predicate<String> mayRead) {
        return new ScopedFollow(journal, query, afterSeq, mayRead);
    }

    // ---- helpers --------------------------------------------------------------------------

    private static void requireArgument(Object value, String name) {
        if (value == null) {
            throw new JournalException.InvalidInput(name + " must not be null");
        }
    }

    /** Calls the journal, turning a synchronous throw or a missing future into a failed future. */
    private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> action) {
        try {
            CompletableFuture<T> f = action.get();
            return f != null ? f
                    : CompletableFuture.failedFuture(new IllegalStateException("journal returned no future"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A future failing with the original cause, like the journal's own, not a CompletionException. */
    private static <T> CompletableFuture<T> unwrapped(CompletableFuture<T> future) {
        CompletableFuture<T> out = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error == null) {
                out.complete(value);
            } else {
                out.completeExceptionally(unwrap(error));
            }
        });
        return out;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Override
    public String toString() {
        return "RouterJournalHook[" + journal + ", " + snapshotPolicy + (sharedJournal ? ", shared" : "") + "]";
    }

    /**
     * Options for a {@link RouterJournalHook}. Not thread-safe; use it on one thread, then
     * {@link #build()}.
     */
    public static final class Builder {
        private final Journal journal;
        private LongSupplier clock = RouterJournalHook::wallClockMicros;
        private Consumer<? super JournalFailure> errorListener = RouterJournalHook::logFailure;
        private SnapshotPolicy snapshotPolicy = SnapshotPolicy.none();
        private int recoveryPageSize = DEFAULT_RECOVERY_PAGE_SIZE;
        private boolean sharedJournal;

        private Builder(Journal journal) {
            this.journal = Objects.requireNonNull(journal, "journal");
        }

        /**
         * Sets the clock that stamps recorded entries. The default is the wall clock.
         *
         * @param microsSinceEpoch the current time in microseconds since the Unix epoch; called
         *     once per record on the recording thread. A negative time fails that record with
         *     {@link JournalException.InvalidInput}; a clock that throws fails it with what it threw.
         * @return this builder
         * @throws NullPointerException if {@code microsSinceEpoch} is null
         */
        public Builder clock(LongSupplier microsSinceEpoch) {
            this.clock = Objects.requireNonNull(microsSinceEpoch, "clock");
            return this;
        }

        /**
         * Sets who hears about failed records and failed automatic snapshots and compactions.
         * The default logs each at WARNING through {@link System.Logger}. A listener that throws
         * is logged and otherwise ignored.
         *
         * @param listener the listener; called on the recording thread or the journal's, so it
         *     should be short and must not block
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder errorListener(Consumer<? super JournalFailure> listener) {
            this.errorListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets when the hook snapshots (and compacts) by itself. The default is
         * {@link SnapshotPolicy#none()}.
         *
         * @param policy the policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder snapshotPolicy(SnapshotPolicy policy) {
            this.snapshotPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Says whether other writers share the journal: other routers of a cluster on one
         * PostgreSQL schema, or other processes on one SQLite file. Off by default. When shared,
         * no router's own params are the whole state, so every snapshot the hook takes (the
         * {@link #snapshotPolicy(SnapshotPolicy) policy's} and {@link RouterJournalHook#saveSnapshot
         * saveSnapshot}'s) is the journal's {@link Journal#checkpoint() checkpoint} instead: the
         * journal folds every writer's entries into the state at its latest seq and stores it.
         * The store is then not read and records are not held back, and the policy's compaction
         * follows each checkpoint as it follows a snapshot. A {@code PostgresJournal} lets the
         * checkpoints and compactions of the routers on a schema run one at a time.
         *
         * @param shared whether other writers append to the same journal
         * @return this builder
         */
        public Builder sharedJournal(boolean shared) {
            this.sharedJournal = shared;
            return this;
        }

        /** Sets how many entries recovery reads at a time; for tests of paging. */
        Builder recoveryPageSize(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("page size must be at least 1: " + entries);
            }
            this.recoveryPageSize = entries;
            return this;
        }

        /**
         * Creates the hook.
         *
         * @return the hook
         */
        public RouterJournalHook build() {
            return new RouterJournalHook(this);
        }
    }
}
