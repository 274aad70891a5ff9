package to.clasp.journal.internal.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.function.UnaryOperator;
import to.clasp.journal.IntegrityMode;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.state.StateFold;

/**
 * The integrity rules of a journal opened with an HMAC key: which rows must carry this
 * library's MACs, how entries are chained, and the signed record that holds both facts.
 *
 * <h2>Rows</h2>
 * Every entry this library writes with a key carries, besides the Rust crate's {@code hmac},
 * an {@code entry_mac} over all of its columns, its seq and the {@code entry_mac} of the entry
 * before it (see {@link EntryMac}). So a change to any column, a row copied to another seq, a
 * swap, a forged row and a deleted entry (its successor's link no longer resolves) are all
 * found when the row, or the one after it, is read. Every snapshot written with a key carries a
 * {@code data_mac}.
 *
 * <h2>The integrity record</h2>
 * One signed row in {@code journal_integrity} answers what the rows alone cannot:
 * <ul>
 *   <li>{@code keyed_from}: the first seq this library wrote with a key. Every entry from
 *       there on must carry an {@code entry_mac}, so an entry whose MAC was set to NULL cannot
 *       pass for one the Rust crate wrote; entries before it (Rust's, or written without a key)
 *       get exactly the Rust crate's check.</li>
 *   <li>{@code snapshots_from}: the same for snapshot ids.</li>
 *   <li>{@code low_water} and {@code low_water_link}: where compaction cut the chain, and the
 *       link the first entry kept was written with. Compaction moves them forward in the same
 *       transaction as the delete; an entry below {@code low_water} (from {@code keyed_from} on)
 *       must not exist, and every entry above it must find its predecessor.</li>
 * </ul>
 * The record is created the first time a file is opened with a key, unless the file already
 * holds this library's MACs (then the record was deleted: every read fails) or its newest Rust
 * {@code hmac} does not verify with the key (a wrong key: nothing is written, so the file is
 * not tied to it). A record that does not verify (altered, or another key) fails every
 * verified read.
 *
 * <h2>Modes</h2>
 * The rules above are {@link IntegrityMode#CHAIN}'s. In {@link IntegrityMode#ROW} a read checks
 * each entry as the Rust crate does ({@link RowIntegrity#check}) and nothing else: not the
 * record, the chain, the newest entry or the snapshots. Writing is the same in both modes.
 *
 * <h2>Cost</h2>
 * A read checks the record once (a primary-key lookup; its MAC is computed again only when the
 * record changed) and each entry with one MAC; the link comes with the row, from a primary-key
 * lookup that SQLite runs inside the same SELECT ({@link to.clasp.journal.internal.sqlite.SqliteSchema#withPreviousMac}).
 *
 * <p>Thread-safe.
 */
public final class SignedLog {

    /** The integrity record as stored. */
    public record Record(long keyedFrom, long snapshotsFrom, long lowWater, String lowWaterLink, String mac) {}

    private final EntryMac mac;
    private final IntegrityMode mode;
    private final IntegritySql sql;
    /** Turns a stored address or author back into the original; null for the identity. */
    private final UnaryOperator<String> storedText;
    /** True once this journal has seen or created a record: from then on it must exist. */
    private volatile boolean recordRequired;
    /** Set at open when the record cannot be this file's: every verified read fails with it. */
    private volatile String openProblem;
    /** The last record whose MAC verified, so that an unchanged record is not checked again. */
    private volatile Record verified;

    /**
     * The rules for a journal whose statements are {@code sql}.
     *
     * @param storedText turns a stored address or author back into the one the MACs cover, or
     *     null when they are stored as they are
     */
    public SignedLog(EntryMac mac, IntegrityMode mode, IntegritySql sql, UnaryOperator<String> storedText) {
        this.mac = mac;
        this.mode = mode;
        this.sql = sql;
        this.storedText = storedText;
    }

