package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Value;

/** {@link RouterJournalHook.Builder#sharedJournal(boolean)}: snapshots become the journal's checkpoints. */
class SharedJournalHookTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @Test
    void saveSnapshotOnASharedJournalStoresEveryWritersStateNotTheStores() {
        try (MemoryJournal journal = MemoryJournal.withDefaultCapacity()) {
            InMemoryParamStore storeA = new InMemoryParamStore();
            RouterJournalHook a = RouterJournalHook.builder(journal).sharedJournal(true).clock(() -> T0).build();
            RouterJournalHook b = RouterJournalHook.builder(journal).clock(() -> T0).build();
            storeA.set("/a", Value.of(1), 1, "a", T0);
            a.recordSet("/a", Value.of(1), 1, "a").join();
            b.recordSet("/b", Value.of(2), 1, "b").join();
            // A param in A's store that was never recorded: a checkpoint does not read the store.
            storeA.set("/only/in/a", Value.of(3), 1, "a", T0);

            long seq = a.saveSnapshot(storeA).join();

            assertThat(seq).isEqualTo(2);
            Snapshot stored = journal.latestSnapshot().join().orElseThrow();
            assertThat(stored.seq()).isEqualTo(2);
            assertThat(stored.params()).containsExactly(new ParamSnapshot("/a", Value.of(1), 1, "a", T0),
                    new ParamSnapshot("/b", Value.of(2), 1, "b", T0));
            assertThat(a.toString()).contains("shared");
        }
    }

    @Test
    void aPolicyOnASharedJournalCheckpointsAndCompacts() {
        try (MemoryJournal journal = MemoryJournal.withDefaultCapacity()) {
            InMemoryParamStore own = new InMemoryParamStore();
            RouterJournalHook hook = RouterJournalHook.builder(journal).sharedJournal(true).clock(() -> T0)
                    .snapshotPolicy(SnapshotPolicy.every(10, own).compactingKeeping(0)).build();
            RouterJournalHook other = new RouterJournalHook(journal);
            for (int i = 0; i < 10; i++) {
                other.recordSet("/other", Value.of(i), i, "o").join();
                hook.recordSet("/mine", Value.of(i), i, "m").join();
            }
            hook.idle().join();
            assertThat(hook.failureCount()).isZero();
            Snapshot stored = journal.latestSnapshot().join().orElseThrow();
            assertThat(stored.seq()).isEqualTo(20);
            assertThat(stored.params()).extracting(ParamSnapshot::address).containsExactly("/mine", "/other");
            assertThat(journal.size().join()).isZero();
            InMemoryParamStore recovered = new InMemoryParamStore();
            new RouterJournalHook(journal).recover(recovered).join();
            assertThat(recovered.params()).isEqualTo(List.copyOf(stored.params()));
        }
    }
}
