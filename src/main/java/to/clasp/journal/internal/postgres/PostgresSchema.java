package to.clasp.journal.internal.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import to.clasp.journal.internal.sql.IntegritySql;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.internal.sql.QueryPlan;
import to.clasp.journal.SignalType;
import to.clasp.journal.internal.sql.SqlSelect;

/**
 * The PostgreSQL storage format, in one place: tables, indexes and every SQL statement a
 * {@link to.clasp.journal.PostgresJournal} runs, all qualified with the journal's schema.
 *
 * <h2>Format</h2>
 * The SQLite format's columns, with PostgreSQL types, plus a counter row:
 * <pre>
 * journal_seq     (id SMALLINT PRIMARY KEY CHECK (id = 1), last_seq BIGINT NOT NULL)  -- one row
 * journal_entries (seq BIGINT PRIMARY KEY, timestamp BIGINT NOT NULL, author TEXT NOT NULL,
 *                  address TEXT COLLATE "C" NOT NULL, signal_type TEXT NOT NULL,
 *                  value_json TEXT NOT NULL, revision BIGINT, msg_type INTEGER NOT NULL,
 *                  hmac TEXT, value_exact BYTEA, value_exact_hmac TEXT, entry_mac TEXT)
 * idx_entries_address (address, seq), idx_entries_timestamp (timestamp)
 * snapshots       (id BIGSERIAL PRIMARY KEY, created_at BIGINT NOT NULL, seq_at BIGINT NOT NULL,
 *                  data_json TEXT NOT NULL, data_exact BYTEA, data_mac TEXT)
 * journal_integrity (id SMALLINT PRIMARY KEY CHECK (id = 1), keyed_from BIGINT NOT NULL,
 *                  snapshots_from BIGINT NOT NULL, low_water BIGINT NOT NULL,
 *                  low_water_link TEXT NOT NULL, mac TEXT NOT NULL)  -- one row, with a key
 * </pre>
 * <ul>
 *   <li>{@code journal_seq.last_seq} is the highest seq ever assigned. Every write transaction
 *       locks this row first (see {@link #RESERVE}) and holds it until it commits, which is what
 *       makes seqs dense and commit-ordered across writers (see {@link to.clasp.journal.PostgresJournal}).</li>
 *   <li>{@code address} compares byte-wise ({@code COLLATE "C"}: UTF-8 bytes, that is code
 *       point order, whatever the database's locale), so prefix ranges on the address index hold
 *       exactly the addresses that start with the prefix, case included.</li>
 *   <li>{@code value_json} is TEXT, not JSONB: it holds the Rust crate's JSON byte for byte
 *       (the HMAC covers that text, and JSONB would reorder keys and refuse {@code \u0000}).
 *       {@code value_exact}, {@code hmac}, {@code value_exact_hmac}, {@code data_json} and
 *       {@code data_exact} mean what they mean in the SQLite format ({@link to.clasp.journal.internal.sqlite.SqliteSchema}).</li>
 *   <li>The SQLite format's {@code signal_type} index is left out: five values make an index
 *       the planner would not use.</li>
 *   <li>{@code entry_mac}, {@code data_mac} and {@code journal_integrity} are the SQLite
 *       format's chain, snapshot MACs and signed record (see {@link to.clasp.journal.internal.sql.SignedLog}); the MACs cover
 *       addresses and authors as written, before the escape below. A schema created before
 *       them gets them, empty, the next time a journal opens it for writing; its rows then
 *       count as written before signing began.</li>
 * </ul>
 * PostgreSQL text cannot hold U+0000, which addresses and authors may contain. So
 * {@code address} and {@code author} are stored with two characters escaped: U+0000 as U+0001
 * U+0001, and U+0001 as U+0001 U+0002 (see {@link #toStored}). Every other address is stored as
 * it is. The escape is a prefix-free code that keeps code point order, so equality, order and
 * prefixes of stored addresses are those of the originals, and prefix ranges stay exact.
 *
 * <p>Entry SELECTs list the columns in the SQLite format's order, so {@link to.clasp.journal.internal.sql.SqlRows} decodes
 * the rows of both backends.
 */
