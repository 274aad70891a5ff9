/**
 * The router adapter: what a CLASP router needs to record its traffic in a
 * {@link to.clasp.journal.Journal}, rebuild its param state after a crash, keep snapshots and
 * answer REPLAY requests.
 *
 * <ul>
 *   <li>{@link to.clasp.journal.router.ParamStore} is the router's param state as the journal
 *       sees it; {@link to.clasp.journal.router.InMemoryParamStore} is a thread-safe reference
 *       implementation.</li>
 *   <li>{@link to.clasp.journal.router.RouterJournalHook} records SETs and PUBLISHes without
 *       ever throwing into the router's hot path, recovers a store from the latest snapshot plus
 *       the entries after it, saves snapshots (by hand or by a
 *       {@link to.clasp.journal.router.SnapshotPolicy}) and answers REPLAY requests within a
 *       session's read scope.</li>
 * </ul>
 */
package to.clasp.journal.router;
