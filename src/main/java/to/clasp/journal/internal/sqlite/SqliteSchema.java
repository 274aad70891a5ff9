package to.clasp.journal.internal.sqlite;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import to.clasp.journal.internal.sql.IntegritySql;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.internal.sql.QueryPlan;
import to.clasp.journal.SignalType;
import to.clasp.journal.internal.sql.SqlSelect;

/**
 * The SQLite storage format, in one place: tables, columns, indexes, migrations and every SQL
 * statement the journal runs.
 *
 * <h2>Format</h2>
 * The Rust crate's tables, columns and indexes are kept exactly, so that files move both ways:
 * <pre>
 * journal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL,
 *                  author TEXT NOT NULL, address TEXT NOT NULL, signal_type TEXT NOT NULL,
 *                  value_json TEXT NOT NULL, revision INTEGER, msg_type INTEGER NOT NULL,
 *                  hmac TEXT,
 *                  -- added by this library, nullable, ignored by the Rust crate:
 *                  value_exact BLOB, value_exact_hmac TEXT, entry_mac TEXT)
 * idx_entries_address (address), idx_entries_timestamp (timestamp),
 * idx_entries_signal_type (signal_type)
 * snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL,
 *            seq_at INTEGER NOT NULL, data_json TEXT NOT NULL,
 *            -- added by this library:
 *            data_exact BLOB, data_mac TEXT)
 * -- added by this library, only ever one row (id = 1), written with an HMAC key:
 * journal_integrity (id INTEGER PRIMARY KEY CHECK (id = 1), keyed_from INTEGER NOT NULL,
 *                    snapshots_from INTEGER NOT NULL, low_water INTEGER NOT NULL,
 *                    low_water_link TEXT NOT NULL, mac TEXT NOT NULL)
 * </pre>
 * <ul>
 *   <li>{@code value_json} always holds the Rust crate's JSON, so a Rust reader sees what it
 *       expects; where that JSON is lossy (bytes, NaN, infinities) {@code value_exact} holds the
 *       exact CBOR form and readers here prefer it. It is NULL when the JSON is exact.</li>
 *   <li>{@code hmac} is the Rust crate's MAC over address, value_json and timestamp;
 *       {@code value_exact_hmac} covers {@code value_exact} in the same way (see
 *       {@link to.clasp.journal.internal.sql.EntryMac}). Both are NULL for rows written without a key.</li>
 *   <li>{@code entry_mac} covers the whole row, its seq and the {@code entry_mac} of the row
 *       before; {@code data_mac} covers a snapshot; {@code journal_integrity} says from which
 *       seq and snapshot id on these are required and where compaction cut the chain (see
 *       {@link to.clasp.journal.internal.sql.SignedLog}). All are written only with a key.</li>
 *   <li>{@code data_exact} is the exact CBOR form of a snapshot's params, written with every
 *       snapshot (addresses and writers, not only values, can be beyond JSON); readers here
 *       prefer it, and {@code data_json} is there for the Rust crate.</li>
 *   <li>New files get {@code auto_vacuum=INCREMENTAL} (before the first table exists, the only
 *       time it can be set without a VACUUM) so that compaction can give space back.</li>
 * </ul>
 * Opening an existing file adds whatever nullable columns are missing ({@code hmac}, as the
 * Rust crate does, and this library's own) and never changes anything else.
 */
public final class SqliteSchema {

    private SqliteSchema() {}

    static final String ENTRIES = "journal_entries";
    static final String SNAPSHOTS = "snapshots";
    static final String ADDRESS_INDEX = "idx_entries_address";

    /** Columns a journal_entries table must have to be read (the Rust crate's, minus hmac). */
    private static final List<String> REQUIRED_ENTRY_COLUMNS = List.of("seq", "timestamp", "author",
            "address", "signal_type", "value_json", "revision", "msg_type");

    private static final List<String> REQUIRED_SNAPSHOT_COLUMNS =
            List.of("id", "created_at", "seq_at", "data_json");

    /** Nullable columns added to a table when missing, in the order they are added. */
    private static final List<String[]> ADDED_COLUMNS = List.of(
            new String[] {ENTRIES, "hmac", "TEXT"},
            new String[] {ENTRIES, "value_exact", "BLOB"},
            new String[] {ENTRIES, "value_exact_hmac", "TEXT"},
            new String[] {ENTRIES, "entry_mac", "TEXT"},
            new String[] {SNAPSHOTS, "data_exact", "BLOB"},
            new String[] {SNAPSHOTS, "data_mac", "TEXT"});

    private static final List<String> REQUIRED_RECORD_COLUMNS = List.of("id", "keyed_from",
            "snapshots_from", "low_water", "low_water_link", "mac");

