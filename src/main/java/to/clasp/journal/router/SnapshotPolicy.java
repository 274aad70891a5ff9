package to.clasp.journal.router;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
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
 *
 * // the same, but keeping a week of entries (by their timestamps) instead of a count
 * SnapshotPolicy weekly = SnapshotPolicy.every(50_000, store).compactingOlderThan(Duration.ofDays(7));
 * }</pre>
 *
 * <p>Whatever the rules, a compaction never removes an entry that the snapshot it follows does
 * not cover, so recovery (that snapshot, then the entries after it) never loses a SET. With both
 * {@link #compactingKeeping} and {@link #compactingOlderThan}, an entry stays while either rule
 * keeps it.
 */
public final class SnapshotPolicy {

    private static final long NO_COMPACTION = -1;
    private static final SnapshotPolicy NONE = new SnapshotPolicy(0, null, NO_COMPACTION, null);

    private final long interval;
    private final ParamStore store;
    /** The entries a snapshot covers that stay, or NO_COMPACTION for no count rule. */
    private final long history;
    /** How long entries stay by their timestamps, or null for no age rule. */
    private final Duration maxAge;

    private SnapshotPolicy(long interval, ParamStore store, long history, Duration maxAge) {
        this.interval = interval;
        this.store = store;
        this.history = history;
        this.maxAge = maxAge;
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
        return new SnapshotPolicy(entries, Objects.requireNonNull(store, "store"), NO_COMPACTION, null);
    }

    /**
     * Returns this policy, compacting after each successful automatic snapshot.
     *
     * <p>After a snapshot at seq {@code S}, the entries with a seq at or below
     * {@code S - historyEntries} are removed: recovery never needs them (the snapshot covers
     * them), and the newest {@code historyEntries} entries up to {@code S}, as well as every
     * entry after {@code S}, stay for REPLAY requests and for recovery. With
     * {@code historyEntries} 0 the journal keeps only what the snapshot does not cover. A failed
     * snapshot is never followed by a compaction. Combined with {@link #compactingOlderThan},
     * an entry stays while either rule keeps it.
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
        return new SnapshotPolicy(interval, store, historyEntries, maxAge);
    }

    /**
     * Returns this policy, compacting after each successful automatic snapshot by the entries'
     * age: retention by time rather than by count.
     *
     * <p>After a snapshot at seq {@code S}, taken at time {@code now} by the hook's clock, the
     * oldest entries are removed up to the first one whose timestamp is at or after
     * {@code now - age}, and never past {@code S}: every entry removed is older than
     * {@code age} and covered by the snapshot, so recovery never loses a SET. Entries whose
     * timestamps do not grow with their seqs (a clock set back, entries stamped by their
     * sources) stop the cut at the first young one: an old entry after it stays until a later
     * compaction. Combined with {@link #compactingKeeping}, an entry stays while either rule
     * keeps it.
     *
     * @param age how long entries stay, by their timestamps; zero removes what the snapshot
     *     covers up to the first entry stamped at the clock's reading or later
     * @return the new policy
     * @throws NullPointerException if {@code age} is null
     * @throws IllegalArgumentException if {@code age} is negative
     * @throws IllegalStateException if this policy is {@link #none()}
     */
    public SnapshotPolicy compactingOlderThan(Duration age) {
        Objects.requireNonNull(age, "age");
        if (!isEnabled()) {
            throw new IllegalStateException("compaction needs a snapshot interval: use every(...) first");
        }
        if (age.isNegative()) {
            throw new IllegalArgumentException("the age must not be negative: " + age);
        }
        return new SnapshotPolicy(interval, store, history, age);
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

    /**
     * Returns how long entries stay by their timestamps when compacting.
     *
     * @return the age, or empty if this policy does not compact by age
     */
    public Optional<Duration> maxAge() {
        return Optional.ofNullable(maxAge);
    }

    /** The store to snapshot; null for {@link #none()}. */
    ParamStore store() {
        return store;
    }

    /**
     * The {@code beforeSeq} the count rule allows after a snapshot at {@code snapshotSeq}: all
     * the snapshot covers ({@code snapshotSeq + 1}) without a count rule; 0 when there is
     * nothing to remove or the policy does not compact. The age rule may cut lower still.
     */
    long compactBefore(long snapshotSeq) {
        if (history == NO_COMPACTION) {
            return maxAge == null || snapshotSeq < 1 ? 0 : snapshotSeq + 1;
        }
        if (snapshotSeq <= history) {
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
                + (history == NO_COMPACTION ? "" : ", compacting, keeping " + history)
                + (maxAge == null ? "" : ", compacting entries older than " + maxAge) + "]";
    }
}
