package to.clasp.journal.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SqliteJournal;

/**
 * A router thread recording a burst of 1,000 entries without waiting for each one, then
 * waiting for all of them to be durable. {@code baseline}: one transaction per append, as the
 * Rust crate does. {@code journal}: {@link SqliteJournal}, whose writer commits what is waiting
 * in groups. Scores are appends per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class PipelinedAppendBench {

    private static final int BURST = 1_000;

    @Param({"NORMAL", "FULL"})
    public String durability;

    private long counter;
    private Path dir;
    private SqliteJournal journal;
    private Connection connection;
    private PreparedStatement insert;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Long>[] pending = new CompletableFuture[BURST];

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        dir = BenchData.tempDir();
        journal = SqliteJournal.builder(dir.resolve("journal.db"))
                .durability(SqliteJournal.Durability.valueOf(durability)).build();
        connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("baseline.db"));
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=" + durability);
            s.execute("CREATE TABLE journal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " timestamp INTEGER NOT NULL, author TEXT NOT NULL, address TEXT NOT NULL,"
                    + " signal_type TEXT NOT NULL, value_json TEXT NOT NULL, revision INTEGER,"
                    + " msg_type INTEGER NOT NULL, hmac TEXT)");
            s.execute("CREATE INDEX idx_entries_address ON journal_entries(address)");
            s.execute("CREATE INDEX idx_entries_timestamp ON journal_entries(timestamp)");
            s.execute("CREATE INDEX idx_entries_signal_type ON journal_entries(signal_type)");
        }
        insert = connection.prepareStatement("INSERT INTO journal_entries (timestamp, author, address,"
                + " signal_type, value_json, revision, msg_type) VALUES (?, ?, ?, ?, ?, ?, ?)");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        journal.close();
        connection.close();
        BenchData.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long baseline() throws SQLException {
        long rows = 0;
        for (int i = 0; i < BURST; i++) {
            JournalEntry e = BenchData.entry(++counter);
            insert.setLong(1, e.timestamp());
            insert.setString(2, e.author());
            insert.setString(3, e.address());
            insert.setString(4, e.signalType().wireName());
            insert.setString(5, BenchData.json(e.value()));
            if (e.revision().isPresent()) {
                insert.setLong(6, e.revision().getAsLong());
            } else {
                insert.setNull(6, java.sql.Types.INTEGER);
            }
            insert.setInt(7, e.msgType());
            rows += insert.executeUpdate();
        }
        return rows;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long journal() {
        for (int i = 0; i < BURST; i++) {
            pending[i] = journal.append(BenchData.entry(++counter));
        }
        long last = 0;
        for (CompletableFuture<Long> f : pending) {
            last = f.join();
        }
        return last;
    }
}