    // The Rust crate's DDL, column for column.
    private static final List<String> CREATE = List.of(
            "CREATE TABLE IF NOT EXISTS journal_entries (\n"
                    + "    seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
                    + "    timestamp INTEGER NOT NULL,\n"
                    + "    author TEXT NOT NULL,\n"
                    + "    address TEXT NOT NULL,\n"
                    + "    signal_type TEXT NOT NULL,\n"
                    + "    value_json TEXT NOT NULL,\n"
                    + "    revision INTEGER,\n"
                    + "    msg_type INTEGER NOT NULL,\n"
                    + "    hmac TEXT\n"
                    + ")",
            "CREATE INDEX IF NOT EXISTS idx_entries_address ON journal_entries(address)",
            "CREATE INDEX IF NOT EXISTS idx_entries_timestamp ON journal_entries(timestamp)",
            "CREATE INDEX IF NOT EXISTS idx_entries_signal_type ON journal_entries(signal_type)",
            "CREATE TABLE IF NOT EXISTS snapshots (\n"
                    + "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
                    + "    created_at INTEGER NOT NULL,\n"
                    + "    seq_at INTEGER NOT NULL,\n"
                    + "    data_json TEXT NOT NULL\n"
                    + ")",
            // This library's own table; the Rust crate never reads it.
            "CREATE TABLE IF NOT EXISTS journal_integrity (\n"
                    + "    id INTEGER PRIMARY KEY CHECK (id = 1),\n"
                    + "    keyed_from INTEGER NOT NULL,\n"
                    + "    snapshots_from INTEGER NOT NULL,\n"
                    + "    low_water INTEGER NOT NULL,\n"
                    + "    low_water_link TEXT NOT NULL,\n"
                    + "    mac TEXT NOT NULL\n"
                    + ")");

    // ---- statements run by the writer ----

    static final String BEGIN = "BEGIN IMMEDIATE";
    public static final String COMMIT = "COMMIT";
    static final String ROLLBACK = "ROLLBACK";
    static final String SAVEPOINT = "SAVEPOINT op";
    static final String RELEASE = "RELEASE op";
    static final String ROLLBACK_TO = "ROLLBACK TO op";

    /**
     * An entry without a result row, for a JDBC batch of unsigned appends: the writer learns
     * their seqs from {@link #SEQ_BASE} before and {@link #LATEST_SEQ} after. Parameters: seq
     * (NULL to let AUTOINCREMENT choose), timestamp, author, address, signal_type, value_json,
     * revision, msg_type, hmac, value_exact, value_exact_hmac, entry_mac.
     */
    static final String INSERT_ENTRY_BATCHED = "INSERT INTO journal_entries (seq, timestamp, author, address, "
            + "signal_type, value_json, revision, msg_type, hmac, value_exact, value_exact_hmac, entry_mac) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** {@link #INSERT_ENTRY_BATCHED} returning the entry's seq: the same parameters. */
    static final String INSERT_ENTRY = INSERT_ENTRY_BATCHED + " RETURNING seq";

    /**
     * The seq AUTOINCREMENT counts up from, inside a write transaction: the higher of the highest
     * seq ever assigned and the highest seq in the table (they differ only if something edited
     * sqlite_sequence).
     */
    static final String SEQ_BASE = "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'journal_entries'), 0),"
            + " COALESCE((SELECT max(seq) FROM journal_entries), 0))";

    /**
     * What a signed append links to, read inside the write transaction: the highest seq ever
     * assigned, whether that row still exists, its entry_mac, and the integrity record's low-water
     * mark, link and keyed_from (NULL without a record).
     */
    static final String CHAIN_HEAD = "WITH last(s) AS (SELECT COALESCE("
            + "(SELECT seq FROM sqlite_sequence WHERE name = 'journal_entries'), 0)) "
            + "SELECT last.s, e.seq IS NOT NULL, e.entry_mac, r.low_water, r.low_water_link, r.keyed_from "
            + "FROM last LEFT JOIN journal_entries e ON e.seq = last.s "
            + "LEFT JOIN journal_integrity r ON r.id = 1";

    /** Parameter: a seq. One row (its entry_mac) if the entry exists, none otherwise. */
    static final String ENTRY_MAC_AT = "SELECT entry_mac FROM journal_entries WHERE seq = ?";

    /** The integrity record, if there is one. */
    static final String READ_RECORD = "SELECT keyed_from, snapshots_from, low_water, low_water_link, mac "
            + "FROM journal_integrity WHERE id = 1";

    /** Parameters: keyed_from, snapshots_from, low_water, low_water_link, mac. */
    static final String INSERT_RECORD = "INSERT INTO journal_integrity "
            + "(id, keyed_from, snapshots_from, low_water, low_water_link, mac) VALUES (1, ?, ?, ?, ?, ?)";

