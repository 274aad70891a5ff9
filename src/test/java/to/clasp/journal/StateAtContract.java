package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RouterJournalHook;

/**
 * {@link Journal#stateAt(long)}, part of the contract every backend runs (through
 * {@link JournalContract}, and on its own for configurations the contract does not open).
 * Every answer is compared with {@link Model}, a fold of what the test itself appended and
 * snapshotted, written here from the rules of {@code RouterJournalHook.recover} and
 * {@code InMemoryParamStore.restore}, not with the library's fold.
 */
interface StateAtContract {

    Duration WAIT = Duration.ofSeconds(30);
    long T0 = 1_708_500_000_000_000L;

    /** The fresh journal under test, open for the length of the test. */
    Journal journal();

    /** How many of the newest snapshots the journal under test keeps. */
    default int snapshotsKept() {
        Journal j = journal();
        if (j instanceof MemoryJournal) {
            return 1;
        }
        if (j instanceof SqliteJournal) {
            return SqliteJournal.DEFAULT_SNAPSHOTS_TO_KEEP;
        }
        if (j instanceof PostgresJournal) {
            return PostgresJournal.DEFAULT_SNAPSHOTS_TO_KEEP;
        }
        throw new IllegalStateException("say how many snapshots " + j + " keeps");
    }

    private static <T> T await(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(WAIT);
        return future.join();
    }

    private static <E extends JournalException> E failure(CompletableFuture<?> future, Class<E> type) {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        assertThat(future).failsWithin(WAIT).withThrowableThat()
                .satisfies(t -> cause.set(t.getCause()))
                .havingCause().isInstanceOf(type);
        return type.cast(cause.get());
    }

    /**
     * What the test wrote, and the state it expects at each seq. Independent of the library:
     * per address the higher revision wins and a tie keeps the state applied first; SETs without
     * a revision and every other message type change nothing.
     */
    final class Model {
        final Journal journal;
        final int kept;
        final List<JournalEntry> entries = new ArrayList<>();
        final List<Snapshot> snapshots = new ArrayList<>();
        long oldestHeld = 1;

        Model(Journal journal, int kept) {
            this.journal = journal;
            this.kept = kept;
        }

        long latestSeq() {
            return entries.size();
        }

        void append(JournalEntry e) {
            long seq = await(journal.append(e));
            assertThat(seq).isEqualTo(entries.size() + 1L);
            entries.add(e.withSeq(seq));
        }

        /** Appends from this thread without waiting for each: seqs still follow call order. */
        void appendAll(List<JournalEntry> batch) {
            List<CompletableFuture<Long>> seqs = new ArrayList<>(batch.size());
            batch.forEach(e -> seqs.add(journal.append(e)));
            for (int i = 0; i < batch.size(); i++) {
                long seq = await(seqs.get(i));
                assertThat(seq).isEqualTo(entries.size() + 1L);
                entries.add(batch.get(i).withSeq(seq));
            }
        }

        /** Takes a snapshot of {@code params} and returns it as stored, with its createdAt. */
        Snapshot snapshot(List<ParamSnapshot> params) {
            long seq = await(journal.snapshot(params));
            assertThat(seq).isEqualTo(latestSeq());
            Snapshot stored = await(journal.latestSnapshot()).orElseThrow();
            assertThat(stored.seq()).isEqualTo(seq);
            snapshots.add(stored);
            return stored;
        }

        void compact(long beforeSeq) {
            await(journal.compact(beforeSeq));
            oldestHeld = Math.max(oldestHeld, Math.min(beforeSeq, latestSeq() + 1));
        }

        /** The newest of the kept snapshots at or below {@code seq}. */
        Optional<Snapshot> base(long seq) {
            for (int i = snapshots.size() - 1; i >= Math.max(0, snapshots.size() - kept); i--) {
                if (snapshots.get(i).seq() <= seq) {
                    return Optional.of(snapshots.get(i));
                }
            }
            return Optional.empty();
        }

        /** The expected state as of {@code seq}, or empty when it is Truncated. */
        Optional<Snapshot> stateAt(long seq) {
            Optional<Snapshot> base = base(seq);
            long from = base.map(Snapshot::seq).orElse(0L);
            if (from < seq && oldestHeld > from + 1) {
                return Optional.empty();
            }
            return Optional.of(fold(base, seq));
        }

        /** The fold itself, whatever was compacted. */
        Snapshot fold(Optional<Snapshot> base, long seq) {
            long from = base.map(Snapshot::seq).orElse(0L);
            TreeMap<String, ParamSnapshot> state = new TreeMap<>();
            base.ifPresent(s -> s.params().forEach(p -> keepHigher(state, p)));
            for (JournalEntry e : entries) {
                if (e.seq() > from && e.seq() <= seq && e.msgType() == JournalEntry.MSG_SET
                        && e.revision().isPresent()) {
                    keepHigher(state, new ParamSnapshot(e.address(), e.value(), e.revision().getAsLong(),
                            e.author(), e.timestamp()));
                }
            }
            return new Snapshot(seq, base.map(Snapshot::createdAt).orElse(0L), List.copyOf(state.values()));
        }

