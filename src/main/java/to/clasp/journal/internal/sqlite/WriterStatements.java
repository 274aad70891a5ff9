package to.clasp.journal.internal.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The writer's prepared statements. The driver discards a statement that fails with most
 * errors, and a failure that escapes the driver (an {@link Error} thrown inside it) can
 * leave them closed too, so the writer prepares a new set after any failure instead of
 * failing every later write.
 */
public final class WriterStatements {
    final PreparedStatement begin;
    final PreparedStatement commit;
    final PreparedStatement savepoint;
    final PreparedStatement release;
    final PreparedStatement rollbackTo;
    final PreparedStatement insertEntry;
    final PreparedStatement insertEntryBatched;
    final PreparedStatement seqBase;
    final PreparedStatement chainHead;
    final PreparedStatement latestSeq;
    final PreparedStatement insertSnapshot;
    final PreparedStatement pruneSnapshots;
    final PreparedStatement newestSnapshotSeq;
    /** Not prepared: only sqlite3_exec steps incremental_vacuum to the end (it yields a row per page). */
    final Statement vacuum;

    WriterStatements(Connection conn) throws SQLException {
        List<Statement> made = new ArrayList<>();
        try {
            begin = add(made, conn.prepareStatement(SqliteSchema.BEGIN));
            commit = add(made, conn.prepareStatement(SqliteSchema.COMMIT));
            savepoint = add(made, conn.prepareStatement(SqliteSchema.SAVEPOINT));
            release = add(made, conn.prepareStatement(SqliteSchema.RELEASE));
            rollbackTo = add(made, conn.prepareStatement(SqliteSchema.ROLLBACK_TO));
            insertEntry = add(made, conn.prepareStatement(SqliteSchema.INSERT_ENTRY));
            insertEntryBatched = add(made, conn.prepareStatement(SqliteSchema.INSERT_ENTRY_BATCHED));
            seqBase = add(made, conn.prepareStatement(SqliteSchema.SEQ_BASE));
            chainHead = add(made, conn.prepareStatement(SqliteSchema.CHAIN_HEAD));
            latestSeq = add(made, conn.prepareStatement(SqliteSchema.LATEST_SEQ));
            insertSnapshot = add(made, conn.prepareStatement(SqliteSchema.INSERT_SNAPSHOT));
            pruneSnapshots = add(made, conn.prepareStatement(SqliteSchema.PRUNE_SNAPSHOTS));
            newestSnapshotSeq = add(made, conn.prepareStatement(SqliteSchema.NEWEST_SNAPSHOT_SEQ));
            vacuum = add(made, conn.createStatement());
        } catch (SQLException | RuntimeException e) {
            made.forEach(WriterStatements::closeQuietly);
            throw e;
        }
    }

    private static <S extends Statement> S add(List<Statement> made, S statement) {
        made.add(Objects.requireNonNull(statement));
        return statement;
    }

    void close() {
        for (Statement s : new Statement[] {begin, commit, savepoint, release, rollbackTo,
                insertEntry, insertEntryBatched, seqBase, chainHead, latestSeq, insertSnapshot,
                pruneSnapshots, newestSnapshotSeq, vacuum}) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException | RuntimeException ignored) {
            // closing anyway
        }
    }

    /** Reads the highest seq ever assigned from sqlite_sequence; 0 before the first append. */
    static long readLatestSeq(PreparedStatement latestSeq) throws SQLException {
        try (ResultSet rs = latestSeq.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }
}