    /** Parameters: low_water, low_water_link, mac. */
    static final String UPDATE_RECORD_LOW_WATER =
            "UPDATE journal_integrity SET low_water = ?, low_water_link = ?, mac = ? WHERE id = 1";

    /** Whether any row carries a MAC that only this library writes (a full scan; run once at open). */
    static final String ANY_SIGNED_ROW = "SELECT EXISTS (SELECT 1 FROM journal_entries WHERE entry_mac IS NOT NULL) "
            + "OR EXISTS (SELECT 1 FROM snapshots WHERE data_mac IS NOT NULL)";

    /**
     * Parameters: keyed_from, snapshots_from. Whether a row the record says came before signing
     * carries a MAC only this library writes (a range scan of those rows only; run at open).
     */
    static final String SIGNED_ROW_BEFORE = "SELECT EXISTS (SELECT 1 FROM journal_entries WHERE seq < ? "
            + "AND entry_mac IS NOT NULL) OR EXISTS (SELECT 1 FROM snapshots WHERE id < ? AND data_mac IS NOT NULL)";

    /** The newest row with a Rust-style hmac, to tell whether a key is the one the file was written with. */
    static final String NEWEST_RUST_SIGNED_ROW = "SELECT address, value_json, timestamp, hmac "
            + "FROM journal_entries WHERE hmac IS NOT NULL ORDER BY seq DESC LIMIT 1";

    /** The highest seq and snapshot id ever assigned (0 when none). */
    static final String SEQUENCES = "SELECT "
            + "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'journal_entries'), 0), "
            + "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'snapshots'), 0)";

    /** The highest seq ever assigned; AUTOINCREMENT keeps it here even when rows are gone. */
    public static final String LATEST_SEQ =
            "SELECT seq FROM sqlite_sequence WHERE name = 'journal_entries'";

    /** Parameters: created_at, seq_at, data_json, data_exact, data_mac. */
    static final String INSERT_SNAPSHOT = "INSERT INTO snapshots (created_at, seq_at, data_json, data_exact, "
            + "data_mac) VALUES (?, ?, ?, ?, ?)";

    /** The seq of the snapshot stored last; no row without one. */
    static final String NEWEST_SNAPSHOT_SEQ = "SELECT seq_at FROM snapshots ORDER BY id DESC LIMIT 1";

    /** Parameter: how many of the newest snapshots to keep. */
    static final String PRUNE_SNAPSHOTS = "DELETE FROM snapshots WHERE id NOT IN "
            + "(SELECT id FROM snapshots ORDER BY id DESC LIMIT ?)";

    /** Parameter: the first seq to keep. */
    static final String COMPACT = "DELETE FROM journal_entries WHERE seq < ?";

    /** Removes every entry; without a WHERE, SQLite frees whole pages instead of row by row. */
    static final String CLEAR_ENTRIES = "DELETE FROM journal_entries";

    /** Copies what it can of the WAL into the file without waiting for anyone. */
    static final String CHECKPOINT_PASSIVE = "PRAGMA wal_checkpoint(PASSIVE)";

    /**
     * The write connection's own automatic checkpoint, when a {@link WalCheckpointer} copies the
     * WAL on a thread of its own: a backstop at a higher mark than SQLite's 1,000 pages, and the
     * checkpoint that lets the WAL start over (see there).
     */
    static final String WAL_AUTOCHECKPOINT_BACKSTOP = "PRAGMA wal_autocheckpoint = 10000";

    /** How long, in ms, a statement waits for a lock another connection holds. */
    static final String BUSY_TIMEOUT = "PRAGMA busy_timeout";

    /** Sets {@link #BUSY_TIMEOUT}; 0 fails at once with SQLITE_BUSY. */
    static String busyTimeout(long millis) {
        return "PRAGMA busy_timeout = " + millis;
    }

    /** Copies the whole WAL into the file and truncates the WAL to zero bytes. */
    static final String CHECKPOINT_TRUNCATE = "PRAGMA wal_checkpoint(TRUNCATE)";

    /**
     * The size, in bytes, the WAL is cut back to whenever it is reset: about what
     * {@link #WAL_AUTOCHECKPOINT_BACKSTOP} lets it grow to (10,000 pages of 4 KiB), so that a
     * large transaction cannot leave a larger WAL behind, while a WAL that grows to the mark
     * again is not cut and grown anew at every reset (which cost one caller waiting for each
     * append about a tenth of its appends/s).
     */
    static final long WAL_SIZE_LIMIT = 40L << 20;

    /** Gives every free page back to the file system (new files only; see class comment). */
    static final String INCREMENTAL_VACUUM = "PRAGMA incremental_vacuum";

