package to.clasp.journal.router;

import java.util.List;
import to.clasp.journal.ParamSnapshot;

/**
 * The router's param state as the journal sees it: what a snapshot saves and what recovery
 * rebuilds.
 *
 * <p>Implementations must be safe to call from several threads at once: a
 * {@link RouterJournalHook} reads {@link #params()} for an automatic snapshot on a background
 * thread while the router keeps changing the state, and recovery calls {@link #restore} on
 * whichever thread completes the journal's futures.
 *
 * <p>For snapshots to be exact, a router applies a SET to its store <em>before</em> it records
 * that SET with {@link RouterJournalHook#recordSet}; see {@link RouterJournalHook#saveSnapshot}.
 */
public interface ParamStore {

    /**
     * Applies a recovered param state, keeping the higher revision: if the store already holds
     * the param at the same or a higher revision, the call changes nothing. This rule makes
     * recovery idempotent: replaying an entry the store already reflects is harmless.
     *
     * @param param the recovered state, not null
     * @throws NullPointerException if {@code param} is null
     */
    void restore(ParamSnapshot param);

    /**
     * Returns the current state of every param, for a snapshot.
     *
     * <p>Each element must be one consistent state of its param (address, value, revision,
     * writer and timestamp from the same write); the list as a whole may be taken while other
     * threads change the store. A deterministic order (such as by address) keeps snapshots of
     * the same state identical.
     *
     * @return the params' states; not null, no null elements
     */
    List<ParamSnapshot> params();
}
