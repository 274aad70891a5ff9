package to.clasp.journal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The whole-file check behind {@link SqliteJournal#verifyIntegrity()}: every entry page by page,
 * the newest entry, every snapshot kept, each as its journal's {@link SignedLog} checks a read.
 */
final class IntegrityScan {

    /** Entries read per statement, so that appends go on between pages. */
    static final int PAGE = 4_096;

    private IntegrityScan() {}

    /**
     * Checks the file on one read connection.
     *
     * @return the number of entries checked
     * @throws JournalException.Integrity, JournalException.Snapshot or
     *     JournalException.Serialization for the first problem found
     */
    static long run(SignedLog signedLog, SqliteReadPool.Reader r) throws SQLException {
        long checked = 0;
        long after = 0;
        while (true) {
            PreparedStatement ps = r.prepare(SqliteSchema.SINCE_VERIFIED);
            ps.setLong(1, after);
            ps.setLong(2, PAGE);
            SignedLog.Verifier verifier = signedLog.verifier(r);
            long rows = 0;
            try (ResultSet rs = ps.executeQuery()) {
                SqlRows.Cursor cursor = new SqlRows.Cursor(rs, r.utf8Text(), verifier, null, null, null);
                while (cursor.next()) {
                    after = cursor.entry().seq();
                    rows++;
                }
            }
            checked += rows;
            if (rows < PAGE) {
                break;
            }
        }
        SignedLog.Verifier verifier = signedLog.verifier(r);
        try (ResultSet rs = r.prepare(SqliteSchema.NEWEST_ENTRY).executeQuery()) {
            if (rs.next()) {
                verifier.checkNewest(rs.getLong(1), rs.getBoolean(2));
            }
        }
        try (ResultSet rs = r.prepare(SqliteSchema.ALL_SNAPSHOTS).executeQuery()) {
            while (rs.next()) {
                long seqAt = rs.getLong(1);
                verifier.checkSnapshot(rs.getLong(5), rs.getLong(2), seqAt, rs.getString(3), rs.getBytes(4),
                        rs.getString(6));
                SqlRows.decodeSnapshot(seqAt, rs.getString(3), rs.getBytes(4));
            }
        }
        return checked;
    }
}
