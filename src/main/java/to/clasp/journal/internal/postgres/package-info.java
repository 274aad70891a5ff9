/**
 * The PostgreSQL backend's machinery behind {@link to.clasp.journal.PostgresJournal}: the
 * schema and all of its SQL ({@link to.clasp.journal.internal.postgres.PostgresSchema}), the
 * writer under the seq-row lock, connection pools, and LISTEN/NOTIFY for followers.
 *
 * <p>Internal: not part of the library's API. Its types are public only so that the
 * other packages of the library can use them; they may change in any release, and code outside
 * the library should not use them.
 */
package to.clasp.journal.internal.postgres;
