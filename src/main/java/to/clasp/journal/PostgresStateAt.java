package to.clasp.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link PostgresJournal#stateAt(long)}: {@link StateFold} in one REPEATABLE READ, read-only
 * transaction, so the counter, the oldest entry, the snapshot and every page of SETs come from
 * one snapshot of the database, whatever other journals on the schema append, snapshot or
 * compact meanwhile. Seqs become visible in seq order (see {@link PostgresJournal}), so that
 * snapshot holds every entry up to the counter it sees, but those compaction removed.
 */
final class PostgresStateAt implements StateFold.View<SQLException> {

    private final Connection connection;
    private final PostgresSchema schema;
    /** The Rust crate's MACs to check, or null without a key. */
    private final EntryMac mac;
    /** Whether {@link #setsBetween} reads only the SETs a fold keeps ({@link PostgresSchema#latestSetPerAddress}). */
    private final boolean keptOnly;

    private PostgresStateAt(Connection connection, PostgresSchema schema, EntryMac mac, boolean keptOnly) {
        this.connection = connection;
        this.schema = schema;
        this.mac = mac;
        this.keptOnly = keptOnly;
    }

    /**
     * Folds the state as of {@code seq} on {@code connection}, which is in auto-commit mode,
     * and leaves it so.
     */
    static Snapshot fold(Connection connection, PostgresSchema schema, EntryMac mac, long seq) throws SQLException {
        StateFold.checkSeq(seq);
        return inReadTransaction(connection,
                () -> StateFold.fold(new PostgresStateAt(connection, schema, mac, false), seq, StateFold.PAGE_SIZE));
    }

    /**
     * Folds the state at the latest seq, for {@link PostgresJournal#checkpoint()}, on
     * {@code connection} (in auto-commit mode, and left so). The counter and the rows come from
     * one REPEATABLE READ snapshot, which holds every seq up to the counter it sees (see the
     * class comment). The server picks, of the SETs after the starting snapshot, the one per
     * address that the fold keeps; the fold applies those, which gives what applying every SET
     * gives: per address the highest revision, of equal revisions the first applied (the
     * snapshot's, then the lowest seq). Only those rows are sent, decoded and checked.
     */
    static Snapshot foldLatest(Connection connection, PostgresSchema schema, EntryMac mac) throws SQLException {
        return inReadTransaction(connection, () -> {
            PostgresStateAt view = new PostgresStateAt(connection, schema, mac, true);
            // One page: as many rows as addresses, which is the size of the state anyway.
            return StateFold.fold(view, view.bounds().latest(), Integer.MAX_VALUE);
        });
    }

    private interface Fold {
        Snapshot run() throws SQLException;
    }

    private static Snapshot inReadTransaction(Connection connection, Fold fold) throws SQLException {
        connection.setAutoCommit(false);
        try {
            try (Statement st = connection.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            Snapshot state = fold.run();
            connection.commit();
            return state;
        } finally {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    @Override
    public StateFold.Bounds bounds() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(schema.followBounds);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long latest = rs.getLong(1);
            long oldest = rs.getLong(2);
            return new StateFold.Bounds(latest, rs.wasNull() ? latest + 1 : oldest);
        }
    }

    @Override
    public Optional<Snapshot> newestSnapshotAtOrBelow(long seq) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(schema.snapshotAtOrBelow)) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                // Decoded as PostgresJournal.latestSnapshot() decodes the newest.
                long seqAt = rs.getLong(1);
                long createdAt = rs.getLong(2);
                return Optional.of(SqlRows.snapshot(seqAt, createdAt, rs.getString(3), rs.getBytes(4)));
            }
        }
    }

    @Override
    public List<JournalEntry> setsBetween(long afterSeq, long throughSeq, int max) throws SQLException {
        String sql = keptOnly ? schema.latestSetPerAddress : schema.setsBetween;
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, afterSeq);
            ps.setLong(2, throughSeq);
            ps.setLong(3, max);
            List<JournalEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                SqlRows.Cursor cursor = new SqlRows.Cursor(rs, false, null, mac, PostgresSchema::fromStored, null);
                while (cursor.next()) {
                    out.add(cursor.entry());
                }
            }
            return out;
        }
    }
}