    // ---- vacuum (run by the writer, outside any transaction) ----

    /** Chooses incremental auto-vacuum; takes effect for an existing file with the next VACUUM. */
    static final String SET_INCREMENTAL_AUTO_VACUUM = "PRAGMA auto_vacuum = INCREMENTAL";

    /** Rebuilds the file without its free pages (it waits for no reader: WAL keeps them apart). */
    static final String VACUUM = "VACUUM";

    // ---- file figures (read by readers) ----

    static final String PAGE_SIZE = "PRAGMA main.page_size";
    static final String PAGE_COUNT = "PRAGMA main.page_count";
    static final String FREE_PAGES = "PRAGMA main.freelist_count";
    /** 0 = NONE (the Rust crate's files), 1 = FULL, 2 = INCREMENTAL (this library's files). */
    static final String AUTO_VACUUM = "PRAGMA main.auto_vacuum";

    /** Count, seq of the newest, and stored bytes (both forms) of the snapshots. */
    static final String SNAPSHOT_FIGURES = "SELECT COUNT(*), "
            + "(SELECT seq_at FROM snapshots ORDER BY id DESC LIMIT 1), "
            + "COALESCE(SUM(LENGTH(CAST(data_json AS BLOB)) + COALESCE(LENGTH(data_exact), 0)), 0) "
            + "FROM snapshots";

    // ---- statements run by readers ----

    public static final String COUNT = "SELECT COUNT(*) FROM journal_entries";

    /** Starts a read transaction: the statements up to COMMIT see one state of the file. */
    public static final String BEGIN_READ = "BEGIN";

    /** The latest seq ever assigned, and the oldest seq held (NULL when none), for a follower. */
    static final String FOLLOW_BOUNDS = "SELECT COALESCE((SELECT seq FROM sqlite_sequence "
            + "WHERE name = 'journal_entries'), 0), (SELECT MIN(seq) FROM journal_entries)";

    public static final String LATEST_SNAPSHOT = "SELECT seq_at, created_at, data_json, data_exact, id, data_mac "
            + "FROM snapshots ORDER BY id DESC LIMIT 1";

    /** Every snapshot, oldest first, with the columns of {@link #LATEST_SNAPSHOT}. */
    static final String ALL_SNAPSHOTS = "SELECT seq_at, created_at, data_json, data_exact, id, data_mac "
            + "FROM snapshots ORDER BY id";

    /** The highest seq ever assigned (0 for none) and whether its entry still exists. */
    static final String NEWEST_ENTRY = "WITH last(s) AS (SELECT COALESCE("
            + "(SELECT seq FROM sqlite_sequence WHERE name = 'journal_entries'), 0)) "
            + "SELECT last.s, EXISTS (SELECT 1 FROM journal_entries WHERE seq = last.s) FROM last";

    /** The columns every entry read selects, in the order {@link to.clasp.journal.internal.sql.EntryColumns#SEQ} and friends name. */
    private static final String ENTRY_COLUMN_LIST = "SELECT seq, timestamp, author, address, signal_type, "
            + "value_json, revision, msg_type, hmac, value_exact, value_exact_hmac, entry_mac, " + shapeColumn();
    private static final String ENTRY_COLUMNS = ENTRY_COLUMN_LIST + " FROM journal_entries";

    /** The largest revision {@link to.clasp.journal.internal.sql.EntryColumns#SHAPE} carries, plus one. */
    static final long SHAPE_REVISION_LIMIT = 1L << 52;

    /** The expression of {@link to.clasp.journal.internal.sql.EntryColumns#SHAPE}. */
    private static String shapeColumn() {
        StringBuilder types = new StringBuilder("CASE signal_type");
        for (SignalType t : SignalType.values()) {
            types.append(" WHEN '").append(t.wireName()).append("' THEN ").append(t.ordinal() + 1);
        }
        types.append(" END");
        // An unknown signal type makes the sum NULL, which reads as 0. "revision = (revision | 0)"
        // holds only for an integer (a REAL with a fraction, TEXT and BLOB fail it); typeof()
        // said the same at three times the cost, a function call and a string per row.
        return "CASE WHEN value_exact IS NULL AND msg_type IN (" + JournalEntry.MSG_PUBLISH + ", "
                + JournalEntry.MSG_SET + ") AND (revision IS NULL OR (revision = (revision | 0) "
                + "AND revision BETWEEN 0 AND " + (SHAPE_REVISION_LIMIT - 1) + ")) THEN (" + types
                + ") + 8 * (msg_type - " + JournalEntry.MSG_PUBLISH + ") + 16 * ifnull(revision + 1, 0) ELSE 0 END";
    }

