package to.clasp.journal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Comparator;
import java.util.stream.Stream;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SignalType;
import to.clasp.journal.Value;

/** Deterministic data and scratch files shared by the benchmarks. */
final class BenchData {

    static final long T0 = 1_708_500_000_000_000L;

    private static final String[] ROOMS = new String[100];
    private static final String[] LEAVES = {"brightness", "hue", "level", "volume", "temp"};

    static {
        for (int i = 0; i < ROOMS.length; i++) {
            ROOMS[i] = "room" + i;
        }
    }

    private BenchData() {}

    /** The address of param {@code i}: 5 leaves in 100 rooms under 4 top-level scopes. */
    static String address(int i) {
        String top = switch (i % 4) {
            case 0 -> "lights";
            case 1 -> "audio";
            case 2 -> "sensors";
            default -> "video";
        };
        return "/" + top + "/" + ROOMS[(i / 4) % ROOMS.length] + "/" + LEAVES[(i / 400) % LEAVES.length];
    }

    /** The {@code n}th entry of a router's traffic: mostly SETs over 2,000 params, some events. */
    static JournalEntry entry(long n) {
        String address = address((int) (n % 2_000));
        if (n % 10 == 9) {
            return JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(n), "bench", T0 + n);
        }
        return JournalEntry.fromSet(address, Value.of(n * 0.001), n / 2_000 + 1, "bench", T0 + n);
    }

    /** The JSON of the numbers {@link #entry} produces, for the plain-JDBC baselines. */
    static String json(Value value) {
        if (value instanceof Value.Int i) {
            return Long.toString(i.value());
        }
        return Double.toString(((Value.Float) value).value());
    }

    /**
     * Opens a plain-JDBC baseline database with the Rust crate's table, indexes and pragmas, and
     * returns its connection; {@link #insertBaseline} prepares the Rust crate's insert on it.
     */
    static Connection baselineDatabase(Path file, String synchronous) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=" + synchronous);
            s.execute("CREATE TABLE journal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " timestamp INTEGER NOT NULL, author TEXT NOT NULL, address TEXT NOT NULL,"
                    + " signal_type TEXT NOT NULL, value_json TEXT NOT NULL, revision INTEGER,"
                    + " msg_type INTEGER NOT NULL, hmac TEXT)");
            s.execute("CREATE INDEX idx_entries_address ON journal_entries(address)");
            s.execute("CREATE INDEX idx_entries_timestamp ON journal_entries(timestamp)");
            s.execute("CREATE INDEX idx_entries_signal_type ON journal_entries(signal_type)");
        }
        return connection;
    }

    static PreparedStatement insertBaseline(Connection connection) throws SQLException {
        return connection.prepareStatement("INSERT INTO journal_entries (timestamp, author, address,"
                + " signal_type, value_json, revision, msg_type) VALUES (?, ?, ?, ?, ?, ?, ?)");
    }

    /** Inserts one entry with the baseline's insert, in its own (autocommit) transaction. */
    static int insert(PreparedStatement insert, JournalEntry e) throws SQLException {
        bind(insert, e);
        return insert.executeUpdate();
    }

    /** Binds an entry to the baseline's insert. */
    static void bind(PreparedStatement insert, JournalEntry e) throws SQLException {
        insert.setLong(1, e.timestamp());
        insert.setString(2, e.author());
        insert.setString(3, e.address());
        insert.setString(4, e.signalType().wireName());
        insert.setString(5, json(e.value()));
        if (e.revision().isPresent()) {
            insert.setLong(6, e.revision().getAsLong());
        } else {
            insert.setNull(6, Types.INTEGER);
        }
        insert.setInt(7, e.msgType());
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("clasp-journal-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