        /** The state the entries alone give at the latest seq. */
        List<ParamSnapshot> currentParams() {
            return fold(Optional.empty(), latestSeq()).params();
        }

        private static void keepHigher(Map<String, ParamSnapshot> state, ParamSnapshot p) {
            ParamSnapshot held = state.get(p.address());
            if (held == null || p.revision() > held.revision()) {
                state.put(p.address(), p);
            }
        }

        /** Asserts that the journal answers {@code seq} as the model does. */
        void check(long seq) {
            CompletableFuture<Snapshot> answer = journal.stateAt(seq);
            Optional<Snapshot> expected = stateAt(seq);
            if (expected.isPresent()) {
                assertThat(answer).as("stateAt(%d)", seq).succeedsWithin(WAIT).isEqualTo(expected.get());
            } else {
                long from = base(seq).map(Snapshot::seq).orElse(0L);
                JournalException.Truncated gone = failure(answer, JournalException.Truncated.class);
                assertThat(gone.firstMissed()).as("stateAt(%d).firstMissed", seq).isEqualTo(from + 1);
                assertThat(gone.oldestHeld()).as("stateAt(%d).oldestHeld", seq).isEqualTo(oldestHeld);
            }
        }

        void checkEverySeq() {
            for (long seq = 0; seq <= latestSeq(); seq++) {
                check(seq);
            }
        }
    }

    private Model model() {
        return new Model(journal(), snapshotsKept());
    }

    /** SETs and PUBLISHes of every kind the fold must apply or skip, from a seeded generator. */
    private static void appendMixed(Model m, Random rnd, int n) {
        String[] addresses = {"/s/a", "/s/B", "/s/b", "/s/a/x", "/s/\u00e9", "/s/z"};
        for (int k = 0; k < n; k++) {
            int i = m.entries.size();
            String address = addresses[rnd.nextInt(addresses.length)];
            long ts = T0 + i * 1_000L;
            String author = "w" + rnd.nextInt(3);
            Value value = switch (rnd.nextInt(3)) {
                case 0 -> Value.of(i);
                case 1 -> Value.of(i + 0.5);
                default -> Value.of("v" + i);
            };
            int kind = rnd.nextInt(20);
            JournalEntry e;
            if (kind < 13) {
                // Small revisions, so that ties and lower revisions are frequent.
                e = JournalEntry.fromSet(address, value, rnd.nextInt(12), author, ts);
            } else if (kind < 17) {
                e = JournalEntry.fromPublish(address, SignalType.EVENT, value, author, ts);
            } else if (kind == 17) {
                e = new JournalEntry(0, ts, author, address, SignalType.PARAM, value, OptionalLong.empty(),
                        JournalEntry.MSG_SET);
            } else if (kind == 18) {
                e = new JournalEntry(0, ts, author, address, SignalType.STREAM, value, OptionalLong.of(50),
                        JournalEntry.MSG_SET);
            } else {
                e = new JournalEntry(0, ts, author, address, SignalType.PARAM, value, OptionalLong.of(99), 0x42);
            }
            m.append(e);
        }
    }

    /**
     * A snapshot that is not the entries' own state, so that the answer shows which snapshot it
     * started from: a marker param, a param at a revision above any SET's, and a duplicate
     * address at an equal revision (the first must win).
     */
    private static Snapshot snapshotMarked(Model m, int mark) {
        List<ParamSnapshot> params = new ArrayList<>(m.currentParams());
        params.add(new ParamSnapshot("/snap/mark", Value.of(mark), mark, "snap", T0 + mark));
        params.add(new ParamSnapshot("/s/z", Value.of("high" + mark), 1_000 + mark, "snap", T0));
        params.add(new ParamSnapshot("/snap/dup", Value.of("first" + mark), 7, "snap", T0));
        params.add(new ParamSnapshot("/snap/dup", Value.of("second" + mark), 7, "snap", T0));
        return m.snapshot(params);
    }

    // ---- tests ------------------------------------------------------------------------------

    @Test
    default void stateAtMatchesAnIndependentFoldAtEverySeq() {
        Model m = model();
        Random rnd = new Random(42);
        appendMixed(m, rnd, 30);
        for (int mark = 1; mark <= 6; mark++) {
            snapshotMarked(m, mark);
            appendMixed(m, rnd, 10 + rnd.nextInt(25));
        }
        // Two snapshots at the same seq: the one taken last counts.
        snapshotMarked(m, 7);
        snapshotMarked(m, 8);
        appendMixed(m, rnd, 12);
        m.checkEverySeq();
    }

