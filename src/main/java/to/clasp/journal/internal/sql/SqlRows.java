package to.clasp.journal.internal.sql;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.internal.codec.ExactCbor;
import to.clasp.journal.internal.follow.FollowSource;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.internal.codec.RustJson;
import to.clasp.journal.SignalType;
import to.clasp.journal.Snapshot;
import to.clasp.journal.internal.state.StateFold;
import to.clasp.journal.internal.util.Validation;
import to.clasp.journal.Value;

/**
 * Turns entries and snapshots into column values and back, for both SQL backends (SQLite and
 * PostgreSQL store the same columns). Encoding runs on the caller's
 * thread, so that a value that cannot be encoded fails its own append before it reaches the
 * writer; decoding verifies MACs (when a key is set) before it parses anything.
 */
public final class SqlRows {

    private SqlRows() {}

    /**
     * An entry as it will be stored. With a key ({@code mac} not null) the writer gives it an
     * explicit seq and an {@code entry_mac}, which only it can compute (see {@link #bind}).
     */
    public record EncodedEntry(JournalEntry entry, String valueJson, byte[] valueExact, String hmac,
            String exactHmac, EntryMac mac) {}

    /** A snapshot's params as they will be stored; signed by the writer when {@code mac} is set. */
    public record EncodedSnapshot(String dataJson, byte[] dataExact, EntryMac mac) {}