    public EntryMac mac() {
        return mac;
    }

    IntegritySql sql() {
        return sql;
    }

    UnaryOperator<String> storedText() {
        return storedText;
    }

    /** Where a verified read prepares its statements: a SQLite reader's cache, or a PostgreSQL connection. */
    @FunctionalInterface
    public interface Reads {
        /** A statement for {@code sql}; the caller closes only its result sets. */
        PreparedStatement prepare(String sql) throws SQLException;
    }

    // ---------------------------------------------------------------- opening

    /**
     * Finds the integrity record, or creates it (see the class comment for when it is not
     * created), inside a write transaction the caller opened and ends, on a connection where no
     * other writer can assign a seq or snapshot id meanwhile.
     */
    public void establishInTransaction(Connection c) throws SQLException {
        Record existing = readRecord(c, sql.readRecord());
        if (existing != null) {
            recordRequired = true;
            // A record copied in from another file signed with the same key, with a later
            // keyed_from, would pass this file's older signed rows off as Rust rows.
            try (PreparedStatement ps = c.prepareStatement(sql.signedRowBefore())) {
                ps.setLong(1, existing.keyedFrom());
                ps.setLong(2, existing.snapshotsFrom());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        openProblem = "the integrity record is not this file's: rows before seq "
                                + existing.keyedFrom() + " or snapshot id " + existing.snapshotsFrom()
                                + " carry this library's MACs";
                    }
                }
            }
            return;
        }
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(sql.anySignedRow())) {
                if (rs.next() && rs.getBoolean(1)) {
                    recordRequired = true; // the record was removed: reads must fail
                    return;
                }
            }
            try (ResultSet rs = s.executeQuery(sql.newestRustSignedRow())) {
                if (rs.next() && !EntryMac.same(mac.rowMac(rs.getString(1), rs.getString(2), rs.getLong(3)),
                        rs.getString(4))) {
                    return; // another key signed this file: do not tie it to this one
                }
            }
            long lastSeq;
            long lastSnapshot;
            try (ResultSet rs = s.executeQuery(sql.sequences())) {
                rs.next();
                lastSeq = rs.getLong(1);
                lastSnapshot = rs.getLong(2);
            }
            long keyedFrom = lastSeq + 1;
            try (PreparedStatement insert = c.prepareStatement(sql.insertRecord())) {
                insert.setLong(1, keyedFrom);
                insert.setLong(2, lastSnapshot + 1);
                insert.setLong(3, keyedFrom);
                insert.setString(4, "");
                insert.setString(5, mac.recordMac(keyedFrom, lastSnapshot + 1, keyedFrom, ""));
                insert.executeUpdate();
            }
            recordRequired = true;
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * The seq and link of the next entry, read inside the write transaction with
     * {@link to.clasp.journal.internal.sqlite.SqliteSchema#CHAIN_HEAD} or {@link to.clasp.journal.internal.postgres.PostgresSchema#chainHead}, whose columns are
     * the highest seq ever assigned, whether its entry exists, its entry_mac, and the record's
     * low_water, low_water_link and keyed_from (NULLs without a record).
     */
    public record Link(long keyedFrom, long seq, String link) {}

    public static Link nextLink(PreparedStatement chainHead) throws SQLException {
        try (ResultSet rs = chainHead.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("cannot read the head of the entry chain");
            }
            long last = rs.getLong(1);
            boolean lastExists = rs.getBoolean(2);
            String lastMac = rs.getString(3);
            long lowWater = rs.getLong(4);
            boolean hasRecord = !rs.wasNull();
            String lowWaterLink = rs.getString(5);
            long keyedFrom = rs.getLong(6);
            long seq = last + 1;
            String link;
            if (lastExists) {
                link = normalize(lastMac);
            } else if (hasRecord && lowWater == seq) {
                link = normalize(lowWaterLink);
            } else {
                link = "";
            }
            return new Link(keyedFrom, seq, link);
        }
    }

    /**
     * Moves the low-water mark to the first seq a compaction keeps, before it deletes: runs
     * inside the compaction's transaction on the write connection.
     *
     * @throws JournalException.Integrity (seq 0: no entry) if the record is missing or does not
     *     verify, so that compaction never signs over a tampered record
     */
    public void beforeCompaction(Connection c, long beforeSeq) throws SQLException {
        Record rec = recordToMove(c);
        if (rec == null) {
            return;
        }
        long lastSeq;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.sequences())) {
            rs.next();
            lastSeq = rs.getLong(1);
        }
        long newLow = Math.min(beforeSeq, lastSeq + 1);
        if (newLow <= rec.lowWater()) {
            return;
        }
        String link;
        try (PreparedStatement ps = c.prepareStatement(sql.entryMacAt())) {
            ps.setLong(1, newLow - 1);
            try (ResultSet rs = ps.executeQuery()) {
                link = rs.next() ? rs.getString(1) : null;
            }
        }
        moveLowWater(c, rec, newLow, link);
    }

    /**
     * The record a compaction moves, read with {@link IntegritySql#lockRecord} inside its
     * transaction; null when there is none to keep in step (a journal signed with another key).
     *
     * @throws JournalException.Integrity (seq 0: no entry) if the record is missing or does not
     *     verify, so that compaction never signs over a tampered record
     */
    public Record recordToMove(Connection c) throws SQLException {
        Record rec = readRecord(c, sql.lockRecord());
        if (rec == null) {
            if (recordRequired) {
                throw new JournalException.Integrity(0, "the integrity record is missing; not compacting");
            }
            return null; // a file signed with another key: nothing of ours to keep in step
        }
        if (!verifies(rec)) {
            throw new JournalException.Integrity(0,
                    "the integrity record does not verify with this key; not compacting");
        }
        return rec;
    }

    /**
     * Signs {@code rec} again with its low-water mark at {@code newLow}, where the first entry
     * kept links to {@code storedLink} (the entry_mac of the entry before it, as stored, or null);
     * does nothing unless the mark moves forward.
     */
    public void moveLowWater(Connection c, Record rec, long newLow, String storedLink) throws SQLException {
        if (newLow <= rec.lowWater()) {
            return;
        }
        String link = normalize(storedLink);
        try (PreparedStatement ps = c.prepareStatement(sql.updateLowWater())) {
            ps.setLong(1, newLow);
            ps.setString(2, link);
            ps.setString(3, mac.recordMac(rec.keyedFrom(), rec.snapshotsFrom(), newLow, link));
            ps.executeUpdate();
        }
    }

    /**
     * The {@code snapshots_from} a snapshot written now is signed with, read on the writer's
     * connection inside its transaction; 0 without a record.
     */
    public static long snapshotsFrom(Connection c, IntegritySql sql) throws SQLException {
        Record rec = readRecord(c, sql.readRecord());
        return rec == null ? 0 : rec.snapshotsFrom();
    }

    // ---------------------------------------------------------------- reading

    /** Starts the checks of one read, on one read connection. */
    public Verifier verifier(Reads reader) {
        return new Verifier(reader);
    }

    /**
     * The checks of one read: the record is read once, and the link of an entry whose
     * predecessor was just read is taken from it. Used by one thread.
     */
    public final class Verifier {
        private final Reads reader;
        private boolean loaded;
        private Record record;
        private String recordProblem;

        private Verifier(Reads reader) {
            this.reader = reader;
        }

        /**
         * Checks one entry row.
         *
         * @param previousMac the entry_mac of the entry before, lowercase, "" when it has none,
         *     null when that entry does not exist ({@link EntryColumns#PREVIOUS_MAC})
         * @throws JournalException.Integrity naming the seq, if it fails any rule
         */
        void checkEntry(long seq, long timestamp, String author, String address, String signalType,
                String valueJson, Long revision, long msgType, byte[] valueExact, String hmac,
                String exactHmac, String entryMac, String previousMac) throws SQLException {
            if (mode == IntegrityMode.ROW) {
                RowIntegrity.check(mac, seq, address, valueJson, valueExact, timestamp, hmac, exactHmac);
                return;
            }
            load();
            if (recordProblem != null) {
                throw new JournalException.Integrity(seq, recordProblem);
            }
            if (record == null || seq < record.keyedFrom()) {
                if (entryMac != null) {
                    throw new JournalException.Integrity(seq, record == null
                            ? "the entry carries an entry_mac, but the file has no integrity record"
                            : "the entry carries an entry_mac, but comes before seq " + record.keyedFrom()
                                    + ", where signing began");
                }
                RowIntegrity.check(mac, seq, address, valueJson, valueExact, timestamp, hmac, exactHmac);
                return;
            }
            String problem = chainProblem(seq, timestamp, author, address, signalType, valueJson, revision,
                    msgType, valueExact, hmac, exactHmac, entryMac, previousMac);
            if (problem != null) {
                throw new JournalException.Integrity(seq,
                        problem + RowIntegrity.rustRowsHint(reader, sql, record.keyedFrom()));
            }
        }

        /** Why a signed entry fails the chain, or null if it passes. */
        private String chainProblem(long seq, long timestamp, String author, String address, String signalType,
                String valueJson, Long revision, long msgType, byte[] valueExact, String hmac,
                String exactHmac, String entryMac, String previousMac) {
            if (entryMac == null) {
                return "entry_mac is missing (every entry from seq " + record.keyedFrom() + " on carries one)";
            }
            if (seq < record.lowWater()) {
                return "the entry is below seq " + record.lowWater() + ", where compaction cut the journal";
            }
            String link;
            if (seq == record.lowWater()) {
                link = normalize(record.lowWaterLink());
            } else if (previousMac == null) {
                return "the entry before it (seq " + (seq - 1) + ") is missing";
            } else {
                link = previousMac;
            }
            String expected = mac.entryMac(record.keyedFrom(), seq, timestamp, author, address, signalType, valueJson,
                    revision, msgType, valueExact, hmac, exactHmac, link);
            if (!EntryMac.same(expected, entryMac)) {
                return "entry_mac mismatch (a column, the seq or the entry before it was changed)";
            }
            return null;
        }

        /**
         * Entries missing after {@code afterSeq}, before the oldest one held, are a truncation
         * only if compaction removed them: a prefix or the whole journal deleted otherwise fails
         * with {@link JournalException.Integrity}, as a read of the entry after the gap does.
         * Returns normally when the gap is compaction's.
         *
         * @param afterSeq the last seq the reader already has
         * @param latest the highest seq ever assigned, read in the same transaction
         * @param noneHeld whether the journal holds no entry at all
         */
        public void checkGap(long afterSeq, long latest, boolean noneHeld) throws SQLException {
            if (noneHeld) {
                checkNewest(latest, false);
                return;
            }
            PreparedStatement ps = reader.prepare(sql.sinceVerified());
            ps.setLong(1, afterSeq);
            ps.setLong(2, 1);
            try (ResultSet rs = ps.executeQuery()) {
                SqlRows.Cursor row = new SqlRows.Cursor(rs, false, this, null, storedText, null);
                if (row.next()) {
                    row.entry();
                }
            }
        }

        /**
         * {@link #checkGap} for a fold that found entries it needs missing: fails with
         * {@link JournalException.Integrity} unless compaction removed them, in which case the
         * caller rethrows {@code gone}.
         *
         * @param bounds the journal's ends, read in the same read transaction as the fold
         */
        public void checkTruncation(JournalException.Truncated gone, StateFold.Bounds bounds) throws SQLException {
            checkGap(gone.firstMissed() - 1, bounds.latest(), bounds.oldest() > bounds.latest());
        }

        /**
         * Checks that the newest entry ever assigned still exists, unless it came before
         * signing began or compaction removed it: a tail cut off (with {@code sqlite_sequence}
         * left alone) is found here.
         *
         * @throws JournalException.Integrity naming that seq (0 when the record fails)
         */
        void checkNewest(long latestSeq, boolean exists) throws SQLException {
            if (mode == IntegrityMode.ROW) {
                return; // the Rust crate does not look for a tail cut off
            }
            load();
            if (recordProblem != null) {
                throw new JournalException.Integrity(0, recordProblem);
            }
            if (!exists && latestSeq > 0 && record != null && latestSeq >= record.keyedFrom()
                    && latestSeq >= record.lowWater()) {
                throw new JournalException.Integrity(latestSeq, "the newest entry is missing");
            }
        }

        /**
         * Checks a snapshot row.
         *
         * @throws JournalException.Snapshot if it fails any rule, so that recovery treats it as
         *     unreadable and rebuilds from the entries
         */
        public void checkSnapshot(long id, long createdAt, long seqAt, String dataJson, byte[] dataExact,
                String dataMac) throws SQLException {
            if (mode == IntegrityMode.ROW) {
                return; // the Rust crate signs no snapshot, and its snapshots must read
            }
            load();
            String problem = recordProblem;
            if (problem == null) {
                if (record == null || id < record.snapshotsFrom()) {
                    if (dataMac != null) {
                        problem = "it carries a data_mac, but is not among the snapshots that must";
                    }
                } else if (dataMac == null) {
                    problem = "data_mac is missing (every snapshot from id " + record.snapshotsFrom()
                            + " on carries one; the Rust crate's snapshots carry none: to share the file "
                            + "with the Rust crate, read it with IntegrityMode.ROW)";
                } else if (!EntryMac.same(mac.snapshotMac(record.snapshotsFrom(), createdAt, seqAt, dataJson,
                        dataExact), dataMac)) {
                    problem = "data_mac mismatch (its data, seq_at or created_at was changed)";
                }
            }
            if (problem != null) {
                throw new JournalException.Snapshot("the snapshot at seq " + seqAt
                        + " fails its integrity check: " + problem, null);
            }
        }

        private void load() throws SQLException {
            if (loaded) {
                return;
            }
            loaded = true;
            if (openProblem != null) {
                recordProblem = openProblem;
                return;
            }
            Record rec;
            try {
                rec = readRecord(reader.prepare(sql.readRecord()));
            } catch (SQLException e) {
                // SQLite's message, and PostgreSQL's SQLSTATE undefined_table
                if (!String.valueOf(e.getMessage()).contains("no such table") && !"42P01".equals(e.getSQLState())) {
                    throw e;
                }
                rec = null;
            }
            if (rec == null) {
                if (recordRequired) {
                    recordProblem = "the integrity record (table journal_integrity) is missing";
                }
            } else if (!verifies(rec)) {
                recordProblem = "the integrity record does not verify (another key, or it was altered)";
            } else {
                record = rec;
                recordRequired = true;
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean verifies(Record rec) {
        if (rec.equals(verified)) {
            return true;
        }
        boolean ok = rec.lowWaterLink() != null && rec.mac() != null && EntryMac.same(
                mac.recordMac(rec.keyedFrom(), rec.snapshotsFrom(), rec.lowWater(), rec.lowWaterLink()),
                rec.mac());
        if (ok) {
            verified = rec;
        }
        return ok;
    }

    private static Record readRecord(Connection c, String readRecord) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(readRecord)) {
            return readRecord(ps);
        }
    }

    private static Record readRecord(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            return new Record(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5));
        }
    }

    /** A stored MAC as a link: lowercase, and "" for none. */
    private static String normalize(String storedMac) {
        return storedMac == null ? "" : storedMac.toLowerCase(Locale.ROOT);
    }
}
