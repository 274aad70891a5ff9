package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Value;

/**
 * A cluster on one shared journal: three writers, each with a journal of its own on the same
 * storage, append SETs to the same addresses while a fourth checkpoints and compacts up to each
 * checkpoint; then the same with three {@link RouterJournalHook}s on a shared journal with a
 * {@link SnapshotPolicy}. A fresh journal's recovery must give the fold of every acknowledged
 * SET, none lost, and compaction must keep the table bounded. A backend's test says how to open
 * one more journal on its storage.
 *
 * <p>{@value #SETS_PER_WRITER} SETs per writer, as in the issue (three writers: 60,000); the
 * system property {@code clasp.journal.clusterSets} sets another count.
 */
abstract class SharedJournalClusterContract {

    static final int SETS_PER_WRITER = 20_000;
    private static final int WRITERS = 3;
    private static final int ADDRESSES = 500;
    private static final int IN_FLIGHT = 200;
    private static final long T0 = 1_708_500_000_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** Opens one more journal on the storage under test, empty the first time. */
    protected abstract Journal openShared();

    /** A journal of the same storage that nobody else uses: a fresh router's. */
    protected Journal openFresh() {
        return openShared();
    }

    private static int setsPerWriter() {
        return Integer.getInteger("clasp.journal.clusterSets", SETS_PER_WRITER);
    }

