package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.Journal;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;
import to.clasp.journal.SqliteJournal;
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

    /** The example of docs/router.md: two hooks on one SQLite file, each with the shared policy. */
    @Test
    void theRouterDocsExample(@TempDir Path dir) {
        Path file = dir.resolve("shared.db");
        try (Journal journal = SqliteJournal.open(file); Journal otherRouters = SqliteJournal.open(file)) {
            InMemoryParamStore params = new InMemoryParamStore();
            RouterJournalHook hook = RouterJournalHook.builder(journal)
                    .sharedJournal(true)   // other routers write to this journal too
                    .snapshotPolicy(SnapshotPolicy.every(50_000, params).compactingKeeping(100_000))
                    .build();
            RouterJournalHook other = new RouterJournalHook(otherRouters);
            other.recordSet("/other", Value.of(1), 1, "o").join();
            params.set("/mine", Value.of(2), 1, "m", T0);
            hook.recordSet("/mine", Value.of(2), 1, "m").join();
            assertThat(hook.saveSnapshot(params).join()).isEqualTo(2);
            assertThat(otherRouters.latestSnapshot().join().orElseThrow().params())
                    .extracting(ParamSnapshot::address).containsExactly("/mine", "/other");
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
