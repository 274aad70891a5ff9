package to.clasp.journal.internal.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.internal.sql.SqlRows;

/**
 * How a SQLite journal reads entry rows on a read connection: which columns a SELECT asks for,
 * the cursor that decodes and verifies them, and the checks of one read. With a key, a SELECT
 * carries the column that verifying needs ({@link SqliteSchema#withPreviousMac}); without one,
 * where text can be read as its bytes, only the columns a row of the usual shape needs
 * ({@link SqliteSchema#withUsualColumns}), and the cursor rereads a row of another shape whole.
 * Immutable and thread-safe; each call works on the reader it is given.
 */
public final class SqliteRowReads {

    /** Null without a key. */
    private final SignedLog signedLog;

    public SqliteRowReads(SignedLog signedLog) {
        this.signedLog = signedLog;
    }

    /** Prepares a SELECT of entries ({@code entrySelect}) with the columns these reads need. */
    public PreparedStatement prepareEntries(SqliteReadPool.Reader r, String entrySelect) throws SQLException {
        if (signedLog != null) {
            return r.prepare(SqliteSchema.withPreviousMac(entrySelect));
        }
        return r.prepare(usualColumns(r) ? SqliteSchema.withUsualColumns(entrySelect) : entrySelect);
    }

    /**
     * {@link #prepareEntries} of {@link SqliteSchema#SINCE}, with SQL built once: a statement
     * is found in the reader's cache by its text, and a SELECT built anew is hashed anew.
     */
    public PreparedStatement prepareSince(SqliteReadPool.Reader r) throws SQLException {
        if (signedLog != null) {
            return r.prepare(SqliteSchema.SINCE_VERIFIED);
        }
        return r.prepare(usualColumns(r) ? SqliteSchema.SINCE_USUAL : SqliteSchema.SINCE);
    }

    /**
     * Reads the entries after {@code seq}, at most {@code limit} (-1 for all), from the rows,
     * verified with a key: what {@code since} returns when it reads the file.
     */
    public List<JournalEntry> since(SqliteReadPool.Reader r, long seq, long limit) throws SQLException {
        PreparedStatement ps = prepareSince(r);
        ps.setLong(1, seq);
        ps.setLong(2, limit);
        SignedLog.Verifier verifier = verifier(r);
        try (ResultSet rs = ps.executeQuery()) {
            return cursor(r, rs, verifier).drainInto(new ArrayList<>());
        }
    }

    /** The cursor over the rows of a SELECT that {@link #prepareEntries} prepared. */
    public SqlRows.Cursor cursor(SqliteReadPool.Reader r, ResultSet rs, SignedLog.Verifier verifier)
            throws SQLException {
        return new SqlRows.Cursor(rs, r.utf8Text(), verifier, null, null,
                usualColumns(r) ? r.prepare(SqliteSchema.ENTRY_AT) : null);
    }

    /**
     * The checks of one read, or null without a key. Take it inside the read transaction of
     * the rows it checks, so that the integrity record is read from the same state of the file.
     */
    public SignedLog.Verifier verifier(SqliteReadPool.Reader r) {
        return signedLog == null ? null : signedLog.verifier(r);
    }

    /** The highest seq ever assigned, from {@code sqlite_sequence}; 0 for a new journal. */
    static long latestSeq(SqliteReadPool.Reader r) throws SQLException {
        try (ResultSet rs = r.prepare(SqliteSchema.LATEST_SEQ).executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    /** Whether reads on {@code r} select only the usual columns: without a key, on UTF-8 text. */
    private boolean usualColumns(SqliteReadPool.Reader r) throws SQLException {
        return signedLog == null && r.utf8Text();
    }
}