    private static <T> T done(CompletableFuture<T> future) {
        return future.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** What recovery builds from these entries: per address the highest revision, first applied of equal ones. */
    private static List<ParamSnapshot> foldOf(List<JournalEntry> entries) {
        List<JournalEntry> bySeq = new ArrayList<>(entries);
        bySeq.sort(Comparator.comparingLong(JournalEntry::seq));
        TreeMap<String, ParamSnapshot> state = new TreeMap<>();
        for (JournalEntry e : bySeq) {
            ParamSnapshot held = state.get(e.address());
            if (held == null || e.revision().getAsLong() > held.revision()) {
                state.put(e.address(), new ParamSnapshot(e.address(), e.value(), e.revision().getAsLong(),
                        e.author(), e.timestamp()));
            }
        }
        return List.copyOf(state.values());
    }

    /** The SET writer {@code w} makes {@code i}-th: addresses shared by every writer, revisions that tie across writers. */
    private static JournalEntry set(int w, int i, long timestamp) {
        return JournalEntry.fromSet("/cluster/" + (i % ADDRESSES), Value.of(w * 1_000_000L + i), i / 7,
                "w" + w, timestamp);
    }

    /**
     * Checkpoints, and compacts up to each checkpoint, until told to stop. Returns the most
     * entries any compaction left at or below its checkpoint's seq: the entries held then, less
     * those above the checkpoint (seqs are dense, so at most {@code latestSeq - checkpoint} of
     * them), read after the count so that appends in between only lower the figure.
     */
    private static long checkpointAndCompact(Journal journal, AtomicBoolean stop, AtomicLong checkpoints) {
        long mostLeftBehind = 0;
        while (!stop.get()) {
            Snapshot checkpoint = done(journal.checkpoint());
            done(journal.compact(checkpoint.seq() + 1));
            checkpoints.incrementAndGet();
            long held = done(journal.size());
            long above = done(journal.latestSeq()) - checkpoint.seq();
            mostLeftBehind = Math.max(mostLeftBehind, held - above);
        }
        return mostLeftBehind;
    }

    private static void recoversEveryAcknowledgedSet(Journal fresh, List<JournalEntry> acknowledged) {
        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = done(new RouterJournalHook(fresh).recover(recovered));
        assertThat(report.complete()).as("nothing recovery needs was compacted").isTrue();
        assertThat(recovered.params()).isEqualTo(foldOf(acknowledged));
        assertThat(recovered.params()).hasSize(ADDRESSES);
    }

    @Test
    void writersAppendWhileAFourthCheckpointsAndCompacts() throws Exception {
        int n = setsPerWriter();
        List<Journal> journals = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
        try {
            for (int w = 0; w <= WRITERS; w++) {
                journals.add(openShared());
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong checkpoints = new AtomicLong();
            Future<Long> maintenance = pool.submit(() -> checkpointAndCompact(journals.get(WRITERS), stop, checkpoints));
            List<Future<List<JournalEntry>>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Journal journal = journals.get(w);
                int writer = w;
                writers.add(pool.submit(() -> {
                    List<JournalEntry> acknowledged = new ArrayList<>(n);
                    for (int from = 0; from < n; from += IN_FLIGHT) {
                        List<JournalEntry> batch = new ArrayList<>(IN_FLIGHT);
                        List<CompletableFuture<Long>> seqs = new ArrayList<>(IN_FLIGHT);
                        for (int i = from; i < Math.min(n, from + IN_FLIGHT); i++) {
                            batch.add(set(writer, i, T0 + i));
                            seqs.add(journal.append(batch.get(batch.size() - 1)));
                        }
                        for (int k = 0; k < batch.size(); k++) {
                            acknowledged.add(batch.get(k).withSeq(done(seqs.get(k))));
                        }
                    }
                    return acknowledged;
                }));
            }
            List<JournalEntry> acknowledged = new ArrayList<>();
            for (Future<List<JournalEntry>> w : writers) {
                acknowledged.addAll(w.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            stop.set(true);
            long mostLeftBehind = maintenance.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(acknowledged).hasSize(WRITERS * n);
            assertThat(acknowledged).extracting(JournalEntry::seq).doesNotHaveDuplicates();
            assertThat(checkpoints.get()).as("checkpoints taken while the writers ran").isPositive();
            // The table stays bounded by the checkpoints: each compaction removed everything its
            // checkpoint covers, whatever the writers appended meanwhile. (How far the checkpoints
            // keep up with the writers depends on the machine's load, so it is not asserted.)
            assertThat(mostLeftBehind).as("entries left at or below a checkpoint after compacting up to it")
                    .isLessThanOrEqualTo(0);
            Journal maintainer = journals.get(WRITERS);
            done(maintainer.compact(done(maintainer.checkpoint()).seq() + 1));
            assertThat(done(maintainer.size())).isZero();
            try (Journal fresh = openFresh()) {
                recoversEveryAcknowledgedSet(fresh, acknowledged);
            }
        } finally {
            pool.shutdownNow();
            journals.forEach(Journal::close);
        }
    }

    @Test
    void routersWithASnapshotPolicyOnASharedJournalLoseNothing() throws Exception {
        int n = setsPerWriter();
        List<Journal> journals = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<List<JournalEntry>>> routers = new ArrayList<>();
            List<RouterJournalHook> hooks = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Journal journal = openShared();
                journals.add(journal);
                InMemoryParamStore own = new InMemoryParamStore();
                RouterJournalHook hook = RouterJournalHook.builder(journal).sharedJournal(true).clock(() -> T0)
                        .snapshotPolicy(SnapshotPolicy.every(n / 4, own).compactingKeeping(0))
                        .build();
                hooks.add(hook);
                int router = w;
                routers.add(pool.submit(() -> {
                    List<JournalEntry> acknowledged = new ArrayList<>(n);
                    for (int from = 0; from < n; from += IN_FLIGHT) {
                        List<JournalEntry> batch = new ArrayList<>(IN_FLIGHT);
                        List<CompletableFuture<Long>> seqs = new ArrayList<>(IN_FLIGHT);
                        for (int i = from; i < Math.min(n, from + IN_FLIGHT); i++) {
                            JournalEntry e = set(router, i, T0); // the hooks' clock
                            own.set(e.address(), e.value(), e.revision().getAsLong(), e.author(), e.timestamp());
                            batch.add(e);
                            seqs.add(hook.recordSet(e.address(), e.value(), e.revision().getAsLong(), e.author()));
                        }
                        for (int k = 0; k < batch.size(); k++) {
                            acknowledged.add(batch.get(k).withSeq(done(seqs.get(k))));
                        }
                    }
                    return acknowledged;
                }));
            }
            List<JournalEntry> acknowledged = new ArrayList<>();
            for (Future<List<JournalEntry>> r : routers) {
                acknowledged.addAll(r.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            for (RouterJournalHook hook : hooks) {
                done(hook.idle());
                assertThat(hook.failureCount()).isZero();
            }
            assertThat(acknowledged).hasSize(WRITERS * n);
            // Each router checkpointed at least three times and compacted after each: the
            // entries after the newest checkpoint are all that is left.
            Snapshot newest = done(journals.get(0).latestSnapshot()).orElseThrow();
            assertThat(newest.seq()).isGreaterThanOrEqualTo(WRITERS * n / 2L);
            assertThat(done(journals.get(0).size())).isLessThanOrEqualTo(WRITERS * n - newest.seq());
            try (Journal fresh = openFresh()) {
                recoversEveryAcknowledgedSet(fresh, acknowledged);
                InMemoryParamStore recovered = new InMemoryParamStore();
                RecoveryReport report = done(new RouterJournalHook(fresh).recover(recovered));
                assertThat(report.snapshotSeq()).as("recovery starts from a checkpoint").isPositive();
                assertThat(report.entriesReplayed()).as("and replays only the tail")
                        .isLessThanOrEqualTo(WRITERS * n - report.snapshotSeq());
            }
        } finally {
            pool.shutdownNow();
            journals.forEach(Journal::close);
        }
    }
}
