package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MemoryJournal#stateAt(long)} where a full buffer evicts, which the contract never fills. */
class MemoryStateAtTest {

    private static JournalEntry set(String address, long revision) {
        return JournalEntry.fromSet(address, Value.of(revision), revision, "w", 100 + revision);
    }

    @Test
    void evictionTruncatesExactlyTheSeqsWhoseFoldNeedsAnEvictedEntry() {
        try (MemoryJournal journal = new MemoryJournal(4)) {
            journal.append(set("/a", 1)).join();                 // 1
            journal.append(set("/b", 2)).join();                 // 2
            journal.snapshot(List.of(new ParamSnapshot("/s", Value.of(0), 9, "snap", 1))).join(); // at 2
            for (int i = 3; i <= 7; i++) {
                journal.append(set("/a", i)).join();             // 3..7: seqs 1..3 evicted
            }
            assertThat(journal.stateAt(0).join()).isEqualTo(new Snapshot(0, 0, List.of()));
            assertThat(journal.stateAt(1)).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                    .havingCause().isInstanceOfSatisfying(JournalException.Truncated.class, gone -> {
                        assertThat(gone.firstMissed()).isEqualTo(1);
                        assertThat(gone.oldestHeld()).isEqualTo(4);
                    });
            // The snapshot at 2 needs seq 3 on: evicted.
            assertThat(journal.stateAt(3)).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                    .havingCause().isInstanceOfSatisfying(JournalException.Truncated.class, gone -> {
                        assertThat(gone.firstMissed()).isEqualTo(3);
                        assertThat(gone.oldestHeld()).isEqualTo(4);
                    });
            long createdAt = journal.latestSnapshot().join().orElseThrow().createdAt();
            assertThat(journal.stateAt(2).join()).isEqualTo(
                    new Snapshot(2, createdAt, List.of(new ParamSnapshot("/s", Value.of(0), 9, "snap", 1))));
        }
    }

    /** The example of docs/reference.md. */
    @Test
    void theReferenceExample() {
        try (MemoryJournal journal = MemoryJournal.withDefaultCapacity()) {
            for (int i = 1; i <= 1_200; i++) {
                journal.append(set("/a", i));
            }
            Snapshot then = journal.stateAt(1_000).join();   // the state right after seq 1000
            assertThat(then.seq()).isEqualTo(1_000);
            assertThat(then.params()).containsExactly(new ParamSnapshot("/a", Value.of(1_000), 1_000, "w", 1_100));
        }
    }

    /** The checkpoint example of docs/reference.md. */
    @Test
    void theReferenceCheckpointExample() {
        try (MemoryJournal journal = MemoryJournal.withDefaultCapacity()) {
            for (int i = 1; i <= 1_200; i++) {
                journal.append(set("/a", i));
            }
            Snapshot checkpoint = journal.checkpoint().join();   // stored; latestSnapshot() now reports it
            journal.compact(checkpoint.seq() + 1).join();        // recovery needs nothing before it
            assertThat(journal.latestSnapshot().join()).contains(checkpoint);
            assertThat(checkpoint.params()).containsExactly(new ParamSnapshot("/a", Value.of(1_200), 1_200, "w", 1_300));
            assertThat(journal.size().join()).isZero();
        }
    }
}
