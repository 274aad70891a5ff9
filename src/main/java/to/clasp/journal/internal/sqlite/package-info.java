/**
 * The SQLite backend's machinery behind {@link to.clasp.journal.SqliteJournal}: opening and
 * checking a file, the schema and all of its SQL
 * ({@link to.clasp.journal.internal.sqlite.SqliteSchema}), the single writer, compaction in
 * chunks, WAL checkpoints beside the commits, the read pool and row reading.
 *
 * <p>Internal: not part of the library's API. Its types are public only so that the
 * other packages of the library can use them; they may change in any release, and code outside
 * the library should not use them.
 */
package to.clasp.journal.internal.sqlite;