    /**
     * The column a verified read adds ({@link to.clasp.journal.internal.sql.EntryColumns#PREVIOUS_MAC}): the entry_mac of the entry
     * before, in lowercase, '' when it has none, NULL when that entry does not exist. A primary
     * key lookup that SQLite runs for each row it returns.
     */
    private static final String PREVIOUS_MAC_COLUMN = ", (SELECT lower(COALESCE(p.entry_mac, '')) "
            + "FROM journal_entries p WHERE p.seq = e.seq - 1) FROM journal_entries e";

    /**
     * The same SELECT of entries with the column a verified read needs added as the last one:
     * the table is aliased {@code e}, and every other clause stays as it is.
     *
     * @param entrySelect a SELECT built on this class's entry columns ({@link #SINCE}, a {@link SqlSelect})
     */
    public static String withPreviousMac(String entrySelect) {
        if (!entrySelect.startsWith(ENTRY_COLUMNS)) {
            throw new IllegalArgumentException("not a SELECT of the entry columns: " + entrySelect);
        }
        return ENTRY_COLUMN_LIST + PREVIOUS_MAC_COLUMN + entrySelect.substring(ENTRY_COLUMNS.length());
    }

    /**
     * The same SELECT of entries reading, besides {@link to.clasp.journal.internal.sql.EntryColumns#SHAPE}, only what a row of the
     * usual shape needs, in one column ({@link to.clasp.journal.internal.sql.EntryColumns#USUAL_TEXT}), and the address on its own for
     * a row that must be read whole; the other columns come back NULL, at the same positions. A
     * row whose shape is 0, or whose text cannot be split, is read again whole with
     * {@link #ENTRY_AT}, in the same read transaction. Fetching a column costs a JNI call and a
     * new array, more than SQLite takes to join three: the seven columns fewer and the joined
     * text took some 50 ns off a row's 700 in {@code since}.
     *
     * @param entrySelect a SELECT built on this class's entry columns ({@link #SINCE}, a {@link SqlSelect})
     */
    public static String withUsualColumns(String entrySelect) {
        if (!entrySelect.startsWith(ENTRY_COLUMNS)) {
            throw new IllegalArgumentException("not a SELECT of the entry columns: " + entrySelect);
        }
        return USUAL_COLUMN_LIST + entrySelect.substring(ENTRY_COLUMN_LIST.length());
    }

    private static final String USUAL_COLUMN_LIST = "SELECT seq, timestamp, NULL, address, NULL, "
            + "address || char(0) || value_json || char(0) || author, NULL, NULL, NULL, NULL, NULL, NULL, "
            + shapeColumn();

    /** Every entry column of the entry with seq ?, for a row {@link #withUsualColumns} read in part. */
    static final String ENTRY_AT = ENTRY_COLUMNS + " WHERE seq = ?";


    /** Parameters: the seq to read after, and the limit (-1 for none). */
    static final String SINCE = ENTRY_COLUMNS + " WHERE seq > ? ORDER BY seq LIMIT ?";

    /** {@link #SINCE} for a verified read. */
    static final String SINCE_VERIFIED = withPreviousMac(SINCE);

    /** The first seq from a given one on whose row carries no {@code entry_mac}; NULL if none. */
    static final String FIRST_UNCHAINED_ENTRY =
            "SELECT min(seq) FROM journal_entries WHERE seq >= ? AND entry_mac IS NULL";

    /**
     * The integrity statements in SQLite's dialect. The write transaction (BEGIN IMMEDIATE)
     * already locks the whole file, so the record needs no lock of its own.
     */
    static final IntegritySql INTEGRITY = new IntegritySql(READ_RECORD, READ_RECORD, INSERT_RECORD,
            UPDATE_RECORD_LOW_WATER, SIGNED_ROW_BEFORE, ANY_SIGNED_ROW, NEWEST_RUST_SIGNED_ROW, SEQUENCES,
            ENTRY_MAC_AT, FIRST_UNCHAINED_ENTRY, SINCE_VERIFIED, NEWEST_ENTRY, ALL_SNAPSHOTS);

    /** {@link #SINCE} with only the usual columns ({@link #withUsualColumns}). */
    static final String SINCE_USUAL = withUsualColumns(SINCE);

    /**
     * The SET entries in a seq range, for {@link Journal#stateAt}: a range of the primary key.
     * Parameters: the seq to read after, the last seq to read, and the limit.
     */
    public static final String SETS_BETWEEN = ENTRY_COLUMNS + " WHERE seq > ? AND seq <= ? AND msg_type = "
            + JournalEntry.MSG_SET + " ORDER BY seq LIMIT ?";

