package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RouterJournalHook;

/**
 * {@link Journal#checkpoint()}, part of the contract every backend runs (through
 * {@link JournalContract}, and on its own for configurations the contract does not open).
 * Expected states are folded here from what the test appended, by the rules of
 * {@code RouterJournalHook.recover} into an empty {@code InMemoryParamStore}, not by the
 * library's fold.
 */
interface CheckpointContract {

    Duration CHECKPOINT_WAIT = Duration.ofSeconds(30);
    long CHECKPOINT_T0 = 1_708_500_000_000_000L;

    /** The fresh journal under test, open for the length of the test. */
    Journal journal();

    private static <T> T done(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(CHECKPOINT_WAIT);
        return future.join();
    }

    private static <E extends JournalException> E failsWith(CompletableFuture<?> future, Class<E> type) {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        assertThat(future).failsWithin(CHECKPOINT_WAIT).withThrowableThat()
                .satisfies(t -> cause.set(t.getCause()))
                .havingCause().isInstanceOf(type);
        return type.cast(cause.get());
    }

    /**
     * Per address the higher revision wins, a tie keeps the state applied first (the
     * snapshot's, then the lower seq); SETs without a revision and other messages change nothing.
     */
    static List<ParamSnapshot> foldOf(List<ParamSnapshot> start, List<JournalEntry> entries, long throughSeq) {
        TreeMap<String, ParamSnapshot> state = new TreeMap<>();
        start.forEach(p -> keepHigher(state, p));
        for (JournalEntry e : entries) {
            if (e.seq() <= throughSeq && e.msgType() == JournalEntry.MSG_SET && e.revision().isPresent()) {
                keepHigher(state, new ParamSnapshot(e.address(), e.value(), e.revision().getAsLong(), e.author(),
                        e.timestamp()));
            }
        }
        return List.copyOf(state.values());
    }

    private static void keepHigher(Map<String, ParamSnapshot> state, ParamSnapshot p) {
        ParamSnapshot held = state.get(p.address());
        if (held == null || p.revision() > held.revision()) {
            state.put(p.address(), p);
        }
    }

