package to.clasp.journal.internal.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import to.clasp.journal.internal.sql.EntryMac;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.Snapshot;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.state.StateFold;

/**
 * {@link to.clasp.journal.PostgresJournal#stateAt(long)}: {@link StateFold} in one REPEATABLE READ, read-only
 * transaction, so the counter, the oldest entry, the snapshot and every page of SETs come from
 * one snapshot of the database, whatever other journals on the schema append, snapshot or
 * compact meanwhile. Seqs become visible in seq order (see {@link to.clasp.journal.PostgresJournal}), so that
 * snapshot holds every entry up to the counter it sees, but those compaction removed.
 */
public final class PostgresStateAt implements StateFold.View<SQLException> {

    private final Connection connection;
    private final PostgresSchema schema;
    /** The Rust crate's MACs to check, or null without a key or with a verifier. */
    private final EntryMac mac;
    /** The chain's checks, in the fold's transaction; null without a signed log. */
    private final SignedLog.Verifier verifier;
    /** Whether {@link #setsBetween} reads only the SETs a fold keeps ({@link PostgresSchema#latestSetPerAddress}). */
    private final boolean keptOnly;

    private PostgresStateAt(Connection connection, PostgresSchema schema, EntryMac mac, SignedLog signedLog,
            boolean keptOnly) {
        this.connection = connection;
        this.schema = schema;
        this.mac = mac;
        this.verifier = signedLog == null ? null : signedLog.verifier(PostgresChain.reads(connection));
        this.keptOnly = keptOnly;
    }

    /**
     * Folds the state as of {@code seq} on {@code connection}, which is in auto-commit mode,
     * and leaves it so.
     *
     * @param mac the Rust crate's MACs to check each row with, or null
     * @param signedLog the chain to check instead, or null
     */
    public static Snapshot fold(Connection connection, PostgresSchema schema, EntryMac mac, SignedLog signedLog, long seq)
            throws SQLException {
        StateFold.checkSeq(seq);
        return PostgresChain.inSnapshot(connection, c -> {
            PostgresStateAt view = new PostgresStateAt(c, schema, mac, signedLog, false);
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

    /**
     * Folds the state at the latest seq, for {@link to.clasp.journal.PostgresJournal#checkpoint()}, on
     * {@code connection} (in auto-commit mode, and left so). The counter and the rows come from
     * one REPEATABLE READ snapshot, which holds every seq up to the counter it sees (see the
     * class comment). The server picks, of the SETs after the starting snapshot, the one per
     * address that the fold keeps; the fold applies those, which gives what applying every SET
     * gives: per address the highest revision, of equal revisions the first applied (the
     * snapshot's, then the lowest seq). Only those rows are sent, decoded and checked (with a
     * key, each against the chain: its MACs and the entry before it; a SET the fold does not
     * keep is not read, so a deletion is left to {@link to.clasp.journal.PostgresJournal#verifyIntegrity()}).
     */
    static Snapshot foldLatest(Connection connection, PostgresSchema schema, EntryMac mac, SignedLog signedLog)
            throws SQLException {
        return PostgresChain.inSnapshot(connection, c -> {
            PostgresStateAt view = new PostgresStateAt(c, schema, mac, signedLog, true);
            // One page: as many rows as addresses, which is the size of the state anyway.
            return StateFold.fold(view, view.bounds().latest(), Integer.MAX_VALUE);
        });
    }

    /**
     * Decodes the current row of {@link PostgresSchema#latestSnapshot}'s columns, checking it
     * first with {@code verifier} when there is one.
     *
     * @throws JournalException.Snapshot if it fails the check or cannot be decoded
     */
    public static Snapshot snapshot(ResultSet rs, SignedLog.Verifier verifier) throws SQLException {
        long seqAt = rs.getLong(1);
        long createdAt = rs.getLong(2);
        if (verifier != null) {
            verifier.checkSnapshot(rs.getLong(5), createdAt, seqAt, rs.getString(3), rs.getBytes(4), rs.getString(6));
        }
        return SqlRows.snapshot(seqAt, createdAt, rs.getString(3), rs.getBytes(4));
    }

    @Override
    public StateFold.Bounds bounds() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(schema.followBounds);
                ResultSet rs = ps.executeQuery()) {
            return SqlRows.bounds(rs);
        }
    }

    @Override
    public Optional<Snapshot> newestSnapshotAtOrBelow(long seq) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(schema.snapshotAtOrBelow)) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(snapshot(rs, verifier)) : Optional.empty();
            }
        }
    }

    @Override
    public List<JournalEntry> setsBetween(long afterSeq, long throughSeq, int max) throws SQLException {
        String sql;
        if (keptOnly) {
            sql = verifier == null ? schema.latestSetPerAddress : schema.latestSetPerAddressVerified;
        } else {
            sql = verifier == null ? schema.setsBetween : schema.setsBetweenVerified;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, afterSeq);
            ps.setLong(2, throughSeq);
            ps.setLong(3, max);
            try (ResultSet rs = ps.executeQuery()) {
                return new SqlRows.Cursor(rs, false, verifier, mac, PostgresSchema::fromStored, null)
                        .drainInto(new ArrayList<>());
            }
        }
    }
}