    @Test
    default void seqsRightBeforeAtAndAfterEachSnapshot() {
        Model m = model();
        Random rnd = new Random(7);
        List<Long> snapshotSeqs = new ArrayList<>();
        for (int mark = 1; mark <= 4; mark++) {
            appendMixed(m, rnd, 20);
            snapshotSeqs.add(snapshotMarked(m, mark).seq());
        }
        appendMixed(m, rnd, 5);
        for (long s : snapshotSeqs) {
            m.check(s - 1);
            m.check(s);
            m.check(s + 1);
        }
        // At a kept snapshot's seq with nothing after it, the answer is that snapshot's state,
        // one param per address, sorted.
        Snapshot newest = m.snapshots.get(m.snapshots.size() - 1);
        Snapshot at = await(journal().stateAt(newest.seq()));
        assertThat(at.createdAt()).isEqualTo(newest.createdAt());
        assertThat(at.params()).extracting(ParamSnapshot::address).isSorted().doesNotHaveDuplicates();
        assertThat(at.params()).filteredOn(p -> p.address().equals("/snap/dup"))
                .singleElement().extracting(ParamSnapshot::value).isEqualTo(Value.of("first4"));
    }

    @Test
    default void seqZeroIsTheEmptyStateWithoutASnapshotAtZero() {
        Model m = model();
        assertThat(await(journal().stateAt(0))).isEqualTo(new Snapshot(0, 0, List.of()));
        appendMixed(m, new Random(1), 10);
        assertThat(await(journal().stateAt(0))).isEqualTo(new Snapshot(0, 0, List.of()));
        // Compacting everything leaves seq 0 answerable: it needs no entry.
        m.compact(m.latestSeq() + 1);
        assertThat(await(journal().stateAt(0))).isEqualTo(new Snapshot(0, 0, List.of()));
    }

    @Test
    default void aSnapshotTakenBeforeAnyAppendIsTheStateAtZero() {
        Model m = model();
        Snapshot first = m.snapshot(List.of(new ParamSnapshot("/boot/x", Value.of(1), 3, "boot", T0)));
        assertThat(first.seq()).isZero();
        appendMixed(m, new Random(3), 15);
        assertThat(await(journal().stateAt(0))).isEqualTo(
                new Snapshot(0, first.createdAt(), List.of(new ParamSnapshot("/boot/x", Value.of(1), 3, "boot", T0))));
        m.checkEverySeq();
    }

    @Test
    default void aSeqAboveTheLatestOrNegativeIsInvalidInput() {
        Model m = model();
        failure(journal().stateAt(1), JournalException.InvalidInput.class);
        failure(journal().stateAt(-1), JournalException.InvalidInput.class);
        appendMixed(m, new Random(5), 5);
        failure(journal().stateAt(6), JournalException.InvalidInput.class);
        failure(journal().stateAt(Long.MAX_VALUE), JournalException.InvalidInput.class);
        failure(journal().stateAt(Long.MIN_VALUE), JournalException.InvalidInput.class);
        // Compaction does not lower the latest seq, so the same bound holds after it.
        m.compact(m.latestSeq() + 1);
        failure(journal().stateAt(6), JournalException.InvalidInput.class);
        m.check(5);
    }

    @Test
    default void afterCompactionTruncatedExactlyWhenTheFoldNeedsWhatIsGone() {
        Model m = model();
        Random rnd = new Random(11);
        for (int mark = 1; mark <= 4; mark++) {
            appendMixed(m, rnd, 15);
            snapshotMarked(m, mark);  // at 15, 30, 45, 60
        }
        appendMixed(m, rnd, 15);
        // Between the second and the third snapshot: with several snapshots kept, the second
        // still answers the seqs after it; with one kept, only the newest does.
        m.compact(38);
        m.checkEverySeq();
        // Right after the newest snapshot.
        m.compact(61);
        m.checkEverySeq();
        // Everything: only a snapshot's own seq is answered, and seq 0.
        m.compact(m.latestSeq() + 1);
        m.checkEverySeq();
        appendMixed(m, rnd, 5);
        m.checkEverySeq();
    }

