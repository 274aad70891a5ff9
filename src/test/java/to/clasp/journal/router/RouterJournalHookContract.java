package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static to.clasp.journal.router.Await.assertFails;
import static to.clasp.journal.router.Await.await;
import static to.clasp.journal.router.SimulatedRouter.T0;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SignalType;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Value;
import to.clasp.journal.router.JournalFailure.Operation;
import to.clasp.journal.router.RecoveryReport.SnapshotStatus;

/**
 * What a router can rely on from a {@link RouterJournalHook}, whatever the journal behind it. A
 * backend's test extends this class and says how to open a journal and how to get it back after
 * a crash.
 */
abstract class RouterJournalHookContract {

    /**
     * Opens a fresh, empty journal that holds at least 200,000 entries.
     *
     * @return the journal; the contract closes it
     */
    protected abstract Journal newJournal() throws Exception;

    /**
     * Returns the journal as a router would find it after its process died: for a durable
     * backend, the same storage opened again without closing {@code crashed}; for a memory
     * journal, which cannot outlive its process, {@code crashed} itself.
     *
     * @param crashed the journal in use when the router "crashed"; every record was completed
     * @return the journal to recover from; the contract closes it
     */
    protected abstract Journal reopen(Journal crashed) throws Exception;

    protected Journal journal;
    private final List<Journal> opened = new ArrayList<>();

    @BeforeEach
    void openJournal() throws Exception {
        journal = track(newJournal());
    }

    @AfterEach
    void closeJournals() {
        opened.forEach(Journal::close);
    }

    private Journal track(Journal j) {
        opened.add(j);
        return j;
    }

    private Journal crashAndReopen() throws Exception {
        return track(reopen(journal));
    }

    private static RecoveryReport recoverInto(Journal from, InMemoryParamStore store) {
        return await(new RouterJournalHook(from).recover(store));
    }

    private List<JournalEntry> all(Journal j) {
        return await(j.since(0, null));
    }

    private static Map<String, ParamSnapshot> byAddress(List<ParamSnapshot> params) {
        return params.stream().collect(Collectors.toMap(ParamSnapshot::address, p -> p));
    }

    /** Compares param by param, so that a difference names the param. */
    private static void assertSameState(InMemoryParamStore recovered, List<ParamSnapshot> expected) {
        Map<String, ParamSnapshot> got = byAddress(recovered.params());
        assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(byAddress(expected).keySet());
        for (ParamSnapshot want : expected) {
            assertThat(got.get(want.address())).as(want.address()).isEqualTo(want);
        }
    }

    // ---- the simulated router ---------------------------------------------------------------

    @Test
    void simulatedRouterRecoversItsExactStateAfterACrash() throws Exception {
        SimulatedRouter router = new SimulatedRouter(journal);
        Random rng = new Random(20_240_501L);
        List<String> params = SimulatedRouter.params(1_000);

        router.traffic(rng, params, 50_000);
        router.flush();
        long snapshotSeq = await(router.hook.saveSnapshot(router.store));
        List<ParamSnapshot> atSnapshot = router.store.params();
        long setsBeforeSnapshot = router.sets();
        router.traffic(rng, params, 50_000);
        router.flush();
        List<ParamSnapshot> beforeCrash = router.store.params();
        long latestSeq = await(journal.latestSeq());

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(crashAndReopen(), recovered);

        assertThat(router.sets()).isEqualTo(100_000);
        assertThat(router.publishes()).isPositive();
        assertThat(latestSeq).isEqualTo(router.sets() + router.publishes());
        assertThat(snapshotSeq).isLessThan(latestSeq).isGreaterThan(setsBeforeSnapshot);
        assertSameState(recovered, beforeCrash);
        assertThat(recovered.params()).isEqualTo(beforeCrash);
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
        assertThat(report.snapshotError()).isEmpty();
        assertThat(report.snapshotSeq()).isEqualTo(snapshotSeq);
        assertThat(report.paramsFromSnapshot()).isEqualTo(atSnapshot.size());
        assertThat(report.entriesReplayed()).isEqualTo(router.sets() - setsBeforeSnapshot);
        assertThat(report.lastSeq()).isEqualTo(latestSeq);
        assertThat(report.complete()).isTrue();
        assertThat(report.entriesMissing()).isZero();
    }

    // ---- recovery -----------------------------------------------------------------------------