public final class PostgresSchema {

    /** What a schema name may be: a plain lowercase identifier, so it never needs quoting. */
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,54}");

    /** Serialises the creation of the tables among journals opening the same schema at once. */
    private static final long CREATE_LOCK_KEY = 0x636c_6173_705f_6a6eL;

    /**
     * The first half of the two-key advisory lock of {@link #tryMaintenanceLock} (PostgreSQL
     * keeps two-key locks apart from one-key ones such as {@link #CREATE_LOCK_KEY}).
     */
    private static final int MAINTENANCE_LOCK_CLASS = 0x636c_6a6d;

    private final String schema;

    // ---- statements run by the writer ----

    /**
     * Locks the counter row until commit and takes the next {@code ?} seqs: returns the new
     * {@code last_seq}; the batch's seqs are the {@code ?} numbers up to it. The notification
     * (payload: that seq) is only delivered if the transaction commits, and then after it.
     */
    final String reserve;
    /**
     * A whole group of appends in one statement: {@link #reserve}'s counter update, then the
     * rows from arrays, each given the next reserved seq in array order. Parameters: the number
     * of rows twice, then one array per column of {@link #insertEntry} but seq (bigint[],
     * text[], text[], text[], text[], bigint[], int[], text[], bytea[], text[]). Returns the new
     * {@code last_seq}, and notifies as {@link #reserve} does.
     */
    final String appendGroup;
    /**
     * {@link #appendGroup} for a signed journal, which must know the seqs before it writes: the
     * counter moves only if it still holds the value the group was signed for, and otherwise
     * the statement writes nothing and returns no row. Parameters: the number of rows, the
     * expected {@code last_seq}, the number of rows, {@link #appendGroup}'s ten arrays, then the
     * entry_macs (text[]).
     */
    final String appendGroupChained;
    /**
     * What the next signed append links to ({@link to.clasp.journal.internal.sql.SignedLog#nextLink}): the highest seq ever
     * assigned, whether its entry exists, its entry_mac, and the record's low_water,
     * low_water_link and keyed_from (NULLs without one). Run after {@link #lockCounter}, in a
     * statement of its own: under READ COMMITTED a statement sees what committed before it
     * began, and a single statement that waited for the lock would see the counter row as the
     * writer before it left it, but not that writer's entries.
     */
    final String chainHead;
    /** Parameters: seq, timestamp, author, address, signal_type, value_json, revision, msg_type, hmac, value_exact, value_exact_hmac, entry_mac. */
    final String insertEntry;
    /** Parameters: created_at, seq_at, data_json, data_exact, data_mac. */
    final String insertSnapshot;
    /** Parameter: how many of the newest snapshots to keep. */
    final String pruneSnapshots;
    /**
     * Deletes the oldest rows in a seq range and returns how many, the highest seq deleted
     * (NULL for none) and that entry's entry_mac, the link of the first entry kept. Parameters: the lowest seq that may be left (every seq below it is gone
     * already), the first seq to keep, the most rows to delete in one transaction.
     */
    final String compactChunk;

    /**
     * What the writer compares after a COMMIT whose outcome it could not learn. Parameters: the
     * first and last seq it had reserved.
     */
    final String rowsBetween;

    // ---- statements run by readers ----

    /** Makes the transaction about to start see one state of the database, and only read. */
    static final String READ_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";


    public final String latestSeq;
    public final String count;
    /** Whether the tables have the integrity columns and record table (a read-only journal may open an older schema). */
    final String integrityTablesQuery;
    /** The integrity statements in PostgreSQL's dialect. */
    public final IntegritySql integrity;
    /** {@link #since} with the columns a verified read needs ({@link #withPreviousMac}). */
    public final String sinceVerified;
    /** {@link #setsBetween} with the columns a verified read needs. */
    final String setsBetweenVerified;
    /** The latest seq ever assigned and the oldest seq held (NULL when empty), for followers. */
    public final String followBounds;
    public final String latestSnapshot;
    /**
     * The tables' sizes on the server and the snapshots' figures: entries table bytes, entries
     * index bytes, snapshots table bytes (indexes included), snapshot count, newest snapshot seq
     * (NULL without one), snapshot data bytes.
     */
    public final String tableInfo;
    /** Parameters: the seq to read after, and the limit (NULL for none). */
    public final String since;
    /**
     * The SET entries in a seq range, for {@link Journal#stateAt}: a range of the primary key.
     * Parameters: the seq to read after, the last seq to read, and the limit.
     */
    final String setsBetween;
    /** The newest snapshot at or below a seq, with {@link #latestSnapshot}'s columns. Parameter: the seq. */
    final String snapshotAtOrBelow;
    /**
     * The SETs of a seq range that a fold keeps, for {@link Journal#checkpoint()}: per address
     * the one with the highest revision, of equal revisions the lowest seq (the one applied
     * first), SETs without a revision left out; in seq order, with {@link #setsBetween}'s
     * columns and parameters. The server sorts the range, so only one row per address travels.
     */
    final String latestSetPerAddress;
    /**
     * Takes the schema's maintenance lock for the session, if free: a session-level advisory
     * lock that checkpoints and compactions of every journal on the schema take in turn.
     * Returns whether it was taken. The key's first half is this library's, the second the
     * schema's hash (two schemas that share a hash only take turns needlessly).
     */
    public final String tryMaintenanceLock;
    /** {@link #latestSetPerAddress} with the columns a verified read needs ({@link #withPreviousMac}). */
    final String latestSetPerAddressVerified;
    /** Releases {@link #tryMaintenanceLock}. */
    public final String maintenanceUnlock;
    /**
     * {@link #insertSnapshot} (same parameters), then the highest seq a stored snapshot may have
     * for the row to be stored: it is left out when the newest snapshot is at a higher seq.
     */
    final String insertCheckpoint;
    /** The columns every entry read selects, in {@link to.clasp.journal.internal.sqlite.SqliteSchema}'s order. */
    private final String entryColumns;
    /** {@link #entryColumns} with entry_mac, a placeholder for SQLite's shape column, and the link. */
    private final String verifiedColumns;
    /** The LISTEN/NOTIFY channel on which every commit of entries in this schema is announced. */
    public final String channel;
    /** Takes the counter row's lock without moving it, so that no seq or snapshot is written meanwhile. */
    final String lockCounter;

    /**
     * @param schema a schema name that {@link #isValidSchemaName} accepts
     */
    public PostgresSchema(String schema) {
        if (!isValidSchemaName(schema) || reservedSchemaName(schema) != null) {
            throw new IllegalArgumentException("not a valid schema name: " + schema);
        }
        this.schema = schema;
        String s = schema + ".";
        this.channel = schema + "_journal";
        this.reserve = "WITH u AS (UPDATE " + s + "journal_seq SET last_seq = last_seq + ? WHERE id = 1"
                + " RETURNING last_seq) SELECT last_seq, pg_notify('" + channel + "', last_seq::text) FROM u";
        this.appendGroup = "WITH u AS (UPDATE " + s + "journal_seq SET last_seq = last_seq + ? WHERE id = 1"
                + " RETURNING last_seq), ins AS (INSERT INTO " + s + "journal_entries (seq, timestamp, author,"
                + " address, signal_type, value_json, revision, msg_type, hmac, value_exact, value_exact_hmac)"
                + " SELECT u.last_seq - ? + t.ord, t.ts, t.author, t.address, t.st, t.vj, t.rev, t.mt, t.hmac,"
                + " t.ve, t.veh FROM u, unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::bigint[], ?::int[], ?::text[], ?::bytea[], ?::text[]) WITH ORDINALITY"
                + " AS t(ts, author, address, st, vj, rev, mt, hmac, ve, veh, ord))"
                + " SELECT last_seq, pg_notify('" + channel + "', last_seq::text) FROM u";
        this.appendGroupChained = "WITH u AS (UPDATE " + s + "journal_seq SET last_seq = last_seq + ?"
                + " WHERE id = 1 AND last_seq = ? RETURNING last_seq), ins AS (INSERT INTO " + s
                + "journal_entries (seq, timestamp, author, address, signal_type, value_json, revision, msg_type,"
                + " hmac, value_exact, value_exact_hmac, entry_mac)"
                + " SELECT u.last_seq - ? + t.ord, t.ts, t.author, t.address, t.st, t.vj, t.rev, t.mt, t.hmac,"
                + " t.ve, t.veh, t.em FROM u, unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::bigint[], ?::int[], ?::text[], ?::bytea[], ?::text[], ?::text[]) WITH ORDINALITY"
                + " AS t(ts, author, address, st, vj, rev, mt, hmac, ve, veh, em, ord))"
                + " SELECT last_seq, pg_notify('" + channel + "', last_seq::text) FROM u";
        this.chainHead = "SELECT q.last_seq, e.seq IS NOT NULL, e.entry_mac, r.low_water, r.low_water_link,"
                + " r.keyed_from FROM " + s + "journal_seq q LEFT JOIN " + s + "journal_entries e"
                + " ON e.seq = q.last_seq LEFT JOIN " + s + "journal_integrity r ON r.id = 1"
                + " WHERE q.id = 1";
        this.insertEntry = "INSERT INTO " + s + "journal_entries (seq, timestamp, author, address, "
                + "signal_type, value_json, revision, msg_type, hmac, value_exact, value_exact_hmac, entry_mac) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        this.insertSnapshot = "INSERT INTO " + s + "snapshots (created_at, seq_at, data_json, data_exact, "
                + "data_mac) VALUES (?, ?, ?, ?, ?)";
        this.pruneSnapshots = "DELETE FROM " + s + "snapshots WHERE id NOT IN "
                + "(SELECT id FROM " + s + "snapshots ORDER BY id DESC LIMIT ?)";
        this.compactChunk = "WITH d AS (DELETE FROM " + s + "journal_entries WHERE seq IN "
                + "(SELECT seq FROM " + s + "journal_entries WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?)"
                + " RETURNING seq, entry_mac) SELECT count(*), max(seq),"
                + " (SELECT entry_mac FROM d ORDER BY seq DESC LIMIT 1) FROM d";
        this.rowsBetween = "SELECT seq, timestamp, author, address, value_json FROM " + s
                + "journal_entries WHERE seq BETWEEN ? AND ?";
        this.latestSeq = "SELECT last_seq FROM " + s + "journal_seq WHERE id = 1";
        this.followBounds = "SELECT (SELECT last_seq FROM " + s + "journal_seq WHERE id = 1), "
                + "(SELECT min(seq) FROM " + s + "journal_entries)";
        this.count = "SELECT count(*) FROM " + s + "journal_entries";
        // The columns of SqliteSchema.LATEST_SNAPSHOT, which a verifier checks.
        String snapshotColumns = "SELECT seq_at, created_at, data_json, data_exact, id, data_mac FROM " + s;
        this.latestSnapshot = snapshotColumns + "snapshots ORDER BY id DESC LIMIT 1";
        this.tableInfo = "SELECT pg_table_size('" + s + "journal_entries'), pg_indexes_size('" + s
                + "journal_entries'), pg_total_relation_size('" + s + "snapshots'), count(*),"
                + " (SELECT seq_at FROM " + s + "snapshots ORDER BY id DESC LIMIT 1),"
                + " COALESCE(sum(octet_length(data_json) + COALESCE(octet_length(data_exact), 0)), 0)"
                + " FROM " + s + "snapshots";
        String columnList = "SELECT seq, timestamp, author, address, signal_type, value_json, revision, "
                + "msg_type, hmac, value_exact, value_exact_hmac";
        this.entryColumns = columnList + " FROM " + s + "journal_entries";
        // The link: a primary-key lookup of the entry before, '' when it has no MAC, NULL when it is gone.
        this.verifiedColumns = columnList + ", entry_mac, 0, (SELECT lower(COALESCE(p.entry_mac, '')) FROM " + s
                + "journal_entries p WHERE p.seq = e.seq - 1) FROM " + s + "journal_entries e";
        this.since = entryColumns + " WHERE seq > ? ORDER BY seq LIMIT ?";
        this.setsBetween = entryColumns + " WHERE seq > ? AND seq <= ? AND msg_type = " + JournalEntry.MSG_SET
                + " ORDER BY seq LIMIT ?";
        this.sinceVerified = withPreviousMac(since);
        this.setsBetweenVerified = withPreviousMac(setsBetween);
        this.snapshotAtOrBelow = snapshotColumns + "snapshots WHERE seq_at <= ? ORDER BY id DESC LIMIT 1";
        this.integrityTablesQuery = "SELECT to_regclass('" + s + "journal_integrity') IS NOT NULL"
                + " AND (SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + schema + "'"
                + " AND ((table_name = 'journal_entries' AND column_name = 'entry_mac')"
                + " OR (table_name = 'snapshots' AND column_name = 'data_mac'))) = 2";
        String readRecord = "SELECT keyed_from, snapshots_from, low_water, low_water_link, mac FROM " + s
                + "journal_integrity WHERE id = 1";
        this.integrity = new IntegritySql(readRecord, readRecord + " FOR UPDATE",
                "INSERT INTO " + s + "journal_integrity (id, keyed_from, snapshots_from, low_water, low_water_link,"
                        + " mac) VALUES (1, ?, ?, ?, ?, ?)",
                "UPDATE " + s + "journal_integrity SET low_water = ?, low_water_link = ?, mac = ? WHERE id = 1",
                "SELECT EXISTS (SELECT 1 FROM " + s + "journal_entries WHERE seq < ? AND entry_mac IS NOT NULL)"
                        + " OR EXISTS (SELECT 1 FROM " + s + "snapshots WHERE id < ? AND data_mac IS NOT NULL)",
                "SELECT EXISTS (SELECT 1 FROM " + s + "journal_entries WHERE entry_mac IS NOT NULL)"
                        + " OR EXISTS (SELECT 1 FROM " + s + "snapshots WHERE data_mac IS NOT NULL)",
                "SELECT address, value_json, timestamp, hmac FROM " + s + "journal_entries"
                        + " WHERE hmac IS NOT NULL ORDER BY seq DESC LIMIT 1",
                // Read under the counter lock (see lockCounter), so no snapshot is being written.
                "SELECT (SELECT last_seq FROM " + s + "journal_seq WHERE id = 1), (SELECT COALESCE(max(id), 0) FROM "
                        + s + "snapshots)",
                "SELECT entry_mac FROM " + s + "journal_entries WHERE seq = ?",
                "SELECT min(seq) FROM " + s + "journal_entries WHERE seq >= ? AND entry_mac IS NULL",
                sinceVerified,
                "SELECT q.last_seq, EXISTS (SELECT 1 FROM " + s + "journal_entries e WHERE e.seq = q.last_seq)"
                        + " FROM " + s + "journal_seq q WHERE q.id = 1",
                snapshotColumns + "snapshots ORDER BY id");
        this.lockCounter = "SELECT last_seq FROM " + s + "journal_seq WHERE id = 1 FOR UPDATE";
        this.latestSetPerAddress = latestSetPerAddress(entryColumns);
        this.latestSetPerAddressVerified = latestSetPerAddress(verifiedColumns);
        String lockKey = MAINTENANCE_LOCK_CLASS + ", hashtext('" + schema + "'))";
        this.tryMaintenanceLock = "SELECT pg_try_advisory_lock(" + lockKey;
        this.maintenanceUnlock = "SELECT pg_advisory_unlock(" + lockKey;
        this.insertCheckpoint = "INSERT INTO " + s + "snapshots (created_at, seq_at, data_json, data_exact, data_mac) "
                + "SELECT ?::bigint, ?::bigint, ?::text, ?::bytea, ?::text WHERE COALESCE((SELECT seq_at FROM " + s
                + "snapshots ORDER BY id DESC LIMIT 1), -1) <= ?";
    }

    /** {@link #latestSetPerAddress} built on {@code columns}, the plain or the verified entry columns. */
    private static String latestSetPerAddress(String columns) {
        return "SELECT * FROM (SELECT DISTINCT ON (address) " + columns.substring("SELECT ".length())
                + " WHERE seq > ? AND seq <= ? AND msg_type = " + JournalEntry.MSG_SET
                + " AND revision IS NOT NULL ORDER BY address, revision DESC, seq) AS kept ORDER BY seq LIMIT ?";
    }

    /**
     * The same SELECT of entries with the columns a verified read needs after the entry columns
     * ({@link to.clasp.journal.internal.sql.EntryColumns#ENTRY_MAC}, a placeholder, {@link to.clasp.journal.internal.sql.EntryColumns#PREVIOUS_MAC}):
     * the table is aliased {@code e}, and every other clause stays as it is.
     *
     * @param entrySelect a SELECT built on this schema's entry columns ({@link #since}, {@link #select})
     */
    public String withPreviousMac(String entrySelect) {
        if (!entrySelect.startsWith(entryColumns)) {
            throw new IllegalArgumentException("not a SELECT of the entry columns: " + entrySelect);
        }
        return verifiedColumns + entrySelect.substring(entryColumns.length());
    }

    /** Escapes U+0000 and U+0001 for a text column (see the class comment). */
    public static String toStored(String text) {
        if (text.indexOf('\0') < 0 && text.indexOf('\u0001') < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                sb.append("\u0001\u0001");
            } else if (c == '\u0001') {
                sb.append("\u0001\u0002");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Undoes {@link #toStored}; a U+0001 in any other position (not written here) is kept. */
    public static String fromStored(String stored) {
        if (stored.indexOf('\u0001') < 0) {
            return stored;
        }
        StringBuilder sb = new StringBuilder(stored.length());
        for (int i = 0; i < stored.length(); i++) {
            char c = stored.charAt(i);
            if (c == '\u0001' && i + 1 < stored.length()
                    && (stored.charAt(i + 1) == '\u0001' || stored.charAt(i + 1) == '\u0002')) {
                sb.append(stored.charAt(++i) == '\u0001' ? '\0' : '\u0001');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Whether {@code name} is a lowercase identifier of at most 55 characters (the channel name adds 8 and must stay within 63). */
    public static boolean isValidSchemaName(String name) {
        return name != null && SCHEMA_NAME.matcher(name).matches();
    }

    /**
     * Why PostgreSQL would refuse {@code name} as the journal's schema although it has the right
     * form, or null: the {@code pg_} prefix and {@code information_schema} are the server's own,
     * and the schema name is written into the SQL unquoted, where a reserved key word (one that
     * cannot name a table or schema, such as {@code user} or {@code table}) is a syntax error.
     */
    public static String reservedSchemaName(String name) {
        if (name.startsWith("pg_") || name.equals("information_schema")) {
            return name + " is reserved for PostgreSQL's own schemas";
        }
        if (RESERVED_KEY_WORDS.contains(name)) {
            return name + " is a reserved SQL key word in PostgreSQL";
        }
        return null;
    }

    /** PostgreSQL's key words that cannot name a schema unquoted (categories R and T of pg_get_keywords()). */
    private static final java.util.Set<String> RESERVED_KEY_WORDS = java.util.Set.of(("all analyse analyze and any"
            + " array as asc asymmetric authorization binary both case cast check collate collation column"
            + " concurrently constraint create cross current_catalog current_date current_role current_schema"
            + " current_time current_timestamp current_user default deferrable desc distinct do else end except"
            + " false fetch for foreign freeze from full grant group having ilike in initially inner intersect"
            + " into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull"
            + " null offset on only or order outer overlaps placing primary references returning right select"
            + " session_user similar some symmetric system_user table tablesample then to trailing true union"
            + " unique user using variadic verbose when where window with").split(" "));

    String schema() {
        return schema;
    }

    /**
     * Creates the schema, the tables, the counter row and the indexes if absent (and only the
     * counter row if the tables exist), in one transaction under an advisory lock, so that journals opening the same new schema at the
     * same moment do not trip over each other. The counter starts at the highest seq already
     * stored, so a table filled by other means is never given a seq twice.
     */
    public void create(Connection c) throws SQLException {
        String s = schema + ".";
        List<String> ddl = List.of(
                "CREATE SCHEMA IF NOT EXISTS " + schema,
                "CREATE TABLE IF NOT EXISTS " + s + "journal_seq (id SMALLINT PRIMARY KEY CHECK (id = 1), "
                        + "last_seq BIGINT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS " + s + "journal_entries (\n"
                        + "    seq BIGINT PRIMARY KEY,\n"
                        + "    timestamp BIGINT NOT NULL,\n"
                        + "    author TEXT NOT NULL,\n"
                        + "    address TEXT COLLATE \"C\" NOT NULL,\n"
                        + "    signal_type TEXT NOT NULL,\n"
                        + "    value_json TEXT NOT NULL,\n"
                        + "    revision BIGINT,\n"
                        + "    msg_type INTEGER NOT NULL,\n"
                        + "    hmac TEXT,\n"
                        + "    value_exact BYTEA,\n"
                        + "    value_exact_hmac TEXT\n"
                        + ")",
                "CREATE INDEX IF NOT EXISTS idx_entries_address ON " + s + "journal_entries (address, seq)",
                "CREATE INDEX IF NOT EXISTS idx_entries_timestamp ON " + s + "journal_entries (timestamp)",
                "CREATE TABLE IF NOT EXISTS " + s + "snapshots (\n"
                        + "    id BIGSERIAL PRIMARY KEY,\n"
                        + "    created_at BIGINT NOT NULL,\n"
                        + "    seq_at BIGINT NOT NULL,\n"
                        + "    data_json TEXT NOT NULL,\n"
                        + "    data_exact BYTEA\n"
                        + ")",
                // Added after the first release: NULL in older rows, which then count as written
                // before signing began (SignedLog), as in a SQLite file keyed later.
                "ALTER TABLE " + s + "journal_entries ADD COLUMN IF NOT EXISTS entry_mac TEXT",
                "ALTER TABLE " + s + "snapshots ADD COLUMN IF NOT EXISTS data_mac TEXT",
                "CREATE TABLE IF NOT EXISTS " + s + "journal_integrity (\n"
                        + "    id SMALLINT PRIMARY KEY CHECK (id = 1),\n"
                        + "    keyed_from BIGINT NOT NULL,\n"
                        + "    snapshots_from BIGINT NOT NULL,\n"
                        + "    low_water BIGINT NOT NULL,\n"
                        + "    low_water_link TEXT NOT NULL,\n"
                        + "    mac TEXT NOT NULL\n"
                        + ")",
                "INSERT INTO " + s + "journal_seq (id, last_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM "
                        + s + "journal_entries ON CONFLICT (id) DO NOTHING");
        inTransaction(c, () -> {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + CREATE_LOCK_KEY + ")");
                // Where the tables exist, run no DDL: a user with only the right to read and write
                // them (the schema made by an administrator) can open the journal.
                boolean exists;
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + s + "journal_seq') IS NOT NULL"
                        + " AND to_regclass('" + s + "journal_entries') IS NOT NULL"
                        + " AND to_regclass('" + s + "snapshots') IS NOT NULL")) {
                    exists = rs.next() && rs.getBoolean(1);
                }
                if (exists) {
                    try (ResultSet rs = st.executeQuery(integrityTablesQuery)) {
                        exists = rs.next() && rs.getBoolean(1); // else: a schema to migrate
                    }
                }
                for (String sql : exists ? ddl.subList(ddl.size() - 1, ddl.size()) : ddl) {
                    st.execute(sql);
                }
            }
        });
    }

    /**
     * Whether the tables have the entry chain's columns and record table: false only for a
     * schema an earlier version created that no journal has opened for writing since.
     */
    public boolean hasIntegrityTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(integrityTablesQuery)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /**
     * Fails unless the schema and the journal's three tables exist; reads only, so it creates
     * and locks nothing. The failure carries PostgreSQL's own SQLSTATE for what is missing:
     * {@code 3F000} (invalid_schema_name) or {@code 42P01} (undefined_table).
     */
    public void requireTables(Connection c) throws SQLException {
        String s = schema + ".";
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regnamespace('" + schema + "') IS NOT NULL,"
                        + " to_regclass('" + s + "journal_seq') IS NOT NULL"
                        + " AND to_regclass('" + s + "journal_entries') IS NOT NULL"
                        + " AND to_regclass('" + s + "snapshots') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new SQLException("the database holds no schema " + schema + ", so no journal there"
                        + " (nothing was created)", "3F000");
            }
            if (!rs.getBoolean(2)) {
                throw new SQLException("the schema " + schema + " holds no journal: its tables journal_seq,"
                        + " journal_entries and snapshots are missing (nothing was created)", "42P01");
            }
        }
    }

    /**
     * Plans a query for this backend, whose rows are all written through this library (see
     * {@link QueryPlan.Stored#CHECKED}): a subtree ({@code <literal>/**}) is answered by its
     * range alone.
     */
    public static QueryPlan plan(JournalQuery query) {
        return QueryPlan.of(query, QueryPlan.Stored.CHECKED);
    }

    /**
     * Renders a plan: under {@code COLLATE "C"} a prefix range holds exactly the addresses with
     * that prefix, and every address is compared as it is stored ({@link #toStored}).
     */
    public SqlSelect select(QueryPlan plan) {
        List<Object> params = new ArrayList<>(6);
        List<String> where = new ArrayList<>(4);
        QueryPlan.Address address = plan.address();
        if (address instanceof QueryPlan.Exact exact) {
            where.add("address = (? COLLATE \"C\")");
            params.add(toStored(exact.address()));
        } else if (address instanceof QueryPlan.NoAddress) {
            // No stored address holds a lone surrogate (appends refuse them).
            where.add("FALSE");
        } else if (address instanceof QueryPlan.PrefixRange range) {
            where.add("address >= (? COLLATE \"C\")");
            params.add(toStored(range.low()));
            if (range.high() != null) {
                where.add("address < (? COLLATE \"C\")");
                params.add(toStored(range.high()));
            }
        } else if (!(address instanceof QueryPlan.AnyAddress)) {
            throw new IllegalArgumentException("not a plan for PostgreSQL: " + plan);
        }
        if (plan.seqRange().isPresent()) {
            throw new IllegalArgumentException("not a plan for PostgreSQL: " + plan);
        }
        if (plan.fromMicros().isPresent()) {
            where.add("timestamp >= ?");
            params.add(plan.fromMicros().getAsLong());
        }
        if (plan.toMicros().isPresent()) {
            where.add("timestamp <= ?");
            params.add(plan.toMicros().getAsLong());
        }
        Set<SignalType> types = plan.types();
        if (!types.isEmpty()) {
            StringBuilder in = new StringBuilder("signal_type IN (");
            int i = 0;
            for (SignalType t : types) {
                in.append(i++ == 0 ? "?" : ", ?");
                params.add(t.wireName());
            }
            where.add(in.append(')').toString());
        }
        return SqlSelect.of(entryColumns, where, params, plan);
    }

    /** Work on a connection inside {@link #inTransaction}. */
    @FunctionalInterface
    interface Work {
        void run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on {@code c}: commits it, or rolls it back when it
     * fails (a failed rollback is added to the failure), and leaves auto-commit as it found it.
     */
    static void inTransaction(Connection c, Work work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            work.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
