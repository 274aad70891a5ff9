package to.clasp.journal.internal.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.stats.StatsRecorder;

/**
 * One run of {@link to.clasp.journal.PostgresJournal#compact(long)}: the rows below a bound deleted in chunks of
 * {@code chunk} rows, each in a transaction of its own and starting where
 * the one before it ended, beside the writer and holding no lock that appends wait for, under
 * the schema's maintenance lock ({@link PostgresCheckpoint#lock}), so that checkpoints and
 * compactions of every journal on the schema take turns. With a key, each chunk also moves the
 * integrity record's low-water mark ({@link PostgresChain#compactChunk}).
 *
 * @param chunk the most rows one transaction deletes
 * @param closed whether the journal was closed: the run stops between chunks
 * @param chain the journal's chain, or null without a key
 */
public record PostgresCompaction(String name, DataSource dataSource, PostgresSchema schema, PostgresChain chain,
        int chunk, BooleanSupplier closed, StatsRecorder stats) {

    /**
     * Removes the entries below {@code bound} and completes {@code result} with their number;
     * fails it with {@code Closed} when the journal closed meanwhile, {@code Integrity} when the
     * record does not verify, and {@code Storage} when the database fails. Runs on the calling
     * thread and never throws.
     */
    public void run(long bound, CompletableFuture<Long> result) {
        long removed = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (bound > 1) {
                if (!PostgresCheckpoint.lock(c, schema, closed, name)) {
                    result.completeExceptionally(new JournalException.Closed("the journal " + name
                            + " was closed while the compaction waited for another journal's checkpoint or"
                            + " compaction on the schema, after it removed 0 entries"));
                    return;
                }
                try (PreparedStatement delete = c.prepareStatement(schema.compactChunk)) {
                    // Each chunk starts after the last seq the one before deleted: the deleted
                    // rows stay in the primary key index until vacuum, and an index scan from
                    // its start would step over all of them again, every chunk more than the
                    // last (quadratic in the rows removed).
                    long from = Long.MIN_VALUE;
                    long n;
                    do {
                        if (closed.getAsBoolean()) {
                            // Stopped between chunks, as SQLite's is: what is removed stays removed.
                            result.completeExceptionally(new JournalException.Closed("the journal " + name
                                    + " was closed during the compaction, after it removed " + removed
                                    + " entries; the entries below seq " + bound
                                    + " that are left stay until a later compaction"));
                            return;
                        }
                        delete.setLong(1, from);
                        delete.setLong(2, bound);
                        delete.setInt(3, chunk);
                        long[] chunk = chain != null ? chain.compactChunk(c, delete) : chunk(delete);
                        n = chunk[0];
                        if (n > 0) {
                            from = chunk[1] + 1;
                        }
                        removed += n;
                    } while (n == chunk);
                } finally {
                    PostgresCheckpoint.unlock(c, schema);
                }
            }
            result.complete(removed);
        } catch (JournalException.Integrity e) {
            stats.failed(e);
            result.completeExceptionally(e);
        } catch (SQLException | RuntimeException e) {
            JournalException failure = new JournalException.Storage(name + ": compaction failed after removing "
                    + removed + " entries: " + e.getMessage(), e);
            stats.failed(failure);
            result.completeExceptionally(failure);
        }
    }

    /** An unsigned chunk, in auto-commit: the rows deleted and the highest seq deleted. */
    private static long[] chunk(PreparedStatement delete) throws SQLException {
        try (ResultSet rs = delete.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /**
     * The failure of a compaction the journal's closing kept from beginning, worded as when
     * closing stops one part-way, so that a caller reads how many entries were removed the same
     * way in both cases.
     */
    public JournalException.Closed closedBeforeStart(long bound) {
        return new JournalException.Closed("the journal " + name + " was closed before the compaction began,"
                + " after it removed 0 entries; the entries below seq " + bound + " stay until a later compaction");
    }
}