    @Test
    default void anOlderKeptSnapshotAnswersWhatCompactionTookFromTheEntries() {
        Model m = model();
        Random rnd = new Random(13);
        appendMixed(m, rnd, 20);
        Snapshot older = snapshotMarked(m, 1);
        appendMixed(m, rnd, 20);
        Snapshot newer = snapshotMarked(m, 2);
        appendMixed(m, rnd, 5);
        m.compact(older.seq() + 1);
        for (long seq = older.seq(); seq < newer.seq(); seq++) {
            CompletableFuture<Snapshot> answer = journal().stateAt(seq);
            if (snapshotsKept() > 1) {
                Snapshot state = await(answer);
                assertThat(state.createdAt()).isEqualTo(older.createdAt());
                assertThat(state.params()).contains(new ParamSnapshot("/snap/mark", Value.of(1), 1, "snap", T0 + 1));
            } else {
                // Only the newest is kept: the entries from seq 1 on would be needed.
                JournalException.Truncated gone = failure(answer, JournalException.Truncated.class);
                assertThat(gone.firstMissed()).isEqualTo(1);
                assertThat(gone.oldestHeld()).isEqualTo(older.seq() + 1);
            }
            m.check(seq);
        }
        JournalException.Truncated gone = failure(journal().stateAt(older.seq() - 1), JournalException.Truncated.class);
        assertThat(gone.firstMissed()).isEqualTo(1);
        assertThat(gone.oldestHeld()).isEqualTo(older.seq() + 1);
        m.checkEverySeq();
    }

    @Test
    default void snapshotsNoLongerKeptAreNotUsed() {
        Model m = model();
        Random rnd = new Random(17);
        int taken = snapshotsKept() + 2;
        for (int mark = 1; mark <= taken; mark++) {
            appendMixed(m, rnd, 8);
            snapshotMarked(m, mark);
        }
        appendMixed(m, rnd, 3);
        // The pruned snapshots' seqs are folded from the entries: no marker in the state.
        Snapshot pruned = m.snapshots.get(1);
        assertThat(await(journal().stateAt(pruned.seq())).params())
                .noneMatch(p -> p.address().equals("/snap/mark"));
        m.checkEverySeq();
    }

    @Test
    default void theStateNeverMixesInConcurrentAppendsOrCompactions() throws Exception {
        Model m = model();
        Random rnd = new Random(19);
        appendMixed(m, rnd, 150);
        snapshotMarked(m, 1);
        appendMixed(m, rnd, 150);
        long fixedLatest = m.latestSeq();
        List<JournalEntry> more = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            more.add(JournalEntry.fromSet("/s/a", Value.of(-i), 10_000 + i, "late", T0 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> appends = pool.submit(() -> more.forEach(e -> await(journal().append(e))));
            Future<?> compactions = pool.submit(() -> {
                for (long before = 20; before <= fixedLatest; before += 20) {
                    await(journal().compact(before));
                }
            });
            Random pick = new Random(23);
            int asked = 0;
            while (asked < 30 || !(appends.isDone() && compactions.isDone())) {
                asked++;
                long seq = pick.nextInt((int) fixedLatest + 1);
                Optional<Snapshot> base = m.base(seq);
                Snapshot exact = m.fold(base, seq);
                // Compaction only takes entries away and no snapshot is taken meanwhile: the
                // answer is the exact state, or Truncated at the first entry after the base.
                try {
                    assertThat(journal().stateAt(seq).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                            .as("stateAt(%d)", seq).isEqualTo(exact);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).as("stateAt(%d)", seq)
                            .isInstanceOfSatisfying(JournalException.Truncated.class, gone -> assertThat(
                                    gone.firstMissed()).isEqualTo(base.map(Snapshot::seq).orElse(0L) + 1));
                }
            }
            appends.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            compactions.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    default void moreSetsThanOnePageAreFoldedWhole() {
        Model m = model();
        // More SETs than the backends read at once (4,096), with PUBLISHes between them, so that
        // a page ends in the middle and the fold must go on where the page stopped.
        List<JournalEntry> batch = new ArrayList<>();
        for (int i = 0; i < 9_000; i++) {
            String address = "/p/" + (i % 97);
            batch.add(i % 5 == 4
                    ? JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(i), "pub", T0 + i)
                    : JournalEntry.fromSet(address, Value.of(i), i / 50, "w", T0 + i));
        }
        m.appendAll(batch.subList(0, 4_500));
        snapshotMarked(m, 1);
        m.appendAll(batch.subList(4_500, batch.size()));
        for (long seq : new long[] {4_095, 4_096, 4_097, 4_500, 5_120, 5_121, 8_999, 9_000}) {
            m.check(seq);
        }
    }

    @Test
    default void theLatestStateIsWhatRecoveryBuilds() {
        Model m = model();
        Random rnd = new Random(31);
        appendMixed(m, rnd, 40);
        snapshotMarked(m, 1);
        appendMixed(m, rnd, 40);
        InMemoryParamStore recovered = new InMemoryParamStore();
        await(new RouterJournalHook(journal()).recover(recovered));
        assertThat(await(journal().stateAt(m.latestSeq())).params()).isEqualTo(recovered.params());
    }

    @Test
    default void aClosedJournalAnswersClosed() {
        Model m = model();
        appendMixed(m, new Random(29), 3);
        journal().close();
        failure(journal().stateAt(1), JournalException.Closed.class);
    }
}
