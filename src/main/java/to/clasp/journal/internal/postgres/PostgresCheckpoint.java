package to.clasp.journal.internal.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import to.clasp.journal.internal.sql.EntryMac;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.codec.Micros;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.Snapshot;
import to.clasp.journal.internal.sql.SqlRows;

/**
 * The maintenance of a schema that several {@link to.clasp.journal.PostgresJournal}s share: checkpoints
 * ({@link to.clasp.journal.PostgresJournal#checkpoint()}) and compactions take the schema's maintenance lock
 * (a session-level advisory lock, {@link PostgresSchema#tryMaintenanceLock}) in turn, so that
 * two routers never fold the same entries at once, and a checkpoint that waited for another
 * starts from the snapshot the other stored and folds only what came after it.
 *
 * <p>The lock is held by a connection that neither the writer nor any read uses, so appends
 * never wait for it; it is asked for with {@code pg_try_advisory_lock} every few milliseconds
 * rather than waited for on the server, so that closing the journal stops the wait. A session
 * lock ends with its session: a journal that dies while holding it (its connection drops)
 * frees it.
 */
public final class PostgresCheckpoint {

    /** How long to wait between two tries of a busy maintenance lock, at first and at most. */
    private static final long FIRST_RETRY_MILLIS = 2;
    private static final long MAX_RETRY_MILLIS = 50;

    private PostgresCheckpoint() {}

    /**
     * Takes the schema's maintenance lock on {@code c}, which is in auto-commit mode, waiting
     * while another journal holds it.
     *
     * @param closed tells whether the journal was closed meanwhile; the wait then ends
     * @return true once the lock is held; false if the journal was closed while waiting (the
     *     lock is not held then)
     * @throws JournalException.Storage if the thread was interrupted while waiting
     * @throws SQLException if asking fails
     */
    static boolean lock(Connection c, PostgresSchema schema, BooleanSupplier closed, String name) throws SQLException {
        long pause = FIRST_RETRY_MILLIS;
        try (PreparedStatement tryLock = c.prepareStatement(schema.tryMaintenanceLock)) {
            while (true) {
                try (ResultSet rs = tryLock.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return true;
                    }
                }
                if (closed.getAsBoolean()) {
                    return false;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new JournalException.Storage(name + ": interrupted while waiting for the"
                            + " maintenance lock; nothing was done", e);
                }
                pause = Math.min(MAX_RETRY_MILLIS, pause * 2);
            }
        }
    }

    /**
     * Releases the maintenance lock {@link #lock} took on {@code c}. Should that fail, the
     * connection is aborted rather than given back to a pool with the lock still held.
     */
    static void unlock(Connection c, PostgresSchema schema) {
        try (PreparedStatement unlock = c.prepareStatement(schema.maintenanceUnlock)) {
            unlock.executeQuery().close();
        } catch (SQLException | RuntimeException e) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // the connection is broken, and its session (and lock) with it
            }
        }
    }

    /**
     * Takes a checkpoint on {@code c} (in auto-commit mode): under the maintenance lock, folds
     * the state at the latest seq ({@link PostgresStateAt#foldLatest}), has {@code writer} store
     * its row, and waits for it, so that the next checkpoint on the schema starts from it.
     *
     * @param mac the Rust crate's MACs to check each row folded, or null
     * @param signedLog the chain to check the rows folded against instead, or null; with it, the
     *     writer signs the row (as it signs a snapshot)
     * @return the checkpoint, as stored (or as computed, if a newer snapshot kept it out)
     * @throws JournalException as {@link Journal#checkpoint()} fails
     * @throws SQLException if reading fails
     */
    public static Snapshot take(Connection c, PostgresSchema schema, EntryMac mac, SignedLog signedLog,
            GroupCommitWriter writer, BooleanSupplier closed, String name) throws SQLException {
        if (!lock(c, schema, closed, name)) {
            throw new JournalException.Closed("the journal " + name + " was closed while its checkpoint waited for"
                    + " another journal's checkpoint or compaction on the schema; nothing was stored");
        }
        try {
            Snapshot state = PostgresStateAt.foldLatest(c, schema, mac, signedLog);
            SqlRows.EncodedSnapshot encoded = SqlRows.encodeSnapshot(state.params(),
                    signedLog == null ? null : signedLog.mac());
            long createdAt = Micros.now();
            CompletableFuture<Boolean> stored = writer.checkpoint(encoded, state.seq(), createdAt);
            try {
                stored.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof JournalException j ? j
                        : new JournalException.Storage(name + ": cannot store the checkpoint: " + e.getCause(), e);
            }
            return new Snapshot(state.seq(), createdAt, state.params());
        } finally {
            unlock(c, schema);
        }
    }
}
