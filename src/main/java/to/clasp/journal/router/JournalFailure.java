package to.clasp.journal.router;

import java.util.Objects;
import java.util.Optional;
import to.clasp.journal.JournalEntry;

/**
 * A failure of work a {@link RouterJournalHook} does on the router's behalf, as its error
 * listener hears it: a record that did not reach the journal, or an automatic snapshot or
 * compaction that failed.
 *
 * @param operation what failed, not null
 * @param entry the entry that was not recorded; empty when there was none (the arguments were
 *     too broken to build one, or the failure was a snapshot or compaction); not null
 * @param error why: a {@link to.clasp.journal.JournalException} for every failure the journal or
 *     the hook reports (such as {@code InvalidInput}, {@code Closed} or {@code Storage}), or
 *     whatever a misbehaving journal, clock or store threw; not null
 */
public record JournalFailure(Operation operation, Optional<JournalEntry> entry, Throwable error) {

    /** The work that failed. */
    public enum Operation {
        /** {@link RouterJournalHook#recordSet}. */
        RECORD_SET,
        /** {@link RouterJournalHook#recordPublish}. */
        RECORD_PUBLISH,
        /** A snapshot taken by the {@link SnapshotPolicy}. */
        AUTO_SNAPSHOT,
        /** A compaction after an automatic snapshot. */
        AUTO_COMPACT
    }

    /**
     * Creates a failure.
     *
     * @param operation what failed, not null
     * @param entry the entry that was not recorded; empty when there was none (the arguments were too broken to build one, or the failure was a snapshot or compaction); not null
     * @param error why: a {@link to.clasp.journal.JournalException} for every failure the journal or the hook reports (such as {@code InvalidInput}, {@code Closed} or {@code Storage}), or whatever a misbehaving journal, clock or store threw; not null
     * @throws NullPointerException if an argument is null
     */
    public JournalFailure {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(error, "error");
    }
}
