package to.clasp.journal.internal.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import to.clasp.journal.internal.follow.FollowSource;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.internal.sql.SqlRows;

/**
 * What following reads from a SQLite journal's file (see {@link to.clasp.journal.internal.follow.FollowHub}): a page of entries
 * after a seq, in one read transaction on a read connection, verified with the journal's key,
 * and the latest seq. Thread-safe: every read takes a connection of the journal's read pool.
 */
public final class SqliteFollowSource implements FollowSource {

    /** The most rows one read looks at, so that a sparse pattern cannot hold a reader long. */
    private static final int SCAN = 4_096;

    private final String name;
    private final SqliteReadPool readers;
    private final SqliteRowReads rows;
    /** Throws {@link JournalException.Closed} once the journal is closed. */
    private final Runnable ensureOpen;

    public SqliteFollowSource(String name, SqliteReadPool readers, SqliteRowReads rows, Runnable ensureOpen) {
        this.name = name;
        this.readers = readers;
        this.rows = rows;
        this.ensureOpen = ensureOpen;
    }

    @Override
    public Page read(JournalQuery query, long afterSeq, int max) {
        ensureOpen.run();
        try {
            return readers.read(r -> {
                r.prepare(SqliteSchema.BEGIN_READ).execute();
                try {
                    return page(r, query, afterSeq, max);
                } finally {
                    r.prepare(SqliteSchema.COMMIT).execute();
                }
            });
        } catch (SQLException e) {
            throw storage("reading entries to follow failed", e);
        }
    }

    private Page page(SqliteReadPool.Reader r, JournalQuery query, long afterSeq, int max)
            throws SQLException {
        long latest;
        long oldest;
        try (ResultSet rs = r.prepare(SqliteSchema.FOLLOW_BOUNDS).executeQuery()) {
            rs.next();
            latest = rs.getLong(1);
            oldest = rs.getLong(2);
            if (rs.wasNull()) {
                oldest = latest + 1;
            }
        }
        // Inside the read transaction: the record is read from the same state as the rows.
        SignedLog.Verifier verifier = rows.verifier(r);
        if (latest > afterSeq && oldest > afterSeq + 1) {
            if (verifier != null) {
                verifier.checkGap(afterSeq, latest, oldest > latest);
            }
            throw new JournalException.Truncated(afterSeq + 1, oldest);
        }
        PreparedStatement ps = rows.prepareSince(r);
        ps.setLong(1, afterSeq);
        ps.setLong(2, SCAN);
        try (ResultSet rs = ps.executeQuery()) {
            return SqlRows.followPage(rows.cursor(r, rs, verifier), query, afterSeq, max, SCAN, latest);
        }
    }

    @Override
    public long latestSeq() {
        ensureOpen.run();
        try {
            return readers.read(SqliteRowReads::latestSeq);
        } catch (SQLException e) {
            throw storage("reading the latest seq failed", e);
        }
    }

    private JournalException.Storage storage(String what, SQLException e) {
        return new JournalException.Storage(name + ": " + what + ": " + e.getMessage(), e);
    }
}