    /**
     * The first address, in index order, at or after the parameter: one seek on the address
     * index. With {@link #NEXT_ADDRESS} it walks the distinct addresses, one seek each.
     */
    static final String FIRST_ADDRESS =
            "SELECT address FROM journal_entries WHERE address >= ? ORDER BY address LIMIT 1";

    /** The first address, in index order, after the parameter. */
    static final String NEXT_ADDRESS =
            "SELECT address FROM journal_entries WHERE address > ? ORDER BY address LIMIT 1";

    /**
     * The lowest and highest seq held (NULLs when empty), one seek at each end of the table:
     * SQLite optimizes a lone {@code min(seq)} or {@code max(seq)} into a seek, but a SELECT of
     * both scans the whole table. Read by queries and by each chunk of a compaction.
     */
    static final String HELD_SEQS = "SELECT (SELECT seq FROM journal_entries ORDER BY seq LIMIT 1), "
            + "(SELECT seq FROM journal_entries ORDER BY seq DESC LIMIT 1)";

    /**
     * Plans a query for a SQLite file, which may hold rows of any program: everything but an
     * exact address is checked again (see {@link QueryPlan.Stored#ANY_TEXT}).
     */
    public static QueryPlan plan(JournalQuery query) {
        return QueryPlan.of(query, QueryPlan.Stored.ANY_TEXT);
    }

    /**
     * Renders a plan. SQLite compares text as UTF-8 bytes, that is in code point order, so a
     * prefix range on the address index holds exactly the strings that start with the prefix.
     */
    public static SqlSelect select(QueryPlan plan) {
        List<Object> params = new ArrayList<>(6);
        List<String> where = new ArrayList<>(4);
        QueryPlan.Address address = plan.address();
        if (address instanceof QueryPlan.Exact exact) {
            where.add("address = ?");
            params.add(exact.address());
        } else if (address instanceof QueryPlan.OneOf oneOf) {
            // As for the range: seqs from the index alone, walked in order.
            StringBuilder in = new StringBuilder("seq IN (SELECT seq FROM journal_entries WHERE address IN (");
            List<String> addresses = oneOf.addresses();
            for (int i = 0; i < addresses.size(); i++) {
                in.append(i == 0 ? "?" : ", ?");
                params.add(addresses.get(i));
            }
            where.add(in.append("))").toString());
        } else if (address instanceof QueryPlan.PrefixRange range) {
            // As a subquery, the range is read from the index alone and yields seqs that SQLite
            // walks in order: no table lookups and no sort for rows a limit never reaches.
            where.add("seq IN (SELECT seq FROM journal_entries WHERE " + prefixRange(range, params) + ")");
        } else if (address instanceof QueryPlan.NoAddress) {
            throw new IllegalArgumentException("a SQLite file may hold any address: " + plan);
        }
        if (plan.seqRange().isPresent()) {
            where.add("seq >= ? AND seq <= ?");
            params.add(plan.seqRange().get().first());
            params.add(plan.seqRange().get().last());
        }
        // Walking a seq range, the timestamp index would bring the rows in timestamp order, to
        // be sorted by seq: the unary + keeps SQLite from using it.
        addTimeBounds(plan, plan.seqRange().isPresent(), where, params);
        Set<SignalType> types = plan.types();
        if (!types.isEmpty()) {
            // Five values make a poor index, but SQLite rates IN (...) above a range: keep it
            // (unary +) from taking over from the address or timestamp index.
            // Each name also as a BLOB of its UTF-8 bytes: reads decode a foreign row's BLOB
            // signal_type by its bytes, so the filter selects it too (an IN list of both forms
            // still uses the index, where a CAST would not).
            StringBuilder in = new StringBuilder(where.isEmpty() ? "signal_type IN (" : "+signal_type IN (");
            int i = 0;
            for (SignalType t : types) {
                in.append(i++ == 0 ? "?, ?" : ", ?, ?");
                params.add(t.wireName());
                params.add(t.wireName().getBytes(StandardCharsets.UTF_8));
            }
            where.add(in.append(')').toString());
        }
        return SqlSelect.of(ENTRY_COLUMNS, where, params, plan);
    }

    /**
     * The lowest and highest seq, and the number, of the entries in a plan's time range: read
     * from the timestamp index alone. Null when the query has no time bound.
     */
    static SqlSelect timeRangeSeqs(QueryPlan plan) {
        List<Object> params = new ArrayList<>(2);
        List<String> where = new ArrayList<>(2);
        addTimeBounds(plan, false, where, params);
        if (where.isEmpty()) {
            return null;
        }
        return new SqlSelect("SELECT min(seq), max(seq), count(*) FROM journal_entries WHERE "
                + String.join(" AND ", where), List.copyOf(params), false);
    }

