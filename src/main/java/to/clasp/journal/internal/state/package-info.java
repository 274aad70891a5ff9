/**
 * The point-in-time fold behind {@link to.clasp.journal.Journal#stateAt(long)} and
 * {@link to.clasp.journal.Journal#checkpoint()}, written once for every backend
 * ({@link to.clasp.journal.internal.state.StateFold}).
 *
 * <p>Internal: not part of the library's API. Its types are public only so that the
 * other packages of the library can use them; they may change in any release, and code outside
 * the library should not use them.
 */
package to.clasp.journal.internal.state;
