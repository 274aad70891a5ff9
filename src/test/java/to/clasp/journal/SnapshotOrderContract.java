package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Where a snapshot stands among the writes, part of the contract every backend runs (through
 * {@link JournalContract}). A backend may encode a large state after {@code snapshot()} has
 * returned, beside the writes queued behind it; none of that may show: the snapshot covers
 * exactly the appends called before it, snapshots are stored in call order whatever their
 * sizes, and {@code close()} completes every snapshot taken before it.
 */
interface SnapshotOrderContract {

    Duration WAIT = Duration.ofSeconds(30);
    long T0 = 1_708_500_000_000_000L;

    /** The fresh journal under test, open for the length of the test. */
    Journal journal();

    /** A state of {@code n} params whose values all carry {@code mark}. */
    private static List<ParamSnapshot> state(int n, int mark) {
        List<ParamSnapshot> params = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            params.add(new ParamSnapshot("/order/p" + i, Value.of("m" + mark + "-" + i), mark + 1L, "w", T0 + i));
        }
        return params;
    }

    private static JournalEntry set(int i) {
        return JournalEntry.fromSet("/order/a" + (i % 7), Value.of(i), i + 1, "w", T0 + i);
    }

    private static <T> T await(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(WAIT);
        return future.join();
    }

    @Test
    default void aSnapshotCoversExactlyTheAppendsCalledBeforeIt() {
        Journal journal = journal();
        List<CompletableFuture<Long>> before = new ArrayList<>();
        List<CompletableFuture<Long>> after = new ArrayList<>();
        List<CompletableFuture<Long>> snapshots = new ArrayList<>();
        int i = 0;
        for (int round = 0; round < 6; round++) {
            for (int k = 0; k < 5; k++) {
                before.add(journal.append(set(i++)));
            }
            // Large enough that encoding it takes longer than the appends called right after.
            snapshots.add(journal.snapshot(state(round % 2 == 0 ? 5_000 : 10, round)));
            for (int k = 0; k < 5; k++) {
                after.add(journal.append(set(i++)));
            }
        }
        for (int round = 0; round < 6; round++) {
            long lastBefore = await(before.get(round * 5 + 4));
            long firstAfter = await(after.get(round * 5));
            assertThat(await(snapshots.get(round)))
                    .as("snapshot %d: the seq of the last append called before it", round)
                    .isEqualTo(lastBefore)
                    .isLessThan(firstAfter);
        }
        Optional<Snapshot> latest = await(journal.latestSnapshot());
        assertThat(latest).get().satisfies(s -> {
            assertThat(s.seq()).isEqualTo(await(snapshots.get(5)));
            assertThat(s.params()).isEqualTo(state(10, 5));
        });
    }

    @Test
    default void snapshotsAreStoredInCallOrderWhateverTheirSize() {
        Journal journal = journal();
        await(journal.append(set(0)));
        CompletableFuture<Long> large = journal.snapshot(state(20_000, 1));
        CompletableFuture<Long> small = journal.snapshot(state(3, 2));
        assertThat(await(large)).isEqualTo(1L);
        assertThat(await(small)).isEqualTo(1L);
        assertThat(await(journal.latestSnapshot())).get()
                .satisfies(s -> assertThat(s.params()).isEqualTo(state(3, 2)));
    }

    @Test
    default void aStateChangedAfterSnapshotReturnsChangesNothingStored() {
        Journal journal = journal();
        await(journal.append(set(0)));
        List<ParamSnapshot> params = new ArrayList<>(state(5_000, 5));
        CompletableFuture<Long> snapshot = journal.snapshot(params);
        // Whatever the backend does with the state after returning, it works on its own copy.
        params.clear();
        params.add(new ParamSnapshot("/order/late", Value.of("late"), 1, "w", T0));
        assertThat(await(snapshot)).isEqualTo(1L);
        assertThat(await(journal.latestSnapshot())).get()
                .satisfies(s -> assertThat(s.params()).isEqualTo(state(5_000, 5)));
    }

    @Test
    default void closeCompletesEverySnapshotTakenBeforeIt() {
        Journal journal = journal();
        CompletableFuture<Long> appended = journal.append(set(0));
        CompletableFuture<Long> snapshot = journal.snapshot(state(20_000, 3));
        journal.close();
        assertThat(appended).isCompletedWithValue(1L);
        assertThat(snapshot).isCompletedWithValue(1L);
    }

    @Test
    default void aSnapshotCalledAfterCloseFailsAsClosed() {
        Journal journal = journal();
        journal.close();
        assertThat(journal.snapshot(state(3, 4))).failsWithin(WAIT).withThrowableThat()
                .havingCause().isInstanceOf(JournalException.Closed.class);
    }
}
