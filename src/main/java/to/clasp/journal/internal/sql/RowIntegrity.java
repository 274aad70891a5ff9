package to.clasp.journal.internal.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import to.clasp.journal.IntegrityMode;
import to.clasp.journal.JournalException;

/**
 * The Rust crate's integrity check, row by row, and how {@link IntegrityMode#CHAIN} tells a
 * reader that a file holds rows the Rust crate wrote after signing began.
 *
 * <p>Stateless and thread-safe.
 */
public final class RowIntegrity {

    private RowIntegrity() {}

    /**
     * The Rust crate's rule, for every entry in {@link IntegrityMode#ROW} and for entries before
     * signing began in {@link IntegrityMode#CHAIN}: a row without {@code hmac} was written without
     * a key and is accepted as it is; a row with one must match it, and must also carry a
     * matching {@code value_exact_hmac} whenever either exact column is present, so that the
     * exact value (which this library reads instead of value_json) can be neither changed, added
     * nor removed.
     *
     * @throws JournalException.Integrity naming the seq, if the row fails
     */
    static void check(EntryMac mac, long seq, String address, String json, byte[] exact, long timestamp,
            String hmac, String exactHmac) {
        if (hmac == null) {
            return;
        }
        if (!EntryMac.same(mac.rowMac(address, json, timestamp), hmac)) {
            throw new JournalException.Integrity(seq, "HMAC mismatch");
        }
        if (exact == null && exactHmac == null) {
            return;
        }
        if (exact == null || exactHmac == null) {
            throw new JournalException.Integrity(seq, "value_exact and value_exact_hmac must both be present");
        }
        if (!EntryMac.same(mac.exactMac(address, exact, timestamp), exactHmac)) {
            throw new JournalException.Integrity(seq, "HMAC mismatch on value_exact");
        }
    }

    /**
     * What to add to a {@link IntegrityMode#CHAIN} failure when the file holds entries without
     * {@code entry_mac} from where signing began on, as the Rust crate's appends there are (its
     * compaction then also cuts the chain without moving the signed mark, which is how a file
     * it shares first fails). Asked only once a check has failed, so it costs a read nothing.
     *
     * @return "" when there is no such entry
     */
    static String rustRowsHint(SignedLog.Reads reader, IntegritySql sql, long keyedFrom) throws SQLException {
        PreparedStatement ps = reader.prepare(sql.firstUnchainedEntry());
        ps.setLong(1, keyedFrom);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return "";
            }
            long first = rs.getLong(1);
            if (rs.wasNull()) {
                return "";
            }
            return "; entries from seq " + first + " on carry no entry_mac, as entries the Rust crate "
                    + "wrote after signing began do: IntegrityMode.CHAIN does not accept the Rust crate's "
                    + "writes to a signed file; to share the file with the Rust crate, read it with "
                    + "IntegrityMode.ROW, which checks each row as the Rust crate does";
        }
    }
}
