/**
 * What both SQL backends share: the group-commit writer
 * ({@link to.clasp.journal.internal.sql.GroupCommitWriter}) with its operations and futures, the
 * query planner ({@link to.clasp.journal.internal.sql.QueryPlan}, rendered by each backend's
 * schema class), rows to columns and back ({@link to.clasp.journal.internal.sql.SqlRows}), the
 * builders' common options ({@link to.clasp.journal.internal.sql.JournalOptions}), the open and
 * closed state ({@link to.clasp.journal.internal.sql.JournalLifecycle}), and integrity with a
 * key: the MACs ({@link to.clasp.journal.internal.sql.EntryMac}), the chain and its signed record
 * ({@link to.clasp.journal.internal.sql.SignedLog}, with each dialect's statements in an
 * {@link to.clasp.journal.internal.sql.IntegritySql}), the Rust crate's row check
 * ({@link to.clasp.journal.internal.sql.RowIntegrity}) and the whole-journal scan
 * ({@link to.clasp.journal.internal.sql.IntegrityScan}).
 *
 * <p>Internal: not part of the library's API. Its types are public only so that the
 * other packages of the library can use them; they may change in any release, and code outside
 * the library should not use them.
 */
package to.clasp.journal.internal.sql;
