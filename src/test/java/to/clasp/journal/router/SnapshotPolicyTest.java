package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {

    private final InMemoryParamStore store = new InMemoryParamStore();

    @Test
    void noneTakesNoSnapshotsAndCannotCompact() {
        SnapshotPolicy none = SnapshotPolicy.none();

        assertThat(none.isEnabled()).isFalse();
        assertThat(none.interval()).isEmpty();
        assertThat(none.historyEntries()).isEmpty();
        assertThat(none).hasToString("SnapshotPolicy[none]");
        assertThatThrownBy(() -> none.compactingKeeping(10)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everySnapshotsWithoutCompactingUntilToldTo() {
        SnapshotPolicy every = SnapshotPolicy.every(500, store);
        SnapshotPolicy compacting = every.compactingKeeping(100);

        assertThat(every.isEnabled()).isTrue();
        assertThat(every.interval()).hasValue(500);
        assertThat(every.historyEntries()).isEmpty();
        assertThat(every.compactBefore(10_000)).isZero();
        assertThat(compacting.historyEntries()).hasValue(100);
        assertThat(compacting.interval()).hasValue(500);
        assertThat(compacting).hasToString("SnapshotPolicy[every 500 entries, compacting, keeping 100]");
    }

    @Test
    void compactionKeepsTheNewestHistoryEntriesTheSnapshotCovers() {
        SnapshotPolicy keep30 = SnapshotPolicy.every(1, store).compactingKeeping(30);
        SnapshotPolicy keepNone = SnapshotPolicy.every(1, store).compactingKeeping(0);

        assertThat(keep30.compactBefore(100)).isEqualTo(71);
        assertThat(keep30.compactBefore(31)).isEqualTo(2);
        assertThat(keep30.compactBefore(30)).isZero();
        assertThat(keep30.compactBefore(0)).isZero();
        assertThat(keepNone.compactBefore(100)).isEqualTo(101);
        assertThat(SnapshotPolicy.every(1, store).compactingKeeping(Long.MAX_VALUE).compactBefore(Long.MAX_VALUE))
                .isZero();
    }

    @Test
    void byAgeThePolicyMayRemoveWhatTheSnapshotCoversAndNoMore() {
        SnapshotPolicy week = SnapshotPolicy.every(10, store).compactingOlderThan(java.time.Duration.ofDays(7));

        assertThat(week.maxAge()).hasValue(java.time.Duration.ofDays(7));
        assertThat(week.historyEntries()).isEmpty();
        assertThat(week.compactBefore(100)).as("the age rule cuts below the snapshot's seq + 1").isEqualTo(101);
        assertThat(week.compactBefore(0)).isZero();
        assertThat(week.compactingKeeping(30).compactBefore(100)).isEqualTo(71);
        assertThat(week.compactingKeeping(30).maxAge()).hasValue(java.time.Duration.ofDays(7));
        assertThat(SnapshotPolicy.every(10, store).maxAge()).isEmpty();
        assertThat(week).hasToString("SnapshotPolicy[every 10 entries, compacting entries older than PT168H]");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> SnapshotPolicy.every(1, store).compactingOlderThan(java.time.Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SnapshotPolicy.every(1, store).compactingOlderThan(null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SnapshotPolicy.none().compactingOlderThan(java.time.Duration.ofDays(1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SnapshotPolicy.every(0, store)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SnapshotPolicy.every(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SnapshotPolicy.every(1, store).compactingKeeping(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
