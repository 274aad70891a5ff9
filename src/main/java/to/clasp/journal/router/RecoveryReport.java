package to.clasp.journal.router;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import to.clasp.journal.JournalException;

/**
 * What {@link RouterJournalHook#recover} did: where it started from, how much it replayed, and
 * whether the journal still held everything it needed.
 *
 * <p>Check {@link #complete()} before trusting the recovered state: when it is {@code false},
 * entries the state depends on were compacted or evicted before recovery (for example a
 * {@link to.clasp.journal.MemoryJournal} too small for the traffic since the last snapshot, or a
 * compacted journal whose snapshot is unreadable), so params may be missing or stale.
 *
 * @param snapshotStatus whether a snapshot was used, not null
 * @param snapshotError why the snapshot could not be read, present exactly when the status is
 *     {@link SnapshotStatus#UNREADABLE}; not null
 * @param snapshotSeq the seq of the snapshot restored, 0 when none was
 * @param paramsFromSnapshot the number of params the snapshot held
 * @param entriesReplayed the number of SET entries after the snapshot that were restored
 * @param lastSeq the seq of the last entry read, or {@code snapshotSeq} if there was none after it
 * @param entriesMissing how many seqs recovery needed (those after the snapshot, or from 1
 *     without one) were no longer in the journal
 * @param duration how long recovery took, not null
 */
public record RecoveryReport(SnapshotStatus snapshotStatus,
        Optional<JournalException.Snapshot> snapshotError, long snapshotSeq, int paramsFromSnapshot,
        long entriesReplayed, long lastSeq, long entriesMissing, Duration duration) {

    /** Whether recovery could start from a snapshot. */
    public enum SnapshotStatus {
        /** The journal holds no snapshot; everything was replayed from the first entry. */
        NONE,
        /** The latest snapshot was restored, then the entries after it were replayed. */
        LOADED,
        /** The latest snapshot is corrupt; everything the journal holds was replayed instead. */
        UNREADABLE
    }

    /**
     * Creates a report.
     *
     * @param snapshotStatus whether a snapshot was used, not null
     * @param snapshotError why the snapshot could not be read, present exactly when the status is {@link SnapshotStatus#UNREADABLE}; not null
     * @param snapshotSeq the seq of the snapshot restored, 0 when none was
     * @param paramsFromSnapshot the number of params the snapshot held
     * @param entriesReplayed the number of SET entries after the snapshot that were restored
     * @param lastSeq the seq of the last entry read, or {@code snapshotSeq} if there was none after it
     * @param entriesMissing how many seqs recovery needed (those after the snapshot, or from 1 without one) were no longer in the journal
     * @param duration how long recovery took, not null
     * @throws NullPointerException if {@code snapshotStatus}, {@code snapshotError} or
     *     {@code duration} is null
     * @throws IllegalArgumentException if {@code snapshotError} is present for any status but
     *     {@link SnapshotStatus#UNREADABLE}, or absent for it
     */
    public RecoveryReport {
        Objects.requireNonNull(snapshotStatus, "snapshotStatus");
        Objects.requireNonNull(snapshotError, "snapshotError");
        Objects.requireNonNull(duration, "duration");
        if (snapshotError.isPresent() != (snapshotStatus == SnapshotStatus.UNREADABLE)) {
            throw new IllegalArgumentException(
                    "snapshotError must be present exactly when the snapshot is UNREADABLE");
        }
    }

    /**
     * Tells whether recovery saw every entry it needed: nothing after the snapshot (or, without
     * a usable snapshot, nothing from seq 1 on) had been compacted or evicted.
     *
     * @return {@code true} if {@link #entriesMissing()} is 0
     */
    public boolean complete() {
        return entriesMissing == 0;
    }
}
