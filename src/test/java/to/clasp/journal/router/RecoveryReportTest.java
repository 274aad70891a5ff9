package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import to.clasp.journal.JournalException;
import to.clasp.journal.router.RecoveryReport.SnapshotStatus;

class RecoveryReportTest {

    private static final JournalException.Snapshot CORRUPT = new JournalException.Snapshot("bad", null);

    @Test
    void completeMeansNothingWasMissing() {
        assertThat(new RecoveryReport(SnapshotStatus.LOADED, Optional.empty(), 10, 3, 5, 15, 0, Duration.ZERO)
                .complete()).isTrue();
        assertThat(new RecoveryReport(SnapshotStatus.UNREADABLE, Optional.of(CORRUPT), 0, 0, 5, 15, 10,
                Duration.ZERO).complete()).isFalse();
    }

    @Test
    void theSnapshotErrorIsPresentExactlyWhenTheSnapshotIsUnreadable() {
        assertThatThrownBy(() -> new RecoveryReport(SnapshotStatus.UNREADABLE, Optional.empty(), 0, 0, 0, 0, 0,
                Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecoveryReport(SnapshotStatus.LOADED, Optional.of(CORRUPT), 0, 0, 0, 0, 0,
                Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecoveryReport(null, Optional.empty(), 0, 0, 0, 0, 0, Duration.ZERO))
                .isInstanceOf(NullPointerException.class);
    }
}
