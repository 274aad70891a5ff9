package to.clasp.journal.internal.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;
import to.clasp.journal.internal.sql.EntryMac;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.IntegrityMode;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.SqliteJournal.Durability;

/**
 * How a {@link to.clasp.journal.SqliteJournal} is opened: the checks of a file before anything is created or
 * changed, the connections (the writer's, the read pool's, the checkpointer's) with their
 * settings, migration through {@link SqliteSchema}, and what a failed open removes again; and,
 * for a read-only journal, the {@code -wal} and {@code -shm} files its closing lets SQLite
 * remove. Static and stateless; every method is called by {@link to.clasp.journal.SqliteJournal} alone.
 */
public final class SqliteOpener {

    private SqliteOpener() {}

    /** What {@link to.clasp.journal.SqliteJournal.Builder} was told; {@code file} is null for an in-memory journal. */
    public record Settings(Path file, byte[] hmacKey, IntegrityMode integrityMode, Durability durability,
            int maxBatchSize, int snapshotsToKeep, Duration followPollInterval, long memoryMapSize) {}

    /**
     * What an open journal is made of. {@code writeConnection} and {@code writer} are null when
     * read-only, {@code signedLog} without a key, {@code file} and {@code followPollInterval}
     * in memory (nothing else writes there, so nothing is polled).
     */
    public record Opened(String name, Path file, SignedLog signedLog, Connection writeConnection,
            GroupCommitWriter writer, SqliteReadPool readers, long latestSeq, Duration followPollInterval,
            boolean removeWalFilesOnClose, RecentEntries recent) {}

    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    /**
     * The page cache of the write connection of a file journal, in KiB. A large batch touches a
     * leaf of the address index per address it writes to, spread over the index; with SQLite's
     * default 2 MiB they did not stay cached from one batch to the next, and the pages a
     * transaction changed spilled into the WAL before its commit (10,000 appends in flight: about
     * 40% more appends/s with 16 MiB, no more with 64 MiB).
     */
    static final int WRITE_CACHE_KIB = 16 * 1024;
    /** The page cache of each read connection of a file journal, in KiB. */
    public static final int READ_CACHE_KIB = 8 * 1024;
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    public static Opened openFile(Settings b) {
        Path file = b.file().toAbsolutePath().normalize();
        String name = file.toString();
        boolean existed = Files.exists(file);
        if (existed) {
            checkExistingFile(file, name, true);
        } else {
            checkNewFile(file, name);
        }
        String url = "jdbc:sqlite:" + name;
        Connection w = null;
        SqliteReadPool pool = null;
        boolean opened = false;
        try {
            SQLiteConfig writeConfig = new SQLiteConfig();
            writeConfig.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            writeConfig.setCacheSize(-WRITE_CACHE_KIB);
            withoutSqliteMutex(writeConfig);
            if (existed) {
                writeConfig.resetOpenMode(SQLiteOpenMode.CREATE); // never create behind our back
            }
            w = writeConfig.createConnection(url);
            if (existed) {
                String problem = SqliteSchema.checkExisting(w);
                if (problem != null) {
                    throw new JournalException.Storage(name + ": " + problem, null);
                }
            }
            SqliteSchema.prepare(w, true, b.durability().name());
            SignedLog signedLog = signedLog(b, w);
            SQLiteConfig readConfig = new SQLiteConfig();
            readConfig.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            readConfig.setReadOnly(true);
            // Rows a query returns are spread over the file; SQLite's default 2 MiB cache
            // rereads their pages from the OS on every query.
            readConfig.setCacheSize(-READ_CACHE_KIB);
            readConfig.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(b.memoryMapSize()));
            withoutSqliteMutex(readConfig);
            pool = new SqliteReadPool(() -> readConfig.createConnection(url), readerCount(), null, name);
            long latestSeq = pool.read(SqliteRowReads::latestSeq);
            RecentEntries recent = recentEntries(signedLog, pool, latestSeq);
            // Checkpoints run on a connection of their own, beside the commits (see WalCheckpointer).
            GroupCommitWriter writer = SqliteWriteBackend.start(w, file, name, null, b.maxBatchSize(),
                    b.snapshotsToKeep(), writeConfig.createConnection(url), recent);
            opened = true;
            return new Opened(name, file, signedLog, w, writer, pool, latestSeq, b.followPollInterval(), false,
                    recent);
        } catch (SQLException e) {
            throw new JournalException.Storage(name + ": cannot open the journal: " + e.getMessage(), e);
        } finally {
            if (!opened) {
                if (pool != null) {
                    pool.close();
                }
                closeQuietly(w);
                if (!existed) {
                    deleteCreated(file);
                }
            }
        }
    }

    /**
     * The newest entries of the file, for a writable journal without a key (see
     * {@link RecentEntries}); null with a key. Read before the writer starts, so that its first
     * commit follows them.
     */
    private static RecentEntries recentEntries(SignedLog signedLog, SqliteReadPool pool, long latestSeq)
            throws SQLException {
        if (signedLog != null) {
            return null;
        }
        RecentEntries recent = new RecentEntries();
        if (latestSeq > 0) {
            SqliteRowReads rows = new SqliteRowReads(null);
            try {
                recent.fill(pool.read(r -> rows.since(r, Math.max(0, latestSeq - RecentEntries.CAPACITY),
                        RecentEntries.CAPACITY)));
            } catch (JournalException | SQLException e) {
                // A row that cannot be decoded: the journal opens all the same, and reads of
                // those rows report it. Nothing is kept until the writer's first commit.
                recent.clear();
            }
        }
        return recent;
    }

    public static Opened openFileReadOnly(Settings b) {
        Path file = b.file().toAbsolutePath().normalize();
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new JournalException.Storage(name + ": no such file (a read-only open never creates one)", null);
        }
        checkExistingFile(file, name, false);
        boolean walFilesExisted = Files.exists(file.resolveSibling(file.getFileName() + "-wal"))
                || Files.exists(file.resolveSibling(file.getFileName() + "-shm"));
        String url = "jdbc:sqlite:" + name;
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setReadOnly(true);
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setCacheSize(-READ_CACHE_KIB); // as for the read connections of a writable journal
        config.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(b.memoryMapSize()));
        withoutSqliteMutex(config);
        List<String> views;
        try (Connection probe = config.createConnection(url)) {
            String problem = SqliteSchema.checkReadable(probe);
            if (problem != null) {
                throw new JournalException.Storage(name + ": " + problem, null);
            }
            views = SqliteSchema.readOnlyViews(probe);
        } catch (SQLException e) {
            throw new JournalException.Storage(name + ": cannot open the journal: " + e.getMessage(), e);
        }
        SqliteReadPool pool = new SqliteReadPool(() -> {
            Connection c = config.createConnection(url);
            try {
                SqliteSchema.prepareReadOnly(c, views);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                throw e;
            }
            return c;
        }, readerCount(), null, name);
        // Another process writes the file: followers find its commits by polling.
        long latestSeq;
        try {
            latestSeq = pool.read(SqliteRowReads::latestSeq);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e instanceof JournalException je ? je
                    : new JournalException.Storage(name + ": cannot read the journal: " + e.getMessage(), e);
        }
        // Read-only: the integrity record is used when present, never created.
        byte[] key = b.hmacKey();
        return new Opened(name, file, key == null ? null : new SignedLog(new EntryMac(key), b.integrityMode(), SqliteSchema.INTEGRITY, null),
                null, null, pool, latestSeq, b.followPollInterval(), !walFilesExisted && Files.isWritable(file),
                null);
    }

    public static Opened openMemory(Settings b) {
        String name = "in-memory journal clasp-mem-" + UUID.randomUUID();
        String url = "jdbc:sqlite:file:" + name.substring(name.indexOf("clasp-mem-"))
                + "?mode=memory&cache=shared";
        // Shared-cache connections lock whole tables; readers and transactions take turns.
        ReentrantReadWriteLock tableLock = new ReentrantReadWriteLock();
        Connection w = null;
        boolean opened = false;
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            // This connection lives as long as the journal: the database lives as long as it does.
            w = config.createConnection(url);
            SqliteSchema.prepare(w, false, null);
            SignedLog signedLog = signedLog(b, w);
            SqliteReadPool pool = new SqliteReadPool(() -> config.createConnection(url), readerCount(),
                    tableLock.readLock(), name);
            RecentEntries recent = signedLog == null ? new RecentEntries() : null; // a new database: empty
            GroupCommitWriter writer = SqliteWriteBackend.start(w, null, name, tableLock.writeLock(),
                    b.maxBatchSize(), b.snapshotsToKeep(), null, recent);
            opened = true;
            // Nothing but this journal writes to its private in-memory database: no polling.
            return new Opened(name, null, signedLog, w, writer, pool, 0, null, false, recent);
        } catch (SQLException e) {
            throw new JournalException.Storage(name + ": cannot open the journal: " + e.getMessage(), e);
        } finally {
            if (!opened) {
                closeQuietly(w);
            }
        }
    }

    /**
     * Has connections to a file opened with {@code SQLITE_OPEN_NOMUTEX}. sqlite-jdbc already
     * serializes every call on a connection in Java (its native methods are synchronized on the
     * connection's handle), and this journal never uses a connection from two threads at once
     * (the read pool lends each to one reader; the committer role and the checkpointer own the
     * others), so SQLite's own lock around each call only costs: a lock and an unlock per column
     * read, about a quarter of the time of a read ({@code since} of 1,000 entries: 1.05 ms with
     * it, 0.75 ms without, in a standalone loop).
     */
    private static void withoutSqliteMutex(SQLiteConfig config) {
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
    }

    /**
     * The integrity rules for a key, with the file's record found or created in one write
     * transaction on the write connection; null without a key.
     */
    private static SignedLog signedLog(Settings b, Connection w) throws SQLException {
        if (b.hmacKey() == null) {
            return null;
        }
        SignedLog log = new SignedLog(new EntryMac(b.hmacKey()), b.integrityMode(), SqliteSchema.INTEGRITY, null);
        SqliteSchema.inTransaction(w, () -> log.establishInTransaction(w));
        return log;
    }

    private static int readerCount() {
        return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /** Checks, without writing, that an existing file could be a journal. */
    private static void checkExistingFile(Path file, String name, boolean forWriting) {
        if (Files.isDirectory(file)) {
            throw new JournalException.Storage(name + ": is a directory, not a journal file", null);
        }
        if (!Files.isRegularFile(file)) {
            throw new JournalException.Storage(name + ": is not a regular file", null);
        }
        if (!forWriting && !Files.isReadable(file)) {
            throw new JournalException.Storage(name + ": the file is not readable", null);
        }
        if (forWriting && (!Files.isReadable(file) || !Files.isWritable(file))) {
            throw new JournalException.Storage(name + ": the file is not readable and writable", null);
        }
        Path dir = file.getParent();
        if (forWriting && dir != null && !Files.isWritable(dir)) {
            throw new JournalException.Storage(name + ": the directory " + dir
                    + " is not writable (SQLite keeps its -wal and -shm files beside the journal)", null);
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                if (!forWriting) {
                    throw new JournalException.Storage(name + ": the file is empty, not a journal", null);
                }
                return; // SQLite takes an empty file as an empty database
            }
            byte[] header = new byte[SQLITE_HEADER.length];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(header, 0, header.length);
            }
            if (size < 100 || n < header.length || !Arrays.equals(header, SQLITE_HEADER)) {
                throw new JournalException.Storage(
                        name + ": is not a SQLite database (no SQLite file header)", null);
            }
        } catch (IOException e) {
            throw new JournalException.Storage(name + ": cannot read the file: " + e.getMessage(), e);
        }
    }

    /** Checks that a new file can be created, before creating anything. */
    private static void checkNewFile(Path file, String name) {
        Path dir = file.getParent();
        if (dir == null || !Files.exists(dir)) {
            throw new JournalException.Storage(
                    name + ": the directory " + dir + " does not exist", null);
        }
        if (!Files.isDirectory(dir)) {
            throw new JournalException.Storage(name + ": " + dir + " is not a directory", null);
        }
        if (!Files.isWritable(dir)) {
            throw new JournalException.Storage(name + ": the directory " + dir + " is not writable", null);
        }
    }

    /** Removes what a failed open created, so that a failure leaves nothing behind. */
    private static void deleteCreated(Path file) {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            try {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    public static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing more to do
            }
        }
    }

    /**
     * Lets SQLite remove the {@code -wal} and {@code -shm} files that reading a WAL file made:
     * a read-only connection never removes them, but the last read-write connection to close
     * does, after taking the file's exclusive lock (so never while another connection of any
     * process uses them), once it has read the file. The WAL holds no data then (this
     * journal wrote none, and a writer that did removed or still holds it), so nothing is
     * written to the file. Best effort: a failure leaves the files, as SQLite itself would.
     */
    public static void removeWalFiles(String name) {
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE); // never create the file if it went away meanwhile
        try (Connection c = config.createConnection("jdbc:sqlite:" + name);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
            rs.next();
        } catch (SQLException | RuntimeException e) {
            // the files stay, as SQLite leaves them after any read-only reader
        }
    }
}
