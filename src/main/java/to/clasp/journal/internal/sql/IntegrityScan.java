package to.clasp.journal.internal.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The whole-journal check behind {@link to.clasp.journal.SqliteJournal#verifyIntegrity()} and
 * {@link to.clasp.journal.PostgresJournal#verifyIntegrity()}: every entry page by page, the newest entry, every
 * snapshot kept, each as its journal's {@link SignedLog} checks a read.
 */
public final class IntegrityScan {

    /** Entries read per statement, so that appends go on between pages. */
    public static final int PAGE = 4_096;

    private IntegrityScan() {}

    /**
     * Checks a journal through {@code r}.
     *
     * @param rawText whether text columns may be read as bytes ({@link SqlRows.Cursor})
     * @param betweenPages run after each page of entries (PostgreSQL ends its read transaction
     *     there, so that a page and the record it is checked against are one state)
     */
    public static long run(SignedLog signedLog, SignedLog.Reads r, boolean rawText, Page betweenPages) throws SQLException {
        IntegritySql sql = signedLog.sql();
        long checked = 0;
        long after = 0;
        while (true) {
            PreparedStatement ps = r.prepare(sql.sinceVerified());
            ps.setLong(1, after);
            ps.setLong(2, PAGE);
            SignedLog.Verifier verifier = signedLog.verifier(r);
            long rows = 0;
            try (ResultSet rs = ps.executeQuery()) {
                SqlRows.Cursor cursor = new SqlRows.Cursor(rs, rawText, verifier, null, signedLog.storedText(), null);
                while (cursor.next()) {
                    after = cursor.entry().seq();
                    rows++;
                }
            }
            checked += rows;
            betweenPages.run();
            if (rows < PAGE) {
                break;
            }
        }
        SignedLog.Verifier verifier = signedLog.verifier(r);
        try (ResultSet rs = r.prepare(sql.newestEntry()).executeQuery()) {
            if (rs.next()) {
                verifier.checkNewest(rs.getLong(1), rs.getBoolean(2));
            }
        }
        try (ResultSet rs = r.prepare(sql.allSnapshots()).executeQuery()) {
            while (rs.next()) {
                long seqAt = rs.getLong(1);
                verifier.checkSnapshot(rs.getLong(5), rs.getLong(2), seqAt, rs.getString(3), rs.getBytes(4),
                        rs.getString(6));
                SqlRows.decodeSnapshot(seqAt, rs.getString(3), rs.getBytes(4));
            }
        }
        return checked;
    }

    /** What runs between pages. */
    @FunctionalInterface
    public interface Page {
        public void run() throws SQLException;
    }
}