    /** Adds the plan's time bounds, if any; {@code noIndex} keeps SQLite from using the timestamp index. */
    private static void addTimeBounds(QueryPlan plan, boolean noIndex, List<String> where, List<Object> params) {
        String column = noIndex ? "+timestamp" : "timestamp";
        if (plan.fromMicros().isPresent()) {
            where.add(column + " >= ?");
            params.add(plan.fromMicros().getAsLong());
        }
        if (plan.toMicros().isPresent()) {
            where.add(column + " <= ?");
            params.add(plan.toMicros().getAsLong());
        }
    }

    /**
     * Counts the entries in the literal prefix range of a plan's pattern, from the address
     * index alone, stopping at {@code cap}: a limited query reads a range holding fewer entries
     * than its seq-order probe would read through the range itself. Null when the pattern has
     * no such range ({@link QueryPlan#addressRange()} is false).
     */
    static SqlSelect countInPrefixRange(QueryPlan plan, long cap) {
        QueryPlan.PrefixRange range = plan.literalPrefixRange();
        if (range == null) {
            return null;
        }
        List<Object> params = new ArrayList<>(3);
        String condition = prefixRange(range, params);
        params.add(cap);
        return new SqlSelect("SELECT count(*) FROM (SELECT 1 FROM journal_entries WHERE " + condition + " LIMIT ?)",
                List.copyOf(params), false);
    }

    /**
     * The condition selecting exactly the addresses of {@code range}, on the address index,
     * its bounds added to {@code params}.
     */
    private static String prefixRange(QueryPlan.PrefixRange range, List<Object> params) {
        params.add(range.low());
        if (range.high() == null) {
            return "address >= ?";
        }
        params.add(range.high());
        return "address >= ? AND address < ?";
    }

    // ---- opening ----