    /** SETs at small revisions (ties are frequent), PUBLISHes, and SETs the fold must skip. */
    private static List<JournalEntry> mixed(Random rnd, int n, int from) {
        String[] addresses = {"/c/a", "/c/B", "/c/b", "/c/a/x", "/c/\u00e9", "/c/z"};
        List<JournalEntry> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int i = from + k;
            String address = addresses[rnd.nextInt(addresses.length)];
            long ts = CHECKPOINT_T0 + i * 1_000L;
            Value value = rnd.nextBoolean() ? Value.of(i) : Value.of("v" + i);
            int kind = rnd.nextInt(10);
            if (kind < 7) {
                out.add(JournalEntry.fromSet(address, value, rnd.nextInt(9), "w" + rnd.nextInt(3), ts));
            } else if (kind < 9) {
                out.add(JournalEntry.fromPublish(address, SignalType.EVENT, value, "p", ts));
            } else {
                out.add(new JournalEntry(0, ts, "w", address, SignalType.PARAM, value, OptionalLong.empty(),
                        JournalEntry.MSG_SET));
            }
        }
        return out;
    }

    /** Appends {@code batch} from this thread and returns it with the seqs assigned. */
    private List<JournalEntry> appendAll(List<JournalEntry> batch) {
        List<CompletableFuture<Long>> seqs = new ArrayList<>(batch.size());
        batch.forEach(e -> seqs.add(journal().append(e)));
        List<JournalEntry> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(batch.get(i).withSeq(done(seqs.get(i))));
        }
        return out;
    }

    // ---- tests ------------------------------------------------------------------------------

    @Test
    default void aCheckpointIsTheStateAtTheLatestSeqAndBecomesTheLatestSnapshot() {
        Random rnd = new Random(101);
        List<JournalEntry> entries = new ArrayList<>(appendAll(mixed(rnd, 60, 0)));
        // A snapshot the entries do not explain: the checkpoint must start from it. Its /c/tie
        // ties with a later SET at revision 4, which must not replace it (applied first).
        List<ParamSnapshot> marked = List.of(new ParamSnapshot("/c/z", Value.of("snap"), 1_000, "snap", CHECKPOINT_T0),
                new ParamSnapshot("/c/tie", Value.of("tie"), 4, "snap", CHECKPOINT_T0),
                new ParamSnapshot("/snap/only", Value.of(1), 4, "snap", CHECKPOINT_T0));
        long snapSeq = done(journal().snapshot(marked));
        entries.addAll(appendAll(mixed(rnd, 40, 60)));
        entries.addAll(appendAll(List.of(JournalEntry.fromSet("/c/tie", Value.of("later"), 4, "w", CHECKPOINT_T0),
                JournalEntry.fromSet("/c/null", Value.NULL, 2, "w", CHECKPOINT_T0),
                JournalEntry.fromSet("/c/null", Value.of("lower"), 1, "w", CHECKPOINT_T0),
                JournalEntry.fromSet("/c/twice", Value.of("first"), 3, "w", CHECKPOINT_T0),
                JournalEntry.fromSet("/c/twice", Value.of("second"), 3, "w", CHECKPOINT_T0))));
        long latest = done(journal().latestSeq());

        Snapshot checkpoint = done(journal().checkpoint());

        assertThat(checkpoint.seq()).isEqualTo(latest);
        List<ParamSnapshot> expected = foldOf(marked,
                entries.stream().filter(e -> e.seq() > snapSeq).toList(), latest);
        assertThat(checkpoint.params()).isEqualTo(expected);
        assertThat(checkpoint.params()).contains(new ParamSnapshot("/c/null", Value.NULL, 2, "w", CHECKPOINT_T0));
        assertThat(checkpoint.params()).contains(new ParamSnapshot("/c/tie", Value.of("tie"), 4, "snap", CHECKPOINT_T0),
                new ParamSnapshot("/c/twice", Value.of("first"), 3, "w", CHECKPOINT_T0));
        assertThat(checkpoint.params()).extracting(ParamSnapshot::address).isSorted().doesNotHaveDuplicates();
        assertThat(checkpoint.createdAt()).isPositive();
        assertThat(done(journal().stateAt(latest)).params()).isEqualTo(checkpoint.params());
        assertThat(done(journal().latestSnapshot())).contains(checkpoint);
    }

    @Test
    default void aCheckpointOfAnEmptyJournalIsTheEmptyStateAtZero() {
        Snapshot checkpoint = done(journal().checkpoint());
        assertThat(checkpoint.seq()).isZero();
        assertThat(checkpoint.params()).isEmpty();
        assertThat(done(journal().latestSnapshot())).contains(checkpoint);
        // Taken again with nothing new: the same state, stored again at the same seq.
        Snapshot again = done(journal().checkpoint());
        assertThat(again.seq()).isZero();
        assertThat(done(journal().latestSnapshot())).contains(again);
    }

    @Test
    default void afterCompactingUpToACheckpointRecoveryIsTheFoldOfEveryEntry() {
        Random rnd = new Random(103);
        List<JournalEntry> entries = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            entries.addAll(appendAll(mixed(rnd, 50, entries.size())));
            Snapshot checkpoint = done(journal().checkpoint());
            assertThat(checkpoint.params()).isEqualTo(foldOf(List.of(), entries, checkpoint.seq()));
            done(journal().compact(checkpoint.seq() + 1));
            assertThat(done(journal().size())).isZero();
        }
        entries.addAll(appendAll(mixed(rnd, 30, entries.size())));

        InMemoryParamStore recovered = new InMemoryParamStore();
        assertThat(done(new RouterJournalHook(journal()).recover(recovered)).complete()).isTrue();
        assertThat(recovered.params()).isEqualTo(foldOf(List.of(), entries, Long.MAX_VALUE));
    }

    @Test
    default void checkpointsTakenWhileAppendsRunAreEachTheStateAtTheirSeq() throws Exception {
        int n = 3_000;
        List<JournalEntry> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batch.add(JournalEntry.fromSet("/live/" + (i % 37), Value.of(i), i / 37, "w", CHECKPOINT_T0 + i));
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<List<JournalEntry>> appended = pool.submit(() -> {
                List<JournalEntry> out = new ArrayList<>(n);
                for (int i = 0; i < n; i += 100) {
                    out.addAll(appendAll(batch.subList(i, i + 100)));
                }
                return out;
            });
            List<Snapshot> checkpoints = new ArrayList<>();
            while (!appended.isDone() || checkpoints.size() < 3) {
                checkpoints.add(done(journal().checkpoint()));
            }
            List<JournalEntry> entries = appended.get(CHECKPOINT_WAIT.toSeconds(), TimeUnit.SECONDS);
            long previous = 0;
            for (Snapshot c : checkpoints) {
                assertThat(c.seq()).as("checkpoints go forward").isGreaterThanOrEqualTo(previous);
                previous = c.seq();
                assertThat(c.params()).as("checkpoint at %d", c.seq()).isEqualTo(foldOf(List.of(), entries, c.seq()));
            }
            Snapshot last = done(journal().checkpoint());
            assertThat(last.seq()).isEqualTo(n);
            assertThat(last.params()).isEqualTo(foldOf(List.of(), entries, n));
            assertThat(done(journal().latestSnapshot())).contains(last);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    default void aCheckpointCoversEveryAppendCompletedBeforeIt() {
        for (int i = 0; i < 20; i++) {
            long seq = done(journal().append(JournalEntry.fromSet("/cover/a", Value.of(i), i, "w", CHECKPOINT_T0)));
            Snapshot checkpoint = done(journal().checkpoint());
            assertThat(checkpoint.seq()).isEqualTo(seq);
            assertThat(checkpoint.params()).singleElement().extracting(ParamSnapshot::value).isEqualTo(Value.of(i));
        }
    }

    @Test
    default void aCheckpointAfterCompactionPastTheSnapshotIsTruncatedAndStoresNothing() {
        appendAll(mixed(new Random(107), 20, 0));
        Snapshot first = done(journal().checkpoint());
        appendAll(mixed(new Random(108), 20, 20));
        // Past the checkpoint: the entries after it that a fold needs are gone.
        done(journal().compact(first.seq() + 5));
        JournalException.Truncated gone = failsWith(journal().checkpoint(), JournalException.Truncated.class);
        assertThat(gone.firstMissed()).isEqualTo(first.seq() + 1);
        assertThat(done(journal().latestSnapshot())).contains(first);
    }

    @Test
    default void aClosedJournalFailsACheckpointWithClosed() {
        appendAll(mixed(new Random(109), 5, 0));
        journal().close();
        failsWith(journal().checkpoint(), JournalException.Closed.class);
    }
}