    @Test
    void anEmptyJournalRecoversNothingAndSaysSo() {
        InMemoryParamStore store = new InMemoryParamStore();

        RecoveryReport report = recoverInto(journal, store);

        assertThat(store.size()).isZero();
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.NONE);
        assertThat(report.snapshotSeq()).isZero();
        assertThat(report.paramsFromSnapshot()).isZero();
        assertThat(report.entriesReplayed()).isZero();
        assertThat(report.lastSeq()).isZero();
        assertThat(report.complete()).isTrue();
        assertThat(report.duration().isNegative()).isFalse();
    }

    @Test
    void withoutASnapshotRecoveryReplaysEverySetAndSkipsPublishes() throws Exception {
        SimulatedRouter router = new SimulatedRouter(journal);
        router.traffic(new Random(1), SimulatedRouter.params(40), 500);
        router.flush();

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(crashAndReopen(), recovered);

        assertSameState(recovered, router.store.params());
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.NONE);
        assertThat(report.snapshotSeq()).isZero();
        assertThat(report.entriesReplayed()).isEqualTo(500);
        assertThat(report.lastSeq()).isEqualTo(router.sets() + router.publishes());
        assertThat(report.complete()).isTrue();
    }

    @Test
    void afterASnapshotWithoutCompactionOnlyLaterSetsAreReplayed() throws Exception {
        SimulatedRouter router = new SimulatedRouter(journal);
        Random rng = new Random(2);
        List<String> params = SimulatedRouter.params(30);
        router.traffic(rng, params, 300);
        router.flush();
        long snapshotSeq = await(router.hook.saveSnapshot(router.store));
        int paramsAtSnapshot = router.store.size();
        router.traffic(rng, params, 120);
        router.flush();

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(crashAndReopen(), recovered);

        assertSameState(recovered, router.store.params());
        assertThat(await(journal.size())).isEqualTo(router.sets() + router.publishes());
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
        assertThat(report.snapshotSeq()).isEqualTo(snapshotSeq);
        assertThat(report.paramsFromSnapshot()).isEqualTo(paramsAtSnapshot);
        assertThat(report.entriesReplayed()).isEqualTo(120);
        assertThat(report.complete()).isTrue();
    }

    @Test
    void afterASnapshotAndCompactionTheStateIsWholeAndComplete() throws Exception {
        SimulatedRouter router = new SimulatedRouter(journal);
        Random rng = new Random(3);
        List<String> params = SimulatedRouter.params(30);
        router.traffic(rng, params, 300);
        router.flush();
        long snapshotSeq = await(router.hook.saveSnapshot(router.store));
        await(journal.compact(snapshotSeq + 1));
        router.traffic(rng, params, 80);
        router.flush();

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(crashAndReopen(), recovered);

        assertSameState(recovered, router.store.params());
        assertThat(all(journal).get(0).seq()).isEqualTo(snapshotSeq + 1);
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
        assertThat(report.entriesReplayed()).isEqualTo(80);
        assertThat(report.lastSeq()).isEqualTo(await(journal.latestSeq()));
        assertThat(report.complete()).isTrue();
    }

    @Test
    void aSnapshotWithNothingAfterItReportsItsOwnSeqAsTheLast() {
        SimulatedRouter router = new SimulatedRouter(journal);
        router.traffic(new Random(4), SimulatedRouter.params(5), 20);
        router.flush();
        long snapshotSeq = await(router.hook.saveSnapshot(router.store));
        await(journal.compact(snapshotSeq + 1));

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(journal, recovered);

        assertSameState(recovered, router.store.params());
        assertThat(report.entriesReplayed()).isZero();
        assertThat(report.lastSeq()).isEqualTo(snapshotSeq);
        assertThat(report.complete()).isTrue();
    }

    @Test
    void entriesCompactedPastTheSnapshotMakeRecoveryIncompleteNotSilent() {
        SimulatedRouter router = new SimulatedRouter(journal);
        List<String> params = SimulatedRouter.params(5);
        for (int i = 0; i < 10; i++) {
            router.set(params.get(i % 5), Value.of(i), "s");
        }
        router.flush();
        long snapshotSeq = await(router.hook.saveSnapshot(router.store));
        for (int i = 10; i < 20; i++) {
            router.set(params.get(i % 5), Value.of(i), "s");
        }
        router.flush();
        await(journal.compact(snapshotSeq + 4));

        RecoveryReport report = recoverInto(journal, new InMemoryParamStore());

        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
        assertThat(report.complete()).isFalse();
        assertThat(report.entriesMissing()).isEqualTo(3);
        assertThat(report.entriesReplayed()).isEqualTo(7);
    }

    @Test
    void aCompactedJournalWithoutSnapshotIsReportedIncomplete() {
        SimulatedRouter router = new SimulatedRouter(journal);
        for (int i = 0; i < 10; i++) {
            router.set("/p/" + i, Value.of(i), "s");
        }
        router.flush();
        await(journal.compact(11));

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(journal, recovered);

        assertThat(recovered.size()).isZero();
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.NONE);
        assertThat(report.complete()).isFalse();
        assertThat(report.entriesMissing()).isEqualTo(10);
        assertThat(report.lastSeq()).isZero();
    }

    @Test
    void recoveryReadsPageByPageWhateverThePageBoundaries() {
        SimulatedRouter router = new SimulatedRouter(journal);
        router.traffic(new Random(5), SimulatedRouter.params(25), 200);
        router.flush();
        long latest = await(journal.latestSeq());

        for (int pageSize : new int[] {1, 7, (int) latest, (int) latest - 1, (int) latest + 1}) {
            InMemoryParamStore recovered = new InMemoryParamStore();
            RecoveryReport report = await(RouterJournalHook.builder(journal)
                    .recoveryPageSize(pageSize).build().recover(recovered));

            assertSameState(recovered, router.store.params());
            assertThat(report.entriesReplayed()).as("page size %d", pageSize).isEqualTo(200);
            assertThat(report.lastSeq()).isEqualTo(latest);
        }
    }

    @Test
    void recoveringTwiceChangesNothing() {
        SimulatedRouter router = new SimulatedRouter(journal);
        Random rng = new Random(6);
        router.traffic(rng, SimulatedRouter.params(20), 100);
        router.flush();
        await(router.hook.saveSnapshot(router.store));
        router.traffic(rng, SimulatedRouter.params(20), 100);
        router.flush();

        InMemoryParamStore recovered = new InMemoryParamStore();
        recoverInto(journal, recovered);
        recoverInto(journal, recovered);

        assertSameState(recovered, router.store.params());
    }

    @Test
    void recoveryFromAClosedJournalFails() {
        journal.close();

        assertFails(new RouterJournalHook(journal).recover(new InMemoryParamStore()),
                JournalException.Closed.class);
    }

    @Test
    void recoveryIntoNoStoreFailsWithInvalidInput() {
        assertFails(new RouterJournalHook(journal).recover(null), JournalException.InvalidInput.class);
    }

    // ---- recording ----------------------------------------------------------------------------

    @Test
    void recordsCarryTheClocksTimeAndWhatARouterNeedsToRebuildTheMessage() {
        AtomicLong now = new AtomicLong(T0);
        RouterJournalHook hook = RouterJournalHook.builder(journal).clock(now::get).build();

        long setSeq = await(hook.recordSet("/lights/room1/brightness", Value.of(0.75), 3, "session-abc"));
        now.set(T0 + 42);
        long publishSeq = await(hook.recordPublish("/buttons/1/press", SignalType.EVENT, Value.of(true),
                "session-def"));

        assertThat(all(journal)).containsExactly(
                JournalEntry.fromSet("/lights/room1/brightness", Value.of(0.75), 3, "session-abc", T0)
                        .withSeq(setSeq),
                JournalEntry.fromPublish("/buttons/1/press", SignalType.EVENT, Value.of(true),
                        "session-def", T0 + 42).withSeq(publishSeq));
        assertThat(hook.recordedCount()).isEqualTo(2);
        assertThat(hook.failureCount()).isZero();
    }

    @Test
    void theDefaultClockIsTheWallClockInMicroseconds() {
        long before = System.currentTimeMillis() * 1_000;
        await(new RouterJournalHook(journal).recordSet("/a", Value.of(1), 1, "s"));
        long after = (System.currentTimeMillis() + 1) * 1_000;

        assertThat(all(journal).get(0).timestamp()).isBetween(before, after);
    }

    @Test
    void recordsFromOneThreadLandInCallOrder() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            futures.add(i % 3 == 0
                    ? hook.recordPublish("/e/" + (i % 7), SignalType.STREAM, Value.of(i), "s")
                    : hook.recordSet("/p/" + (i % 11), Value.of(i), i, "s"));
        }
        futures.forEach(Await::await);

        List<JournalEntry> entries = all(journal);
        assertThat(entries).extracting(e -> ((Value.Int) e.value()).value())
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 2_000).boxed().toList());
        assertThat(entries).extracting(JournalEntry::seq)
                .containsExactlyElementsOf(futures.stream().map(CompletableFuture::join).toList());
    }

    @Test
    void recordsFromSeveralThreadsKeepEachThreadsOrder() throws Exception {
        RouterJournalHook hook = new RouterJournalHook(journal);
        int threads = 4;
        int perThread = 2_500;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<CompletableFuture<Long>>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String author = "thread-" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<Long>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(i % 2 == 0
                                ? hook.recordSet("/" + author + "/p", Value.of(i), i, author)
                                : hook.recordPublish("/" + author + "/e", SignalType.EVENT, Value.of(i), author));
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (Future<List<CompletableFuture<Long>>> r : results) {
                r.get(30, TimeUnit.SECONDS).forEach(Await::await);
            }
        } finally {
            pool.shutdownNow();
        }

        List<JournalEntry> entries = all(journal);
        assertThat(entries).hasSize(threads * perThread);
        Map<String, List<Long>> valuesByThread = entries.stream().collect(Collectors.groupingBy(
                JournalEntry::author, Collectors.mapping(e -> ((Value.Int) e.value()).value(), Collectors.toList())));
        assertThat(valuesByThread).hasSize(threads);
        List<Long> inOrder = java.util.stream.LongStream.range(0, perThread).boxed().toList();
        valuesByThread.forEach((author, values) -> assertThat(values).as(author).isEqualTo(inOrder));
        assertThat(hook.recordedCount()).isEqualTo(threads * perThread);
    }

    @Test
    void recordingIntoAClosedJournalNeverThrowsAndReachesTheListener() {
        ConcurrentLinkedQueue<JournalFailure> heard = new ConcurrentLinkedQueue<>();
        RouterJournalHook hook = RouterJournalHook.builder(journal).errorListener(heard::add).build();
        journal.close();

        CompletableFuture<Long> set = hook.recordSet("/a", Value.of(1), 1, "s");
        CompletableFuture<Long> publish = hook.recordPublish("/b", SignalType.EVENT, Value.NULL, "s");

        assertFails(set, JournalException.Closed.class);
        assertFails(publish, JournalException.Closed.class);
        assertThat(heard).extracting(JournalFailure::operation)
                .containsExactlyInAnyOrder(Operation.RECORD_SET, Operation.RECORD_PUBLISH);
        assertThat(heard).allSatisfy(f -> {
            assertThat(f.error()).isInstanceOf(JournalException.Closed.class);
            assertThat(f.entry()).isPresent();
        });
        assertThat(heard).filteredOn(f -> f.operation() == Operation.RECORD_SET)
                .singleElement().satisfies(f -> assertThat(f.entry().orElseThrow().address()).isEqualTo("/a"));
        assertThat(hook.failureCount()).isEqualTo(2);
        assertThat(hook.recordedCount()).isZero();
    }

    @Test
    void badArgumentsFailTheFutureWithInvalidInputAndAppendNothing() {
        ConcurrentLinkedQueue<JournalFailure> heard = new ConcurrentLinkedQueue<>();
        RouterJournalHook hook = RouterJournalHook.builder(journal).errorListener(heard::add).build();

        List<CompletableFuture<Long>> futures = new ArrayList<>();
        assertThatCode(() -> {
            futures.add(hook.recordSet(null, Value.of(1), 1, "s"));
            futures.add(hook.recordSet("/a", null, 1, "s"));
            futures.add(hook.recordSet("/a", Value.of(1), 1, null));
            futures.add(hook.recordSet("no-slash", Value.of(1), 1, "s"));
            futures.add(hook.recordSet("/a", Value.of(1), -1, "s"));
            futures.add(hook.recordPublish(null, SignalType.EVENT, Value.of(1), "s"));
            futures.add(hook.recordPublish("/a", null, Value.of(1), "s"));
            futures.add(hook.recordPublish("/a", SignalType.EVENT, null, "s"));
            futures.add(hook.recordPublish("/a", SignalType.EVENT, Value.of(1), null));
            futures.add(hook.recordPublish("", SignalType.EVENT, Value.of(1), "s"));
        }).doesNotThrowAnyException();

        for (CompletableFuture<Long> f : futures) {
            assertFails(f, JournalException.InvalidInput.class);
        }
        assertThat(assertFails(futures.get(0), JournalException.InvalidInput.class)).hasMessageContaining("address");
        assertThat(assertFails(futures.get(6), JournalException.InvalidInput.class)).hasMessageContaining("type");
        assertThat(heard).hasSize(futures.size())
                .allSatisfy(f -> assertThat(f.error()).isInstanceOf(JournalException.InvalidInput.class));
        assertThat(heard.stream().filter(f -> f.entry().isPresent()).map(f -> f.entry().get().address()))
                .containsExactlyInAnyOrder("no-slash", "/a", "");
        assertThat(hook.failureCount()).isEqualTo(futures.size());
        assertThat(hook.recordedCount()).isZero();
        assertThat(await(journal.size())).isZero();
        assertThat(await(journal.latestSeq())).isZero();
    }

    @Test
    void aNegativeClockFailsTheRecordWithInvalidInput() {
        RouterJournalHook hook = RouterJournalHook.builder(journal).clock(() -> -1)
                .errorListener(f -> { }).build();

        assertFails(hook.recordSet("/a", Value.of(1), 1, "s"), JournalException.InvalidInput.class);
        assertThat(hook.failureCount()).isOne();
        assertThat(await(journal.size())).isZero();
    }

    // ---- snapshots ----------------------------------------------------------------------------

    @Test
    void saveSnapshotStoresTheStoreAtTheLatestSeq() {
        SimulatedRouter router = new SimulatedRouter(journal);
        router.traffic(new Random(7), SimulatedRouter.params(10), 50);
        router.flush();

        long seq = await(router.hook.saveSnapshot(router.store));

        assertThat(seq).isEqualTo(await(journal.latestSeq()));
        Snapshot saved = await(journal.latestSnapshot()).orElseThrow();
        assertThat(saved.seq()).isEqualTo(seq);
        assertThat(saved.params()).isEqualTo(router.store.params());
    }

    @Test
    void saveSnapshotOfNoStoreFailsWithInvalidInput() {
        assertFails(new RouterJournalHook(journal).saveSnapshot(null), JournalException.InvalidInput.class);
        assertThat(await(journal.latestSnapshot())).isEmpty();
    }

    @Test
    void snapshotsTakenWhileThreadsRecordNeverLoseASet() throws Exception {
        RouterJournalHook hook = new RouterJournalHook(journal);
        InMemoryParamStore store = new InMemoryParamStore();
        int threads = 3;
        int perThread = 4_000;
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch firstSnapshot = new CountDownLatch(1);
        List<Snapshot> snapshots;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            Future<List<Snapshot>> snapshotter = pool.submit(() -> {
                List<Snapshot> taken = new ArrayList<>();
                do {
                    long seq = await(hook.saveSnapshot(store));
                    Snapshot saved = await(journal.latestSnapshot()).orElseThrow();
                    assertThat(saved.seq()).isEqualTo(seq);
                    taken.add(saved);
                    firstSnapshot.countDown();
                } while (writing.get());
                return taken;
            });
            // The writers start once snapshots are being taken, so that the two overlap.
            assertThat(firstSnapshot.await(30, TimeUnit.SECONDS)).isTrue();
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String author = "writer-" + t;
                writers.add(pool.submit(() -> {
                    List<CompletableFuture<Long>> mine = new ArrayList<>();
                    for (int i = 1; i <= perThread; i++) {
                        String address = "/" + author + "/p" + (i % 40);
                        store.set(address, Value.of(i), i, author, T0 + i);
                        mine.add(hook.recordSet(address, Value.of(i), i, author));
                    }
                    mine.forEach(Await::await);
                }));
            }
            for (Future<?> w : writers) {
                w.get(30, TimeUnit.SECONDS);
            }
            writing.set(false);
            snapshots = snapshotter.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        // Every snapshot, most of them taken while SETs were being recorded, holds every SET
        // with a seq at or below its own: recovery replays only the SETs after it.
        List<JournalEntry> entries = await(journal.since(0, null));
        assertThat(entries).hasSize(threads * perThread);
        assertThat(snapshots).hasSizeGreaterThan(1);
        for (Snapshot snapshot : snapshots) {
            Map<String, Long> covered = new HashMap<>();
            for (JournalEntry e : entries) {
                if (e.seq() <= snapshot.seq()) {
                    covered.merge(e.address(), e.revision().getAsLong(), Math::max);
                }
            }
            Map<String, Long> held = new HashMap<>();
            snapshot.params().forEach(p -> held.put(p.address(), p.revision()));
            covered.forEach((address, revision) -> assertThat(held.getOrDefault(address, -1L))
                    .as("%s in the snapshot at seq %d", address, snapshot.seq())
                    .isGreaterThanOrEqualTo(revision));
        }

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(journal, recovered);

        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
        assertThat(recovered.params()).extracting(p -> p.address() + "@" + p.revision())
                .isEqualTo(store.params().stream().map(p -> p.address() + "@" + p.revision()).toList());
    }

    /**
     * The interleaving that loses a SET unless snapshots hold records back: the store is read,
     * then a SET is applied and recorded, then the journal assigns the snapshot's seq. Here the
     * store itself lets that SET happen, from another thread, right after it was read.
     */
    @Test
    void aSetRecordedWhileASnapshotReadsTheStoreIsNotLost() throws Exception {
        InMemoryParamStore store = new InMemoryParamStore();
        RouterJournalHook hook = new RouterJournalHook(journal);
        store.set("/p", Value.of(1), 1, "s", T0);
        await(hook.recordSet("/p", Value.of(1), 1, "s"));
        ExecutorService writer = Executors.newSingleThreadExecutor();
        List<Future<Long>> lateSet = new ArrayList<>();
        ParamStore racing = new ParamStore() {
            @Override
            public void restore(ParamSnapshot p) {
                store.restore(p);
            }

            @Override
            public List<ParamSnapshot> params() {
                List<ParamSnapshot> state = store.params();
                lateSet.add(writer.submit(() -> {
                    store.set("/p", Value.of(2), 2, "s", T0);
                    return await(hook.recordSet("/p", Value.of(2), 2, "s"));
                }));
                try {
                    // Give the SET every chance to reach the journal before the snapshot does.
                    lateSet.get(0).get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException expectedWhileTheSnapshotHoldsRecordsBack) {
                    // the hook holds the SET back until the snapshot has its seq
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return state;
            }
        };
        try {
            long snapshotSeq = await(hook.saveSnapshot(racing));
            long lateSeq = lateSet.get(0).get(30, TimeUnit.SECONDS);

            assertThat(lateSeq).isGreaterThan(snapshotSeq);
        } finally {
            writer.shutdownNow();
        }
        InMemoryParamStore recovered = new InMemoryParamStore();
        recoverInto(journal, recovered);

        assertThat(recovered.get("/p")).contains(new ParamSnapshot("/p", Value.of(2), 2, "s",
                all(journal).get(1).timestamp()));
    }

    @Test
    void thePolicySnapshotsAfterEveryNRecordedEntries() {
        InMemoryParamStore store = new InMemoryParamStore();
        RouterJournalHook hook = RouterJournalHook.builder(journal)
                .snapshotPolicy(SnapshotPolicy.every(100, store)).build();

        for (int i = 0; i < 99; i++) {
            recordThrough(hook, store, i);
        }
        await(hook.idle());
        assertThat(await(journal.latestSnapshot())).isEmpty();

        recordThrough(hook, store, 99);
        await(hook.idle());
        Snapshot first = await(journal.latestSnapshot()).orElseThrow();
        assertThat(first.seq()).isEqualTo(100);
        assertThat(first.params()).isEqualTo(store.params());

        for (int i = 100; i < 200; i++) {
            recordThrough(hook, store, i);
        }
        await(hook.idle());
        assertThat(await(journal.latestSnapshot()).orElseThrow().seq()).isEqualTo(200);
        assertThat(await(journal.size())).isEqualTo(200);
        assertThat(hook.failureCount()).isZero();
    }

    /** Record number {@code i}: two SETs out of three, the rest PUBLISHes; all count for the policy. */
    private static void recordThrough(RouterJournalHook hook, InMemoryParamStore store, int i) {
        if (i % 3 == 2) {
            await(hook.recordPublish("/e", SignalType.EVENT, Value.of(i), "s"));
        } else {
            String address = "/p/" + (i % 10);
            store.set(address, Value.of(i), i, "s", T0);
            await(hook.recordSet(address, Value.of(i), i, "s"));
        }
    }

    @Test
    void thePolicyCompactsKeepingTheHistoryWindowAndRecoveryStillMatches() throws Exception {
        InMemoryParamStore store = new InMemoryParamStore();
        AtomicLong now = new AtomicLong(T0);
        RouterJournalHook hook = RouterJournalHook.builder(journal).clock(now::get)
                .snapshotPolicy(SnapshotPolicy.every(100, store).compactingKeeping(30)).build();
        Random rng = new Random(8);

        for (int i = 0; i < 100; i++) {
            recordWithClock(hook, store, now, rng, i);
        }
        await(hook.idle());

        assertThat(await(journal.latestSnapshot()).orElseThrow().seq()).isEqualTo(100);
        assertThat(all(journal)).extracting(JournalEntry::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(71, 100).boxed().toList());

        for (int i = 100; i < 150; i++) {
            recordWithClock(hook, store, now, rng, i);
        }
        await(hook.idle());
        assertThat(await(journal.size())).isEqualTo(80);

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(crashAndReopen(), recovered);

        assertSameState(recovered, store.params());
        assertThat(report.snapshotSeq()).isEqualTo(100);
        assertThat(report.entriesReplayed()).isEqualTo(50);
        assertThat(report.complete()).isTrue();
    }

    /** 100 SETs stamped T0+5, T0+10, ... T0+500 µs under {@code policy}; the snapshot at seq 100 then compacts. */
    private List<Long> seqsLeftAfterOneSnapshot(java.util.function.Function<InMemoryParamStore, SnapshotPolicy> policy,
            InMemoryParamStore store) {
        AtomicLong now = new AtomicLong(T0);
        RouterJournalHook hook = RouterJournalHook.builder(journal).clock(now::get)
                .snapshotPolicy(policy.apply(store)).build();
        Random rng = new Random(11);
        for (int i = 0; i < 100; i++) {
            recordWithClock(hook, store, now, rng, i);
        }
        await(hook.idle());
        assertThat(await(journal.latestSnapshot()).orElseThrow().seq()).isEqualTo(100);
        return all(journal).stream().map(JournalEntry::seq).toList();
    }

    private static List<Long> seqs(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void thePolicyCompactsByAgeRemovingOnlyEntriesOlderThanTheAgeThatTheSnapshotCovers() throws Exception {
        InMemoryParamStore store = new InMemoryParamStore();
        // At the snapshot the clock reads T0+500: 200 µs keeps the entries stamped T0+300 and later (seq 60 on).
        assertThat(seqsLeftAfterOneSnapshot(s -> SnapshotPolicy.every(100, s)
                .compactingOlderThan(java.time.Duration.ofNanos(200_000)), store)).isEqualTo(seqs(60, 100));

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(crashAndReopen(), recovered);
        assertSameState(recovered, store.params());
        assertThat(report.complete()).isTrue();
    }

    @Test
    void byAgeAndByCountAnEntryStaysWhileEitherRuleKeepsIt() {
        // The age keeps more (seq 60 on) than the count (71 on).
        assertThat(seqsLeftAfterOneSnapshot(s -> SnapshotPolicy.every(100, s).compactingKeeping(30)
                .compactingOlderThan(java.time.Duration.ofNanos(200_000)), new InMemoryParamStore()))
                .isEqualTo(seqs(60, 100));
    }

    @Test
    void byCountAndByAgeTheCountKeepsMoreWhenTheAgeIsShort() {
        // The age alone would keep seq 80 on; the count keeps 71 on.
        assertThat(seqsLeftAfterOneSnapshot(s -> SnapshotPolicy.every(100, s)
                .compactingOlderThan(java.time.Duration.ofNanos(100_000)).compactingKeeping(30),
                new InMemoryParamStore())).isEqualTo(seqs(71, 100));
    }

    @Test
    void anAgeOfZeroRemovesWhatTheSnapshotCoversAndNothingAfterIt() throws Exception {
        InMemoryParamStore store = new InMemoryParamStore();
        AtomicLong now = new AtomicLong(T0);
        RouterJournalHook hook = RouterJournalHook.builder(journal).clock(now::get)
                .snapshotPolicy(SnapshotPolicy.every(100, store).compactingOlderThan(java.time.Duration.ZERO)).build();
        Random rng = new Random(12);
        for (int i = 0; i < 100; i++) {
            recordWithClock(hook, store, now, rng, i);
        }
        // While the snapshot runs, 20 more entries come, each older than the clock when the
        // compaction reads it: those after the snapshot's seq stay all the same.
        now.addAndGet(1_000_000);
        for (int i = 100; i < 120; i++) {
            recordWithClock(hook, store, now, rng, i);
        }
        await(hook.idle());
        long snapshotSeq = await(journal.latestSnapshot()).orElseThrow().seq();
        assertThat(snapshotSeq).isBetween(100L, 120L);
        List<Long> left = all(journal).stream().map(JournalEntry::seq).toList();
        // Nothing after the snapshot's seq goes, however old its stamp.
        assertThat(left).containsAll(seqs(snapshotSeq + 1, 120));
        // Of what it covers, everything goes but, at most, the entry stamped with the clock's
        // reading when the compaction read it (not older than that): the snapshot's own last
        // entry, if the compaction ran before the next one was stamped.
        assertThat(left.stream().filter(seq -> seq <= snapshotSeq).toList())
                .isSubsetOf(List.of(snapshotSeq));

        InMemoryParamStore recovered = new InMemoryParamStore();
        recoverInto(crashAndReopen(), recovered);
        assertSameState(recovered, store.params());
    }

    @Test
    void entriesStampedOutOfOrderStopTheAgeCutAtTheFirstYoungOne() {
        InMemoryParamStore store = new InMemoryParamStore();
        AtomicLong now = new AtomicLong(T0);
        RouterJournalHook hook = RouterJournalHook.builder(journal).clock(now::get)
                .snapshotPolicy(SnapshotPolicy.every(100, store).compactingOlderThan(java.time.Duration.ofSeconds(1)))
                .build();
        Random rng = new Random(13);
        for (int i = 0; i < 100; i++) {
            if (i == 10) {
                now.set(T0 + 10_000_000 - 5); // seq 11 is stamped T0 + 10 s: young at the snapshot
                recordWithClock(hook, store, now, rng, i);
                now.set(T0 + 50); // the clock goes back: seqs 12..99 are old again
                continue;
            }
            if (i == 99) {
                now.set(T0 + 5_000_000); // the snapshot after seq 100 reads T0 + 5 s: the cutoff is T0 + 4 s
            }
            recordWithClock(hook, store, now, rng, i);
        }
        await(hook.idle());
        // Only the old prefix before seq 11 goes; the old entries after it stay for a later compaction.
        assertThat(all(journal)).extracting(JournalEntry::seq).isEqualTo(seqs(11, 100));
    }

    private static void recordWithClock(RouterJournalHook hook, InMemoryParamStore store, AtomicLong now,
            Random rng, int revision) {
        String address = "/p/" + rng.nextInt(12);
        Value value = SimulatedRouter.someValue(rng);
        long ts = now.addAndGet(5);
        store.set(address, value, revision, "s", ts);
        await(hook.recordSet(address, value, revision, "s"));
    }

    @Test
    void aRouterUnderAnAutomaticPolicyRecoversItsExactState() throws Exception {
        SimulatedRouter router = new SimulatedRouter(journal, (builder, store) -> builder.snapshotPolicy(
                SnapshotPolicy.every(1_000, store).compactingKeeping(500)));

        router.traffic(new Random(9), SimulatedRouter.params(200), 12_345);
        router.flush();
        await(router.hook.idle());

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = recoverInto(crashAndReopen(), recovered);

        assertSameState(recovered, router.store.params());
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
        assertThat(report.snapshotSeq()).isGreaterThanOrEqualTo(12_000);
        assertThat(report.complete()).isTrue();
        assertThat(await(journal.size())).isLessThan(router.sets() + router.publishes());
        assertThat(router.hook.failureCount()).isZero();
    }

    // ---- replay -------------------------------------------------------------------------------

    /** A session allowed to read /lights/... but not /lights/secret/... */
    private static final Predicate<String> LIGHTS_ONLY =
            s -> s.startsWith("/lights/") && !s.startsWith("/lights/secret/");

    private void recordMixedAddresses(RouterJournalHook hook) {
        List<String> addresses = List.of("/lights/room1/brightness", "/admin/users", "/lights/room2/color",
                "/lights/secret/code", "/audio/master", "/lights/room1/brightness");
        for (int i = 0; i < addresses.size(); i++) {
            await(i % 2 == 0
                    ? hook.recordSet(addresses.get(i), Value.of(i), i + 1, "s")
                    : hook.recordPublish(addresses.get(i), SignalType.EVENT, Value.of(i), "s"));
        }
    }

    @Test
    void replayRefusesPatternsOutsideTheSessionsScope() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);

        for (String pattern : List.of("/**", "/admin/**", "/lights/secret/**", "!/admin/**", "/{lights,admin}/**")) {
            assertThat(assertFails(hook.replay(JournalQuery.of(pattern), LIGHTS_ONLY),
                    JournalException.AccessDenied.class)).as(pattern).hasMessageContaining(pattern);
        }
    }

    @Test
    void followRefusesPatternsOutsideTheSessionsScopeThroughOnError() throws Exception {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);

        for (String pattern : List.of("/**", "/admin/**", "/lights/secret/**", "!/admin/**")) {
            Recorder r = new Recorder(10);
            hook.follow(JournalQuery.of(pattern), 0, LIGHTS_ONLY).subscribe(r);
            r.awaitTerminated();
            assertThat(r.error()).as(pattern).isInstanceOf(JournalException.AccessDenied.class)
                    .hasMessageContaining(pattern);
            assertThat(r.entries()).isEmpty();
            assertThat(r.sawSignalsOutOfPlace()).isFalse();
        }
    }

    @Test
    void followDeliversOnlyReadableEntriesThenStaysLiveWithinTheRequests() throws Exception {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);
        Recorder r = new Recorder(2);
        hook.follow(JournalQuery.of("/lights/**"), 0, LIGHTS_ONLY).subscribe(r);

        r.awaitEntries(2);
        Thread.sleep(50);
        assertThat(r.entries()).extracting(JournalEntry::seq).containsExactly(1L, 3L);
        r.request(10);
        r.awaitEntries(3);
        recordMixedAddresses(hook);
        r.awaitEntries(6);
        assertThat(r.entries()).extracting(JournalEntry::seq).containsExactly(1L, 3L, 6L, 7L, 9L, 12L);
        assertThat(r.entries()).extracting(JournalEntry::address).allMatch(LIGHTS_ONLY);
        assertThat(r.error()).isNull();
        r.cancel();

        Recorder limited = new Recorder(Long.MAX_VALUE);
        hook.follow(JournalQuery.of("/lights/**").limit(4), 0, LIGHTS_ONLY).subscribe(limited);
        limited.awaitTerminated();
        assertThat(limited.completed()).isTrue();
        assertThat(limited.entries()).extracting(JournalEntry::seq).containsExactly(1L, 3L, 6L, 7L);
        assertThat(limited.sawSignalsOutOfPlace()).isFalse();
    }

    @Test
    void followReportsBadArgumentsAndScopeFailuresThroughOnError() throws Exception {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);
        RuntimeException broken = new IllegalStateException("scope service down");
        Predicate<String> failsOnEntries = a -> {
            if (a.startsWith("/lights/room2")) {
                throw broken;
            }
            return a.startsWith("/lights/");
        };

        List<Consumer<Recorder>> badCalls = List.of(
                r -> hook.follow(null, 0, LIGHTS_ONLY).subscribe(r),
                r -> hook.follow(JournalQuery.of("/lights/**"), 0, null).subscribe(r),
                r -> hook.follow(JournalQuery.of("/lights/**").descending(), 0, LIGHTS_ONLY).subscribe(r),
                r -> hook.follow(JournalQuery.of("/lights/**"), -1, LIGHTS_ONLY).subscribe(r));
        for (Consumer<Recorder> call : badCalls) {
            Recorder bad = new Recorder(1);
            call.accept(bad);
            assertThat(bad.awaitTerminated().error()).isInstanceOf(JournalException.InvalidInput.class);
            assertThat(bad.entries()).isEmpty();
        }
        Recorder r = new Recorder(10);
        hook.follow(JournalQuery.of("/lights/**"), 0, failsOnEntries).subscribe(r);
        assertThat(r.awaitTerminated().error()).isSameAs(broken);
        assertThat(r.entries()).extracting(JournalEntry::seq).containsExactly(1L);
        assertThatCode(() -> hook.follow(JournalQuery.of("/lights/**"), 0, LIGHTS_ONLY).subscribe(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void replayReturnsOnlyTheReadableEntriesWithWhatRebuildsTheMessage() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);

        List<JournalEntry> replayed = await(hook.replay(JournalQuery.of("/lights/**"), LIGHTS_ONLY));

        assertThat(replayed).extracting(JournalEntry::address)
                .containsExactly("/lights/room1/brightness", "/lights/room2/color", "/lights/room1/brightness");
        assertThat(replayed).extracting(JournalEntry::msgType)
                .containsExactly(JournalEntry.MSG_SET, JournalEntry.MSG_SET, JournalEntry.MSG_PUBLISH);
        assertThat(replayed).extracting(JournalEntry::revision)
                .containsExactly(OptionalLong.of(1), OptionalLong.of(3), OptionalLong.empty());
        assertThat(replayed).extracting(JournalEntry::seq).containsExactly(1L, 3L, 6L);
    }

    @Test
    void aSessionScopedToLightsByAnAddressPatternGetsOnlyLights() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);
        Predicate<String> lights = a -> AddressPattern.matches("/lights/**", a);

        for (String pattern : List.of("/**", "/admin/**", "!/lights/**", "/{lights,admin}/**", "/*/room1/*")) {
            assertFails(hook.replay(JournalQuery.of(pattern), lights), JournalException.AccessDenied.class);
        }
        assertThat(await(hook.replay(JournalQuery.of("/lights/**"), lights))).extracting(JournalEntry::address)
                .containsExactly("/lights/room1/brightness", "/lights/room2/color", "/lights/secret/code",
                        "/lights/room1/brightness");
        assertThat(await(hook.replay(JournalQuery.of("/lights/*/color"), lights))).extracting(JournalEntry::address)
                .containsExactly("/lights/room2/color");
    }

    @Test
    void replayWithAnAddressPatternScopeFiltersEntriesOutsideIt() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);
        Predicate<String> scope = a -> AddressPattern.matches("/lights/room1/**", a);

        assertFails(hook.replay(JournalQuery.of("/lights/**"), scope), JournalException.AccessDenied.class);
        assertThat(await(hook.replay(JournalQuery.of("/lights/room1/**"), scope)))
                .extracting(JournalEntry::address).containsOnly("/lights/room1/brightness").hasSize(2);
    }

    @Test
    void replayLeavesOutEntriesTheSessionMayNotReadEvenForAnAcceptedPattern() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        recordMixedAddresses(hook);
        Predicate<String> allButSecrets = s -> !s.contains("/secret/") && !s.startsWith("/admin/");

        List<JournalEntry> replayed = await(hook.replay(JournalQuery.of("/**"), allButSecrets));

        assertThat(replayed).extracting(JournalEntry::address).containsExactly("/lights/room1/brightness",
                "/lights/room2/color", "/audio/master", "/lights/room1/brightness");
        assertThat(replayed).extracting(JournalEntry::seq).containsExactly(1L, 3L, 5L, 6L);
    }

    @Test
    void replaysLimitCountsReadableEntriesSoTheNewestNAreReturned() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        for (int i = 1; i <= 40; i++) {
            String address = i <= 10 ? "/open/" + i : "/secret/" + i;
            await(hook.recordSet(address, Value.of(i), i, "s"));
        }
        Predicate<String> noSecrets = s -> !s.startsWith("/secret/");

        List<JournalEntry> newest = await(hook.replay(JournalQuery.of("/**").descending().limit(3), noSecrets));
        List<JournalEntry> oldest = await(hook.replay(JournalQuery.of("/**").limit(3), noSecrets));
        List<JournalEntry> none = await(hook.replay(JournalQuery.of("/**").limit(0), noSecrets));
        List<JournalEntry> more = await(hook.replay(JournalQuery.of("/**").descending().limit(25), noSecrets));

        assertThat(newest).extracting(JournalEntry::seq).containsExactly(10L, 9L, 8L);
        assertThat(oldest).extracting(JournalEntry::seq).containsExactly(1L, 2L, 3L);
        assertThat(none).isEmpty();
        assertThat(more).hasSize(10);
    }

    @Test
    void replayWithNullArgumentsFailsWithInvalidInput() {
        RouterJournalHook hook = new RouterJournalHook(journal);

        assertFails(hook.replay(null, s -> true), JournalException.InvalidInput.class);
        assertFails(hook.replay(JournalQuery.of("/**"), null), JournalException.InvalidInput.class);
    }

    @Test
    void replayFromAClosedJournalFailsWithClosed() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        journal.close();

        assertFails(hook.replay(JournalQuery.of("/**"), s -> true), JournalException.Closed.class);
    }

    @Test
    void aScopeThatThrowsFailsTheReplay() {
        RouterJournalHook hook = new RouterJournalHook(journal);
        await(hook.recordSet("/a", Value.of(1), 1, "s"));

        assertFails(hook.replay(JournalQuery.of("/**"), s -> {
            throw new IllegalStateException("scope lookup failed");
        }), IllegalStateException.class);
        assertFails(hook.replay(JournalQuery.of("/**"), s -> {
            if (s.equals("/a")) {
                throw new IllegalStateException("scope lookup failed");
            }
            return true;
        }), IllegalStateException.class);
    }
}
