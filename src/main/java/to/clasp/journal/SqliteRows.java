package to.clasp.journal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.OptionalLong;

/**
 * Turns entries and snapshots into column values and back. Encoding runs on the caller's
 * thread, so that a value that cannot be encoded fails its own append before it reaches the
 * writer; decoding verifies MACs (when a key is set) before it parses anything.
 */
final class SqliteRows {

    private SqliteRows() {}

    /** An entry as it will be stored. */
    record EncodedEntry(JournalEntry entry, String valueJson, byte[] valueExact, String hmac,
            String exactHmac) {}

    /** A snapshot's params as they will be stored. */
    record EncodedSnapshot(String dataJson, byte[] dataExact) {}

    /**
     * Encodes an entry.
     *
     * @param mac the key's MACs, or null to write none
     * @throws JournalException.Serialization if the value cannot be encoded
     */
    static EncodedEntry encode(JournalEntry entry, EntryMac mac) {
        String json;
        byte[] exact;
        try {
            json = ValueJson.toJson(entry.value());
            exact = ValueJson.isJsonExact(entry.value()) ? null : ValueJson.toExact(entry.value());
        } catch (RuntimeException e) {
            throw new JournalException.Serialization(
                    "cannot encode the value of the entry for " + entry.address() + ": " + e.getMessage(), e);
        }
        String hmac = null;
        String exactHmac = null;
        if (mac != null) {
            hmac = mac.rowMac(entry.address(), json, entry.timestamp());
            if (exact != null) {
                exactHmac = mac.exactMac(entry.address(), exact, entry.timestamp());
            }
        }
        return new EncodedEntry(entry, json, exact, hmac, exactHmac);
    }

    /** Binds an encoded entry to {@link SqliteSchema#INSERT_ENTRY}. */
    static void bind(PreparedStatement insert, EncodedEntry e) throws SQLException {
        JournalEntry entry = e.entry();
        insert.setLong(1, entry.timestamp());
        insert.setString(2, entry.author());
        insert.setString(3, entry.address());
        insert.setString(4, entry.signalType().wireName());
        insert.setString(5, e.valueJson());
        if (entry.revision().isPresent()) {
            insert.setLong(6, entry.revision().getAsLong());
        } else {
            insert.setNull(6, Types.INTEGER);
        }
        insert.setInt(7, entry.msgType());
        setNullableString(insert, 8, e.hmac());
        if (e.valueExact() != null) {
            insert.setBytes(9, e.valueExact());
        } else {
            insert.setNull(9, Types.BLOB);
        }
        setNullableString(insert, 10, e.exactHmac());
    }

    private static void setNullableString(PreparedStatement ps, int index, String s) throws SQLException {
        if (s != null) {
            ps.setString(index, s);
        } else {
            ps.setNull(index, Types.VARCHAR);
        }
    }

    /**
     * Decodes the current row of a SELECT of {@code SqliteSchema}'s entry columns.
     *
     * @param mac the key's MACs, or null to verify nothing
     * @throws JournalException.Integrity if a MAC does not match
     * @throws JournalException.Serialization if the row cannot be decoded
     */
    static JournalEntry decode(ResultSet rs, EntryMac mac) throws SQLException {
        long seq = rs.getLong(SqliteSchema.COL_SEQ);
        long timestamp = rs.getLong(SqliteSchema.COL_TIMESTAMP);
        String address = rs.getString(SqliteSchema.COL_ADDRESS);
        String json = rs.getString(SqliteSchema.COL_VALUE_JSON);
        byte[] exact = rs.getBytes(SqliteSchema.COL_VALUE_EXACT);
        if (address == null || json == null) {
            throw new JournalException.Serialization("seq " + seq + ": address or value_json is NULL", null);
        }
        if (mac != null) {
            verify(seq, address, json, exact, timestamp, rs.getString(SqliteSchema.COL_HMAC),
                    rs.getString(SqliteSchema.COL_VALUE_EXACT_HMAC), mac);
        }
        String typeName = rs.getString(SqliteSchema.COL_SIGNAL_TYPE);
        SignalType type;
        try {
            type = SignalType.fromWireName(typeName == null ? "" : typeName);
        } catch (IllegalArgumentException e) {
            throw new JournalException.Serialization(
                    "seq " + seq + ": unknown signal_type '" + typeName + "'", e);
        }
        Value value;
        try {
            value = exact != null ? ValueJson.fromExact(exact) : ValueJson.fromJson(json);
        } catch (RuntimeException e) {
            throw new JournalException.Serialization("seq " + seq + ": cannot decode "
                    + (exact != null ? "value_exact" : "value_json") + ": " + e.getMessage(), e);
        }
        long revision = rs.getLong(SqliteSchema.COL_REVISION);
        OptionalLong rev = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(revision);
        int msgType = rs.getInt(SqliteSchema.COL_MSG_TYPE);
        String author = rs.getString(SqliteSchema.COL_AUTHOR);
        return new JournalEntry(seq, timestamp, author == null ? "" : author, address, type, value,
                rev, msgType);
    }

    /**
     * Checks a row's MACs. A row without {@code hmac} was written without a key and is accepted
     * as it is (the Rust crate's rule); a row with one must match it, and must also carry a
     * matching {@code value_exact_hmac} whenever either exact column is present, so that the
     * exact value can be neither changed, added nor removed.
     */
    private static void verify(long seq, String address, String json, byte[] exact, long timestamp,
            String hmac, String exactHmac, EntryMac mac) {
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
     * Encodes a snapshot's params in both forms. Unlike an entry's, the exact form is always
     * written: besides values, a snapshot holds addresses and writers, whose text JSON cannot
     * always carry (unpaired surrogates), and snapshots are few.
     *
     * @throws JournalException.Serialization if a value cannot be encoded
     */
    static EncodedSnapshot encodeSnapshot(List<ParamSnapshot> params) {
        try {
            return new EncodedSnapshot(ValueJson.paramsToJson(params), ValueJson.paramsToExact(params));
        } catch (RuntimeException e) {
            throw new JournalException.Serialization("cannot encode the snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a snapshot's params and checks them as {@code snapshot()} checks its input, so
     * that a stored snapshot no caller could have written is reported as corrupt here rather
     * than failing whoever restores it.
     *
     * @throws JournalException.Snapshot if the stored data is corrupt or of the wrong shape, a
     *     param is invalid, or {@code seqAt} is negative
     */
    static List<ParamSnapshot> decodeSnapshot(long seqAt, String dataJson, byte[] dataExact) {
        if (seqAt < 0) {
            throw new JournalException.Snapshot("the snapshot at seq " + seqAt
                    + " is corrupt: seq_at is negative", null);
        }
        String column = dataExact != null ? "data_exact" : "data_json";
        try {
            List<ParamSnapshot> params;
            if (dataExact != null) {
                params = ValueJson.paramsFromExact(dataExact);
            } else {
                if (dataJson == null) {
                    throw new IllegalArgumentException("data_json is NULL");
                }
                params = ValueJson.paramsFromJson(dataJson);
            }
            Validation.snapshot(params);
            return params;
        } catch (RuntimeException e) {
            throw new JournalException.Snapshot("the snapshot at seq " + seqAt + " is corrupt ("
                    + column + "): " + e.getMessage(), e);
        }
    }
}
