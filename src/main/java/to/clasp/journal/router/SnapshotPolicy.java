package to.clasp.journal.router;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * When a {@link RouterJournalHook} takes snapshots by itself, and whether it then compacts the
 * journal.
 *
 * <p>Immutable and thread-safe. The default is {@link #none()}: the router calls
 * {@link RouterJournalHook#saveSnapshot} itself, or never.
 *
 * <pre>{@code
 * // a snapshot of `store` after every 50,000 recorded entries; after each one, drop the entries
 * // it covers except the newest 100,000, which stay available for REPLAY
 * SnapshotPolicy policy = SnapshotPolicy.every(50_000, store).compactingKeeping(100_000);
 * }</pre>
 */
public final class SnapshotPolicy {

    private static final long NO_COMPACTION = -1;
    private static final SnapshotPolicy NONE = new SnapshotPolicy(0, null, NO_COMPACTION);

    private final long interval;
    private final ParamStore store;
    private final long history;

    private SnapshotPolicy(long interval, ParamStore store, long history) {
        this.interval = interval;
        this.store = store;
        this.history = history;
    }

    /**
     * Returns the policy that never snapshots by itself.
     *
     * @return the policy
     */
    public static SnapshotPolicy none() {
        return NONE;
    }

    /**
     * Returns a policy that snapshots {@code store} each time {@code entries} more entries
     * (SETs and PUBLISHes) have been recorded successfully since the last automatic snapshot
     * started. At most one automatic snapshot runs at a time; entries recorded while one runs
     * count towards the next. Nothing is compacted unless {@link #compactingKeeping} says so.
     *
     * @param entries the number of recorded entries between snapshots, at least 1
     * @param store the state to snapshot: the router's store, which it updates before recording
     * @return the policy
     * @throws IllegalArgumentException if {@code entries} is less than 1
     * @throws NullPointerException if {@code store} is null
     */
    public static SnapshotPolicy every(long entries, ParamStore store) {
        if (entries < 1) {
            throw new IllegalArgumentException("entries between snapshots must be at least 1: " + entries);
        }
        return new SnapshotPolicy(entries, Objects.requireNonNull(store, "store"), NO_COMPACTION);
    }

    /**
     * Returns this policy, compacting after each successful automatic snapshot.
     *
     * <p>After a snapshot at seq {@code S}, the entries with a seq at or below
     * {@code S - historyEntries} are removed: recovery never needs them (the snapshot covers
     * them), and the newest {@code historyEntries} entries up to {@code S}, as well as every
     * entry after {@code S}, stay for REPLAY requests and for recovery. With
     * {@code historyEntries} 0 the journal keeps only what the snapshot does not cover. A failed
     * snapshot is never followed by a compaction.
     *
     * @param historyEntries how many of the entries the snapshot covers to keep, not negative
     * @return the new policy
     * @throws IllegalArgumentException if {@code historyEntries} is negative
     * @throws IllegalStateException if this policy is {@link #none()}
     */
    public SnapshotPolicy compactingKeeping(long historyEntries) {
        if (!isEnabled()) {
            throw new IllegalStateException("compaction needs a snapshot interval: use every(...) first");
        }
        if (historyEntries < 0) {
            throw new IllegalArgumentException("history entries must not be negative: " + historyEntries);
        }
        return new SnapshotPolicy(interval, store, historyEntries);
    }

    /**
     * Tells whether this policy takes snapshots.
     *
     * @return {@code false} for {@link #none()}
     */
    public boolean isEnabled() {
        return store != null;
    }

    /**
     * Returns the number of recorded entries between automatic snapshots.
     *
     * @return the interval, or empty for {@link #none()}
     */
    public OptionalLong interval() {
        return isEnabled() ? OptionalLong.of(interval) : OptionalLong.empty();
    }

    /**
     * Returns how many of the entries a snapshot covers are kept when compacting.
     *
     * @return the history window, or empty if this policy does not compact
     */
    public OptionalLong historyEntries() {
        return history == NO_COMPACTION ? OptionalLong.empty() : OptionalLong.of(history);
    }

    /** The store to snapshot; null for {@link #none()}. */
    ParamStore store() {
        return store;
    }

    /**
     * The {@code beforeSeq} to compact with after a snapshot at {@code snapshotSeq}, or 0 when
     * there is nothing to remove.
     */
    long compactBefore(long snapshotSeq) {
        if (history == NO_COMPACTION || snapshotSeq <= history) {
            return 0;
        }
        return snapshotSeq - history + 1;
    }

    @Override
    public String toString() {
        if (!isEnabled()) {
            return "SnapshotPolicy[none]";
        }
        return "SnapshotPolicy[every " + interval + " entries"
                + (history == NO_COMPACTION ? "" : ", compacting, keeping " + history) + "]";
    }
}
