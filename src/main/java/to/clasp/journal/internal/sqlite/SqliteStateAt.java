package to.clasp.journal.internal.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.Snapshot;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.state.StateFold;

/**
 * {@link to.clasp.journal.SqliteJournal#stateAt(long)}: {@link StateFold} on a SQLite file, in one read
 * transaction on one read connection, so the snapshot, the bounds and every page of SETs come
 * from the same commit whatever the writer does meanwhile (on an in-memory database the read
 * holds the shared table lock, so the writer waits). Snapshots are read and verified as
 * {@link to.clasp.journal.SqliteJournal#latestSnapshot()} reads them, entries as {@link to.clasp.journal.SqliteJournal#since}
 * reads them.
 */
public final class SqliteStateAt implements StateFold.View<SQLException> {

    /** The newest snapshot at or below a seq, with the columns of {@link SqliteSchema#LATEST_SNAPSHOT}. */
    static final String SNAPSHOT_AT_OR_BELOW = "SELECT seq_at, created_at, data_json, data_exact, id, data_mac "
            + "FROM snapshots WHERE seq_at <= ? ORDER BY id DESC LIMIT 1";

    private final SqliteReadPool.Reader reader;
    /** Null without a key. */
    private final SignedLog.Verifier verifier;

    private SqliteStateAt(SqliteReadPool.Reader reader, SignedLog.Verifier verifier) {
        this.reader = reader;
        this.verifier = verifier;
    }

    /**
     * Folds the state as of {@code seq} on {@code reader}, which must be outside a transaction.
     *
     * @param signedLog the journal's key and integrity mode, or null without a key
     */
    public static Snapshot fold(SqliteReadPool.Reader reader, SignedLog signedLog, long seq) throws SQLException {
        StateFold.checkSeq(seq);
        reader.prepare(SqliteSchema.BEGIN_READ).execute();
        try {
            // Inside the transaction: the integrity record is read from the same state as the rows.
            SqliteStateAt view = new SqliteStateAt(reader, signedLog == null ? null : signedLog.verifier(reader));
            try {
                return StateFold.fold(view, seq, StateFold.PAGE_SIZE);
            } catch (JournalException.Truncated gone) {
                if (view.verifier != null) {
                    // Only compaction may remove entries from a signed journal: anything else is
                    // reported as the integrity failure it is, as a follower would see it.
                    view.verifier.checkTruncation(gone, view.bounds()); // the same transaction: the same state
                }
                throw gone;
            }
        } finally {
            reader.prepare(SqliteSchema.COMMIT).execute();
        }
    }

    /**
     * The fold of {@link to.clasp.journal.SqliteJournal#checkpoint()} at the seq its mark fixed: the state as
     * {@link #fold} computes it on a connection of {@code readers}, handed to {@code taken} with
     * {@code createdAt}, and encoded (signed with the key, if any) for its row.
     *
     * @param signedLog the journal's key and integrity mode, or null without a key
     * @throws JournalException as {@link Journal#stateAt} fails
     */
    public static SqlRows.EncodedSnapshot checkpoint(SqliteReadPool readers, SignedLog signedLog, long seq, long createdAt,
            Consumer<Snapshot> taken) throws SQLException {
        Snapshot state = readers.read(r -> fold(r, signedLog, seq));
        taken.accept(new Snapshot(seq, createdAt, state.params()));
        return SqlRows.encodeSnapshot(state.params(), signedLog == null ? null : signedLog.mac());
    }

    /**
     * Decodes the snapshot row {@code rs} is before (the columns of
     * {@link SqliteSchema#LATEST_SNAPSHOT}), verifying it with {@code verifier} if there is one.
     *
     * @return the snapshot, or empty if {@code rs} has no row
     * @throws JournalException.Snapshot if the snapshot is corrupt
     */
    public static Optional<Snapshot> snapshot(ResultSet rs, SignedLog.Verifier verifier) throws SQLException {
        if (!rs.next()) {
            return Optional.empty();
        }
        long seqAt = rs.getLong(1);
        long createdAt = rs.getLong(2);
        if (verifier != null) {
            verifier.checkSnapshot(rs.getLong(5), createdAt, seqAt, rs.getString(3), rs.getBytes(4),
                    rs.getString(6));
        }
        return Optional.of(SqlRows.snapshot(seqAt, createdAt, rs.getString(3), rs.getBytes(4)));
    }

    @Override
    public StateFold.Bounds bounds() throws SQLException {
        try (ResultSet rs = reader.prepare(SqliteSchema.FOLLOW_BOUNDS).executeQuery()) {
            return SqlRows.bounds(rs);
        }
    }

    @Override
    public Optional<Snapshot> newestSnapshotAtOrBelow(long seq) throws SQLException {
        PreparedStatement ps = reader.prepare(SNAPSHOT_AT_OR_BELOW);
        ps.setLong(1, seq);
        try (ResultSet rs = ps.executeQuery()) {
            return snapshot(rs, verifier);
        }
    }

    @Override
    public List<JournalEntry> setsBetween(long afterSeq, long throughSeq, int max) throws SQLException {
        // The statements SqliteJournal's reads prepare: with a key, each row is verified with the
        // link to the entry before it (which need not be a SET); without one, on UTF-8 text, only
        // the columns a row of the usual shape needs are fetched.
        boolean usual = verifier == null && reader.utf8Text();
        String sql = verifier != null ? SqliteSchema.withPreviousMac(SqliteSchema.SETS_BETWEEN)
                : usual ? SqliteSchema.withUsualColumns(SqliteSchema.SETS_BETWEEN) : SqliteSchema.SETS_BETWEEN;
        PreparedStatement ps = reader.prepare(sql);
        ps.setLong(1, afterSeq);
        ps.setLong(2, throughSeq);
        ps.setLong(3, max);
        try (ResultSet rs = ps.executeQuery()) {
            return new SqlRows.Cursor(rs, reader.utf8Text(), verifier, null, null,
                    usual ? reader.prepare(SqliteSchema.ENTRY_AT) : null).drainInto(new ArrayList<>());
        }
    }
}
