package to.clasp.journal.internal.state;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;

/**
 * The fold behind {@link Journal#stateAt(long)}, written once for every backend: which snapshot
 * to start from, when the answer is {@link JournalException.Truncated} or
 * {@link JournalException.InvalidInput}, and how SETs are applied. A backend supplies only a
 * {@link View} of its storage.
 *
 * <p>The rules are those of {@code RouterJournalHook.recover} into an empty
 * {@code InMemoryParamStore}, on the journal cut at {@code seq}: start from the newest snapshot
 * taken at or below {@code seq} (by the order snapshots were taken), then apply the SETs after
 * it up to {@code seq} in seq order, skipping SETs without a revision; per address the highest
 * revision wins, and of equal revisions the one applied first stays. The params come sorted by
 * address, as {@code InMemoryParamStore.params()} lists them.
 */
public final class StateFold {

    /** The most SET entries a view returns at once, so that memory stays bounded. */
    public static final int PAGE_SIZE = 4_096;

    private static final Comparator<ParamSnapshot> BY_ADDRESS = Comparator.comparing(ParamSnapshot::address);

    private StateFold() {}

    /**
     * One consistent view of a backend's storage for the length of one fold: a read transaction,
     * or a lock held. Every method sees the same state, so a compaction or an append running
     * meanwhile cannot make the parts disagree.
     */
    /**
     * The ends of a journal's seqs.
     *
     * @param latest the highest seq ever assigned, 0 for none
     * @param oldest the oldest seq held; {@code latest + 1} when the journal holds no entry
     */
    public record Bounds(long latest, long oldest) {}

    public interface View<X extends Exception> {
        /** The highest seq ever assigned and the oldest seq held, read together. */
        Bounds bounds() throws X;

        /** The snapshot taken last among those kept with a seq at or below {@code seq}. */
        Optional<Snapshot> newestSnapshotAtOrBelow(long seq) throws X;

        /**
         * The SET entries with a seq above {@code afterSeq} and at most {@code throughSeq}, in
         * ascending seq order, at most {@code max} of them (fewer only when there are no more).
         */
        List<JournalEntry> setsBetween(long afterSeq, long throughSeq, int max) throws X;
    }

    /**
     * Rejects a seq no journal can answer, before any storage is read.
     *
     * @throws JournalException.InvalidInput for a negative seq
     */
    public static void checkSeq(long seq) {
        if (seq < 0) {
            throw new JournalException.InvalidInput("seq must not be negative: " + seq);
        }
    }

    /**
     * Folds the state as of {@code seq}.
     *
     * @param <X> what the view's reads throw
     * @param view the backend's storage, consistent for the length of the call
     * @param seq the seq to fold up to, checked by {@link #checkSeq}
     * @param pageSize the most SETs to ask the view for at once
     * @return the state; its seq is {@code seq}, its createdAt that of the snapshot it started
     *     from, or 0 when it started from nothing
     * @throws JournalException.InvalidInput if {@code seq} is above the latest seq
     * @throws JournalException.Truncated if entries the fold needs were compacted or evicted
     * @throws JournalException.Serialization if an entry holds a state no param store accepts
     * @throws X if the view fails to read
     */
    public static <X extends Exception> Snapshot fold(View<X> view, long seq, int pageSize) throws X {
        checkSeq(seq);
        Bounds bounds = view.bounds();
        long latest = bounds.latest();
        if (seq > latest) {
            throw new JournalException.InvalidInput("seq " + seq + " is above the latest seq " + latest);
        }
        Optional<Snapshot> base = view.newestSnapshotAtOrBelow(seq);
        long baseSeq = base.map(Snapshot::seq).orElse(0L);
        if (baseSeq < seq) {
            // Only the oldest entries are ever removed, so one bound tells whether every entry
            // from baseSeq + 1 to seq is still there; an older snapshot could not do better.
            long oldest = bounds.oldest();
            if (oldest > baseSeq + 1) {
                throw new JournalException.Truncated(baseSeq + 1, oldest);
            }
        }
        Map<String, ParamSnapshot> state = new HashMap<>();
        base.ifPresent(s -> s.params().forEach(p -> restore(state, p)));
        long after = baseSeq;
        while (after < seq) {
            List<JournalEntry> page = view.setsBetween(after, seq, pageSize);
            for (JournalEntry e : page) {
                if (e.isSet() && e.revision().isPresent()) {
                    restore(state, restorable(e));
                }
                after = e.seq();
            }
            if (page.size() < pageSize) {
                break;
            }
        }
        ParamSnapshot[] params = state.values().toArray(new ParamSnapshot[0]);
        Arrays.sort(params, BY_ADDRESS);
        return new Snapshot(seq, base.map(Snapshot::createdAt).orElse(0L), List.of(params));
    }

    /** InMemoryParamStore.restore: the higher revision wins, and a tie keeps the one held. */
    private static void restore(Map<String, ParamSnapshot> state, ParamSnapshot offered) {
        state.merge(offered.address(), offered, (held, o) -> o.revision() > held.revision() ? o : held);
    }

    /**
     * The param state a SET restores. A state the param store would refuse (the journal never
     * stores one, but a foreign file might) fails the fold, as it fails recovery, naming the seq.
     */
    private static ParamSnapshot restorable(JournalEntry e) {
        long revision = e.revision().getAsLong();
        if (e.address().isEmpty() || e.address().charAt(0) != '/' || revision < 0 || e.timestamp() < 0) {
            throw new JournalException.Serialization("the SET at seq " + e.seq()
                    + " holds a param state no store accepts (address '" + e.address() + "', revision "
                    + revision + ", timestamp " + e.timestamp() + ")", null);
        }
        return new ParamSnapshot(e.address(), e.value(), revision, e.author(), e.timestamp());
    }
}