    /**
     * Encodes an entry.
     *
     * @param mac the key's MACs, or null to write none
     * @throws JournalException.Serialization if the value cannot be encoded
     */
    public static EncodedEntry encode(JournalEntry entry, EntryMac mac) {
        String json;
        byte[] exact;
        try {
            json = RustJson.toJson(entry.value());
            exact = RustJson.isJsonExact(entry.value()) ? null : ExactCbor.toExact(entry.value());
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
        return new EncodedEntry(entry, json, exact, hmac, exactHmac, mac);
    }

    /**
     * Binds an encoded entry to {@link to.clasp.journal.internal.sqlite.SqliteSchema#INSERT_ENTRY}; runs on the writer, inside
     * the write transaction. A signed entry reads the head of the chain with
     * {@code chainHead} ({@link to.clasp.journal.internal.sqlite.SqliteSchema#CHAIN_HEAD}) to learn its seq and link.
     */
    public static void bind(PreparedStatement insert, EncodedEntry e, PreparedStatement chainHead)
            throws SQLException {
        SignedLog.Link link = e.mac() == null ? null : SignedLog.nextLink(chainHead);
        if (link != null) {
            insert.setLong(1, link.seq());
        } else {
            insert.setNull(1, Types.INTEGER);
        }
        bindEntryColumns(insert, 2, e, UnaryOperator.identity());
        setNullableString(insert, 12, link == null ? null : entryMac(e, link));
    }

    /**
     * The {@code entry_mac} of a signed entry stored at {@code link.seq()}, linking to
     * {@code link.link()}: over the entry as written (a backend that escapes text when storing
     * it still signs the original).
     */
    public static String entryMac(EncodedEntry e, SignedLog.Link link) {
        JournalEntry entry = e.entry();
        Long revision = entry.revision().isPresent() ? entry.revision().getAsLong() : null;
        return e.mac().entryMac(link.keyedFrom(), link.seq(), entry.timestamp(), entry.author(), entry.address(),
                entry.signalType().wireName(), e.valueJson(), revision, entry.msgType(),
                e.valueExact(), e.hmac(), e.exactHmac(), link.link());
    }

    /**
     * Binds a snapshot to SQLite's snapshot INSERT, signing it when it has a key against the
     * record that {@code integrity}'s statements read; runs on the writer, which chooses
     * {@code createdAt} and reads {@code seqAt}.
     */
    public static void bindSnapshot(PreparedStatement insert, EncodedSnapshot snapshot, long createdAt, long seqAt,
            IntegritySql integrity) throws SQLException {
        bindSnapshotColumns(insert, snapshot, createdAt, seqAt);
        setNullableString(insert, 5, snapshot.mac() == null ? null
                : snapshot.mac().snapshotMac(SignedLog.snapshotsFrom(insert.getConnection(), integrity), createdAt, seqAt,
                        snapshot.dataJson(), snapshot.dataExact()));
    }

    /**
     * Binds the columns both SQL schemas store an entry in, in the same order, from
     * {@code timestamp} to {@code value_exact_hmac}, as parameters {@code first} to
     * {@code first + 9}; {@code text} turns the author and the address into their stored form.
     */
    public static void bindEntryColumns(PreparedStatement ps, int first, EncodedEntry e, UnaryOperator<String> text)
            throws SQLException {
        JournalEntry entry = e.entry();
        ps.setLong(first, entry.timestamp());
        ps.setString(first + 1, text.apply(entry.author()));
        ps.setString(first + 2, text.apply(entry.address()));
        ps.setString(first + 3, entry.signalType().wireName());
        ps.setString(first + 4, e.valueJson());
        if (entry.revision().isPresent()) {
            ps.setLong(first + 5, entry.revision().getAsLong());
        } else {
            ps.setNull(first + 5, Types.BIGINT);
        }
        ps.setInt(first + 6, entry.msgType());
        setNullableString(ps, first + 7, e.hmac());
        setNullableBytes(ps, first + 8, e.valueExact());
        setNullableString(ps, first + 9, e.exactHmac());
    }

    /**
     * Binds the columns both SQL schemas store a snapshot in, in the same order
     * ({@code created_at}, {@code seq_at}, {@code data}, {@code data_exact}), as parameters 1 to 4.
     */
    public static void bindSnapshotColumns(PreparedStatement ps, EncodedSnapshot snapshot, long createdAt, long seqAt)
            throws SQLException {
        ps.setLong(1, createdAt);
        ps.setLong(2, seqAt);
        ps.setString(3, snapshot.dataJson());
        setNullableBytes(ps, 4, snapshot.dataExact());
    }

    public static void setNullableString(PreparedStatement ps, int index, String s) throws SQLException {
        if (s != null) {
            ps.setString(index, s);
        } else {
            ps.setNull(index, Types.VARCHAR);
        }
    }

    private static void setNullableBytes(PreparedStatement ps, int index, byte[] b) throws SQLException {
        if (b != null) {
            ps.setBytes(index, b);
        } else {
            ps.setNull(index, Types.BINARY); // bytea on PostgreSQL, where BLOB would mean a large object
        }
    }

    /**
     * The ends of a journal from the row of a bounds query (both schemas' {@code FOLLOW_BOUNDS}:
     * the latest seq, then the oldest seq held or NULL when none is).
     */
    public static StateFold.Bounds bounds(ResultSet rs) throws SQLException {
        if (!rs.next()) {
            throw new SQLException("the bounds query returned no row");
        }
        long latest = rs.getLong(1);
        long oldest = rs.getLong(2);
        return new StateFold.Bounds(latest, rs.wasNull() ? latest + 1 : oldest);
    }

    /**
     * Reads one page for a follower from a SELECT of the entry columns after {@code afterSeq} in
     * seq order, shared by the SQL backends' {@link FollowSource}s: only rows whose address can
     * match are decoded, and a bad row ends the page just before it (so that the entries before
     * it are delivered first, and the next read reports it).
     *
     * @param rows the rows, at most {@code scan} of them
     * @param query the filter, or null for every entry
     * @param afterSeq the last seq already covered
     * @param max the most entries to return
     * @param scan the limit the SELECT was given
     * @param latest the latest committed seq, read in the same transaction as {@code rs}
     * @return the page
     */
    public static FollowSource.Page followPage(Cursor rows, JournalQuery query, long afterSeq, int max, int scan,
            long latest) throws SQLException {
        List<JournalEntry> out = new ArrayList<>();
        long last = afterSeq;
        int read = 0;
        AddressPattern pattern = query == null ? null : query.addressPattern();
        while (rows.next()) {
            read++;
            long before = last;
            last = rows.seq();
            String address = rows.address();
            // A NULL address is left for the decoder to report.
            if (pattern != null && address != null && !pattern.matches(address)) {
                continue;
            }
            JournalEntry e;
            try {
                e = rows.entry();
            } catch (JournalException bad) {
                if (out.isEmpty()) {
                    throw bad;
                }
                return new FollowSource.Page(out, before);
            }
            if (query == null || query.matches(e)) {
                out.add(e);
                if (out.size() == max) {
                    return new FollowSource.Page(out, last);
                }
            }
        }
        return new FollowSource.Page(out, read == scan ? last : Math.max(latest, last));
    }

    /**
     * Walks the rows of a SELECT of {@code SqliteSchema}'s entry columns (with
     * {@link to.clasp.journal.internal.sqlite.SqliteSchema#withPreviousMac} when there is a verifier), reading each column of a
     * row at most once and only when needed: the address can be checked before anything else
     * is read, and a rejected row costs nothing more. Used by one thread, for one result set.
     *
     * <p>On SQLite with UTF-8 text ({@code rawText}), text columns are fetched as their stored
     * bytes (sqlite-jdbc's {@code getString} makes the same bytes into a String at a much higher
     * cost), repeated addresses, authors and signal types share one String, and a plain number
     * in {@code value_json} is read from the bytes (see {@link RustJson#fromJsonUtf8}).
     * Given a {@code wholeRow} statement, the rows come from a
     * {@link to.clasp.journal.internal.sqlite.SqliteSchema#withUsualColumns} SELECT: a row of the usual shape is decoded from
     * two columns besides seq and timestamp, and any other row is read again whole.
     * The entries are the same as {@code getString} would give, bit for bit.
     */
    public static final class Cursor {
        private static final int ADDRESS_SLOTS = 1024;
        private static final int AUTHOR_SLOTS = 16;
        private static final SignalType[] SIGNAL_TYPES = SignalType.values();
        private static final byte[][] WIRE_NAMES;

        static {
            SignalType[] types = SignalType.values();
            WIRE_NAMES = new byte[types.length][];
            for (int i = 0; i < types.length; i++) {
                WIRE_NAMES[i] = types[i].wireName().getBytes(StandardCharsets.UTF_8);
            }
        }

        private final ResultSet rs;
        private final boolean rawText;
        private final SignedLog.Verifier verifier;
        private final EntryMac mac;
        private final UnaryOperator<String> storedText;
        private final TextCache addresses;
        private final TextCache authors;
        private final PreparedStatement wholeRow;
        private boolean addressRead;
        private String address;
        private boolean usualTextRead;
        /** {@link EntryColumns#USUAL_TEXT} of the current row, or null. */
        private byte[] usualText;
        /** The positions of the two NULs in {@link #usualText}; -1 when it cannot be split. */
        private int addressEnd;
        private int jsonEnd;

        /**
         * @param rs the rows
         * @param rawText whether text columns may be read as their bytes: SQLite with UTF-8 text
         *     ({@link to.clasp.journal.internal.sqlite.SqliteReadPool.Reader#utf8Text()})
         * @param verifier the checks of this read, or null
         * @param mac the Rust crate's MACs to check (without {@code verifier}), or null
         * @param storedText turns a stored address or author back into the original, or null
         *     for the identity
         * @param wholeRow when {@code rs} has only the usual columns
         *     ({@link to.clasp.journal.internal.sqlite.SqliteSchema#withUsualColumns}): {@link to.clasp.journal.internal.sqlite.SqliteSchema#ENTRY_AT}, which reads
         *     a row of another shape again; otherwise null
         */
        public Cursor(ResultSet rs, boolean rawText, SignedLog.Verifier verifier, EntryMac mac,
                UnaryOperator<String> storedText, PreparedStatement wholeRow) {
            if (wholeRow != null && (!rawText || verifier != null || mac != null)) {
                throw new IllegalArgumentException("only an unchecked read of UTF-8 text reads the usual columns");
            }
            this.rs = rs;
            this.wholeRow = wholeRow;
            this.rawText = rawText;
            this.verifier = verifier;
            this.mac = mac;
            this.storedText = storedText;
            this.addresses = rawText ? new TextCache(ADDRESS_SLOTS) : null;
            this.authors = rawText ? new TextCache(AUTHOR_SLOTS) : null;
        }

        /**
         * Decodes (and verifies) every row left, in order, into {@code out}.
         *
         * @return {@code out}
         * @throws JournalException.Integrity if a row fails a check
         * @throws JournalException.Serialization if a row cannot be decoded
         */
        public List<JournalEntry> drainInto(List<JournalEntry> out) throws SQLException {
            while (next()) {
                out.add(entry());
            }
            return out;
        }

        /** Moves to the next row; false after the last. */
        public boolean next() throws SQLException {
            addressRead = false;
            address = null;
            usualTextRead = false;
            usualText = null;
            return rs.next();
        }

        /** The current row's seq. */
        long seq() throws SQLException {
            return rs.getLong(EntryColumns.SEQ);
        }

        /** The current row's address as the caller wrote it, or null if the column is NULL. */
        public String address() throws SQLException {
            if (!addressRead) {
                String stored;
                if (wholeRow != null && splitUsualText()) {
                    stored = addresses.text(usualText, 0, addressEnd);
                } else {
                    stored = rawText ? addresses.text(rs.getBytes(EntryColumns.ADDRESS))
                            : rs.getString(EntryColumns.ADDRESS);
                }
                address = stored == null || storedText == null ? stored : storedText.apply(stored);
                addressRead = true;
            }
            return address;
        }

        /**
         * Decodes (and verifies) the current row.
         *
         * @throws JournalException.Integrity if the row fails a check
         * @throws JournalException.Serialization if the row cannot be decoded
         */
        public JournalEntry entry() throws SQLException {
            long seq = seq();
            long timestamp = rs.getLong(EntryColumns.TIMESTAMP);
            if (wholeRow != null) {
                long shape = rs.getLong(EntryColumns.SHAPE);
                if (shape == 0 || !splitUsualText()) {
                    return readWhole(seq);
                }
                return usualShape(seq, timestamp, address(), usualText, addressEnd + 1, jsonEnd,
                        authors.text(usualText, jsonEnd + 1, usualText.length), shape);
            }
            String address = address();
            boolean checked = verifier != null || mac != null;
            // The JSON is needed as text only for a MAC, or when no exact form replaces it.
            String json = null;
            byte[] jsonBytes = null;
            long shape = 0;
            if (rawText && !checked) {
                jsonBytes = rs.getBytes(EntryColumns.VALUE_JSON);
                shape = rs.getLong(EntryColumns.SHAPE);
            } else {
                json = rs.getString(EntryColumns.VALUE_JSON);
            }
            if (shape != 0) {
                if (address == null || jsonBytes == null) {
                    throw new JournalException.Serialization("seq " + seq + ": address or value_json is NULL", null);
                }
                return usualShape(seq, timestamp, address, jsonBytes, 0, jsonBytes.length,
                        authors.text(rs.getBytes(EntryColumns.AUTHOR)), shape);
            }
            byte[] exact = rs.getBytes(EntryColumns.VALUE_EXACT);
            if (address == null || (json == null && jsonBytes == null)) {
                throw new JournalException.Serialization("seq " + seq + ": address or value_json is NULL", null);
            }
            if (verifier != null) {
                long storedRevision = rs.getLong(EntryColumns.REVISION);
                Long revision = rs.wasNull() ? null : storedRevision;
                String storedAuthor = rs.getString(EntryColumns.AUTHOR);
                // The MACs cover the author as written, as they cover the address.
                verifier.checkEntry(seq, timestamp, storedAuthor == null || storedText == null ? storedAuthor
                        : storedText.apply(storedAuthor), address,
                        rs.getString(EntryColumns.SIGNAL_TYPE), json, revision,
                        rs.getLong(EntryColumns.MSG_TYPE), exact, rs.getString(EntryColumns.HMAC),
                        rs.getString(EntryColumns.VALUE_EXACT_HMAC), rs.getString(EntryColumns.ENTRY_MAC),
                        rs.getString(EntryColumns.PREVIOUS_MAC));
            } else if (mac != null) {
                RowIntegrity.check(mac, seq, address, json, exact, timestamp, rs.getString(EntryColumns.HMAC),
                        rs.getString(EntryColumns.VALUE_EXACT_HMAC));
            }
            SignalType type = signalType(seq);
            Value value;
            try {
                if (exact != null) {
                    value = ExactCbor.fromExact(exact);
                } else {
                    value = jsonBytes != null ? RustJson.fromJsonUtf8(jsonBytes) : RustJson.fromJson(json);
                }
            } catch (RuntimeException e) {
                throw new JournalException.Serialization("seq " + seq + ": cannot decode "
                        + (exact != null ? "value_exact" : "value_json") + ": " + e.getMessage(), e);
            }
            long revision = rs.getLong(EntryColumns.REVISION);
            OptionalLong rev = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(revision);
            int msgType = rs.getInt(EntryColumns.MSG_TYPE);
            String author = rawText ? authors.text(rs.getBytes(EntryColumns.AUTHOR))
                    : rs.getString(EntryColumns.AUTHOR);
            author = author == null || storedText == null ? author : storedText.apply(author);
            return new JournalEntry(seq, timestamp, author == null ? "" : author, address, type, value,
                    rev, msgType);
        }

        /**
         * Reads a row of another shape again with every column. The statement runs on the same
         * connection while {@code rs} is open, so it sees the same read transaction.
         */
        private JournalEntry readWhole(long seq) throws SQLException {
            wholeRow.setLong(1, seq);
            try (ResultSet row = wholeRow.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("seq " + seq + " is gone within its read transaction");
                }
                return new Cursor(row, rawText, null, null, storedText, null).entry();
            }
        }

        /**
         * Reads {@link EntryColumns#USUAL_TEXT} of the current row, once, and finds its two
         * separators.
         *
         * @return whether it holds exactly two NULs, and so splits into its three columns
         */
        private boolean splitUsualText() throws SQLException {
            if (!usualTextRead) {
                usualTextRead = true;
                usualText = rs.getBytes(EntryColumns.USUAL_TEXT);
                addressEnd = -1;
                if (usualText != null) {
                    int first = indexOfNul(usualText, 0);
                    int second = first < 0 ? -1 : indexOfNul(usualText, first + 1);
                    if (second >= 0 && indexOfNul(usualText, second + 1) < 0) {
                        addressEnd = first;
                        jsonEnd = second;
                    }
                }
            }
            return addressEnd >= 0;
        }

        private static int indexOfNul(byte[] bytes, int from) {
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    return i;
                }
            }
            return -1;
        }

        /**
         * A row of the usual shape ({@link EntryColumns#SHAPE}): no exact value, nothing to
         * verify; its value_json is {@code json} from {@code jsonFrom} to {@code jsonTo}.
         */
        private JournalEntry usualShape(long seq, long timestamp, String address, byte[] json, int jsonFrom,
                int jsonTo, String author, long shape) {
            Value value;
            try {
                value = RustJson.fromJsonUtf8(json, jsonFrom, jsonTo);
            } catch (RuntimeException e) {
                throw new JournalException.Serialization("seq " + seq + ": cannot decode value_json: "
                        + e.getMessage(), e);
            }
            long revision = shape >>> 4;
            return new JournalEntry(seq, timestamp, author == null ? "" : author, address,
                    SIGNAL_TYPES[(int) (shape & 7) - 1], value,
                    revision == 0 ? OptionalLong.empty() : OptionalLong.of(revision - 1),
                    JournalEntry.MSG_PUBLISH + (int) ((shape >> 3) & 1));
        }

        private SignalType signalType(long seq) throws SQLException {
            String typeName;
            if (rawText) {
                byte[] name = rs.getBytes(EntryColumns.SIGNAL_TYPE);
                if (name != null) {
                    for (int i = 0; i < WIRE_NAMES.length; i++) {
                        if (Arrays.equals(WIRE_NAMES[i], name)) {
                            return SIGNAL_TYPES[i];
                        }
                    }
                }
                typeName = name == null ? null : new String(name, StandardCharsets.UTF_8);
            } else {
                typeName = rs.getString(EntryColumns.SIGNAL_TYPE);
            }
            try {
                return SignalType.fromWireName(typeName == null ? "" : typeName);
            } catch (IllegalArgumentException e) {
                throw new JournalException.Serialization(
                        "seq " + seq + ": unknown signal_type '" + typeName + "'", e);
            }
        }
    }

    /**
     * Turns UTF-8 bytes into Strings as {@code new String(bytes, UTF_8)} does, handing out the
     * same String again for bytes seen recently (a direct-mapped cache: a column's values
     * repeat, and a miss costs one comparison).
     */
    private static final class TextCache {
        private final byte[][] keys;
        private final String[] values;

        TextCache(int slots) {
            keys = new byte[slots][];
            values = new String[slots];
        }

        String text(byte[] utf8) {
            return utf8 == null ? null : text(utf8, 0, utf8.length);
        }

        /** {@link #text(byte[])} of the bytes from {@code from} (inclusive) to {@code to} (exclusive). */
        String text(byte[] bytes, int from, int to) {
            int hash = 1;
            for (int i = from; i < to; i++) {
                hash = 31 * hash + bytes[i];
            }
            int slot = hash & (keys.length - 1);
            byte[] key = keys[slot];
            if (key != null && Arrays.equals(key, 0, key.length, bytes, from, to)) {
                return values[slot];
            }
            String s = new String(bytes, from, to - from, StandardCharsets.UTF_8);
            keys[slot] = from == 0 && to == bytes.length ? bytes : Arrays.copyOfRange(bytes, from, to);
            values[slot] = s;
            return s;
        }
    }

    /**
     * Encodes a snapshot's params in both forms. Unlike an entry's, the exact form is always
     * written: besides values, a snapshot holds addresses and writers, whose text JSON cannot
     * always carry (unpaired surrogates), and snapshots are few.
     *
     * @param mac the key's MACs, or null to sign nothing
     * @throws JournalException.Serialization if a value cannot be encoded
     */
    public static EncodedSnapshot encodeSnapshot(List<ParamSnapshot> params, EntryMac mac) {
        try {
            return new EncodedSnapshot(RustJson.paramsToJson(params), ExactCbor.paramsToExact(params), mac);
        } catch (RuntimeException e) {
            throw new JournalException.Serialization("cannot encode the snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * A stored snapshot row as a {@link Snapshot}: its params decoded and checked (see
     * {@link #decodeSnapshot}), and the whole checked as {@code snapshot()} checks its input.
     *
     * @throws JournalException.Snapshot if the stored data is corrupt
     */
    public static Snapshot snapshot(long seqAt, long createdAt, String dataJson, byte[] dataExact) {
        List<ParamSnapshot> params = decodeSnapshot(seqAt, dataJson, dataExact);
        try {
            return new Snapshot(seqAt, createdAt, params);
        } catch (RuntimeException e) {
            throw new JournalException.Snapshot("the snapshot at seq " + seqAt + " is corrupt: " + e.getMessage(), e);
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
                params = ExactCbor.paramsFromExact(dataExact);
            } else {
                if (dataJson == null) {
                    throw new IllegalArgumentException("data_json is NULL");
                }
                params = RustJson.paramsFromJson(dataJson);
            }
            Validation.snapshot(params);
            return params;
        } catch (RuntimeException e) {
            throw new JournalException.Snapshot("the snapshot at seq " + seqAt + " is corrupt ("
                    + column + "): " + e.getMessage(), e);
        }
    }
}