    /**
     * Checks that an existing database can hold a journal, without writing anything: a
     * journal_entries or snapshots table, if present, must have the columns this library reads,
     * and seq must be an AUTOINCREMENT key (or seqs could be reused).
     *
     * @return null if the database is usable, else the reason it is not
     * @throws SQLException if the database cannot be read (for instance, it is not SQLite)
     */
    static String checkExisting(Connection c) throws SQLException {
        // Anything else under the names of the tables or indexes (names are case-insensitive)
        // would make prepare() fail half-way, after the file has been switched to WAL.
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, type FROM sqlite_master WHERE"
                        + " (lower(name) IN ('journal_entries', 'snapshots') AND type <> 'table')"
                        + " OR (lower(name) IN ('idx_entries_address', 'idx_entries_timestamp',"
                        + " 'idx_entries_signal_type') AND type <> 'index')")) {
            if (rs.next()) {
                return rs.getString(1) + " is a " + rs.getString(2) + ", not a table";
            }
        }
        String entriesSql = null;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'journal_entries'")) {
            if (rs.next()) {
                entriesSql = rs.getString(1);
                if (entriesSql == null) {
                    entriesSql = "";
                }
            }
        }
        if (entriesSql != null) {
            Set<String> columns = columns(c, ENTRIES);
            List<String> missing = new ArrayList<>();
            for (String col : REQUIRED_ENTRY_COLUMNS) {
                if (!columns.contains(col)) {
                    missing.add(col);
                }
            }
            if (!missing.isEmpty()) {
                return "table journal_entries is not a journal table: it lacks the columns " + missing;
            }
            if (!entriesSql.toUpperCase(Locale.ROOT).contains("AUTOINCREMENT")) {
                return "table journal_entries is not a journal table: seq is not INTEGER PRIMARY KEY AUTOINCREMENT";
            }
        }
        Set<String> snapshotColumns = columns(c, SNAPSHOTS);
        if (!snapshotColumns.isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String col : REQUIRED_SNAPSHOT_COLUMNS) {
                if (!snapshotColumns.contains(col)) {
                    missing.add(col);
                }
            }
            if (!missing.isEmpty()) {
                return "table snapshots is not a journal snapshot table: it lacks the columns " + missing;
            }
        }
        Set<String> recordColumns = columns(c, "journal_integrity");
        if (!recordColumns.isEmpty() && !recordColumns.containsAll(REQUIRED_RECORD_COLUMNS)) {
            return "table journal_integrity is not this library's integrity record: it has the columns "
                    + recordColumns;
        }
        return null;
    }

    /**
     * Checks, without writing, that an existing database is a journal that can be read as it
     * is: what {@link #checkExisting} checks, and a journal_entries table must be there.
     *
     * @return null if the database can be read, else the reason it cannot
     * @throws SQLException if the database cannot be read (for instance, it is not SQLite)
     */
    static String checkReadable(Connection c) throws SQLException {
        String problem = checkExisting(c);
        if (problem == null && columns(c, ENTRIES).isEmpty()) {
            problem = "it holds no journal_entries table, so it is not a journal";
        }
        return problem;
    }

    /**
     * The statements that let a read-only connection read a file that was never migrated (a
     * Rust file lacks this library's columns, an older one even {@code hmac}): TEMP views with
     * the tables' names, which shadow them on that connection only, give every missing column
     * as NULL. Nothing is written to the file; SQLite flattens these views, so the indexes
     * still serve every query. Empty when the file has every column.
     */
    static List<String> readOnlyViews(Connection c) throws SQLException {
        List<String> views = new ArrayList<>(2);
        Set<String> entryColumns = columns(c, ENTRIES);
        List<String> entrySelect = new ArrayList<>(REQUIRED_ENTRY_COLUMNS);
        boolean entriesComplete = true;
        for (String[] added : ADDED_COLUMNS) {
            if (added[0].equals(ENTRIES)) {
                boolean present = entryColumns.contains(added[1]);
                entriesComplete &= present;
                entrySelect.add(present ? added[1] : "NULL AS " + added[1]);
            }
        }
        if (!entriesComplete) {
            views.add("CREATE TEMP VIEW journal_entries AS SELECT " + String.join(", ", entrySelect)
                    + " FROM main.journal_entries");
        }
        Set<String> snapshotColumns = columns(c, SNAPSHOTS);
        if (snapshotColumns.isEmpty()) {
            views.add("CREATE TEMP VIEW snapshots (id, created_at, seq_at, data_json, data_exact, data_mac) "
                    + "AS SELECT NULL, NULL, NULL, NULL, NULL, NULL WHERE 0");
        } else if (!snapshotColumns.contains("data_exact") || !snapshotColumns.contains("data_mac")) {
            views.add("CREATE TEMP VIEW snapshots AS SELECT " + String.join(", ", REQUIRED_SNAPSHOT_COLUMNS)
                    + (snapshotColumns.contains("data_exact") ? ", data_exact" : ", NULL AS data_exact")
                    + (snapshotColumns.contains("data_mac") ? ", data_mac" : ", NULL AS data_mac")
                    + " FROM main.snapshots");
        }
        return List.copyOf(views);
    }

    /** Runs {@link #readOnlyViews} on a new read-only connection; temp objects stay in memory. */
    static void prepareReadOnly(Connection c, List<String> views) throws SQLException {
        if (views.isEmpty()) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA temp_store = MEMORY");
            for (String view : views) {
                s.execute(view);
            }
        }
    }

    /**
     * Prepares a database for writing: file settings first (incremental auto-vacuum can only be
     * chosen while the file has no pages), then tables, indexes and missing columns in one
     * transaction.
     *
     * @param fileBacked whether the database is a file (WAL and synchronous apply)
     * @param synchronous the {@code synchronous} setting for a file: NORMAL or FULL
     */
    public static void prepare(Connection c, boolean fileBacked, String synchronous) throws SQLException {
        try (Statement s = c.createStatement()) {
            long pages;
            try (ResultSet rs = s.executeQuery("PRAGMA page_count")) {
                pages = rs.next() ? rs.getLong(1) : 0;
            }
            if (pages == 0) {
                s.execute("PRAGMA auto_vacuum = INCREMENTAL");
            }
            if (fileBacked) {
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new SQLException("could not switch to WAL mode (journal_mode is " + mode + ")");
                    }
                }
                s.execute("PRAGMA synchronous = " + synchronous);
                s.execute("PRAGMA journal_size_limit = " + WAL_SIZE_LIMIT);
            }
            inTransaction(c, () -> {
                for (String ddl : CREATE) {
                    s.execute(ddl);
                }
                for (String[] added : ADDED_COLUMNS) {
                    if (!columns(c, added[0]).contains(added[1])) {
                        s.execute("ALTER TABLE " + added[0] + " ADD COLUMN " + added[1] + " " + added[2]);
                    }
                }
            });
        }
    }

    /** Work on a connection inside {@link #inTransaction}. */
    @FunctionalInterface
    public interface Work {
        void run() throws SQLException;
    }

    /**
     * Runs {@code work} in one write transaction ({@link #BEGIN}) on {@code c}: commits it, or
     * rolls it back when it fails (a failed rollback is added to the failure).
     */
    public static void inTransaction(Connection c, Work work) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(BEGIN);
            try {
                work.run();
                s.execute(COMMIT);
            } catch (SQLException | RuntimeException e) {
                try {
                    s.execute(ROLLBACK);
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /** The column names of a table, empty if it does not exist. */
    public static Set<String> columns(Connection c, String table) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                names.add(rs.getString("name").toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }
}
