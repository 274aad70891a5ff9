package to.clasp.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
    /** The Rust crate's MACs to check, or null without a key or with a verifier. */
    private final EntryMac mac;
    /** The chain's checks, in the fold's transaction; null without a signed log. */
    private final SignedLog.Verifier verifier;

    private PostgresStateAt(Connection connection, PostgresSchema schema, EntryMac mac, SignedLog signedLog) {
        this.connection = connection;
        this.schema = schema;
        this.mac = mac;
        this.verifier = signedLog == null ? null : signedLog.verifier(PostgresChain.reads(connection));
    }

    /**
     * Folds the state as of {@code seq} on {@code connection}, which is in auto-commit mode,
     * and leaves it so.
     *
     * @param mac the Rust crate's MACs to check each row with, or null
     * @param signedLog the chain to check instead, or null
     */
    static Snapshot fold(Connection connection, PostgresSchema schema, EntryMac mac, SignedLog signedLog, long seq)
            throws SQLException {
        StateFold.checkSeq(seq);
        return PostgresChain.inSnapshot(connection, c -> {
            PostgresStateAt view = new PostgresStateAt(c, schema, mac, signedLog);
            try {
                return StateFold.fold(view, seq, StateFold.PAGE_SIZE);
            } catch (JournalException.Truncated gone) {
                if (view.verifier != null) {
                    // Only compaction removes entries from a signed journal (as on SQLite).
                    view.verifier.checkTruncation(gone, view.bounds());
                }
                throw gone;
            }
        });
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
                return rs.next() ? Optional.of(PostgresJournal.snapshot(rs, verifier)) : Optional.empty();
            }
        }
    }

    @Override
    public List<JournalEntry> setsBetween(long afterSeq, long throughSeq, int max) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                verifier == null ? schema.setsBetween : schema.setsBetweenVerified)) {
            ps.setLong(1, afterSeq);
            ps.setLong(2, throughSeq);
            ps.setLong(3, max);
            List<JournalEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                SqlRows.Cursor cursor = new SqlRows.Cursor(rs, false, verifier, mac, PostgresSchema::fromStored, null);
                while (cursor.next()) {
                    out.add(cursor.entry());
                }
            }
            return out;
        }
    }
}
