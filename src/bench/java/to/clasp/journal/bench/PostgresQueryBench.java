package to.clasp.journal.bench;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.SqliteJournal;

/**
 * Prefix and exact queries over 200,000 entries (as {@link QueryBench}), newest 100 and all:
 * queries per second, so the mean latency is its inverse. {@code baseline}:
 * {@link SqliteJournal}; {@code journal}: {@link PostgresJournal}, a round trip to the server per
 * query.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class PostgresQueryBench {

    private static final int ENTRIES = 200_000;

    @Param({"/lights/room7/**", "/audio/room3/volume"})
    public String pattern;

    @Param({"all", "newest100"})
    public String shape;

    private Path dir;
    private String schema;
    private SqliteJournal sqlite;
    private PostgresJournal postgres;
    private JournalQuery query;

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchData.tempDir();
        sqlite = SqliteJournal.open(dir.resolve("journal.db"));
        schema = PostgresBenchSupport.freshSchema();
        postgres = PostgresBenchSupport.open(schema);
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (long n = 1; n <= ENTRIES; n++) {
            pending.add(sqlite.append(BenchData.entry(n)));
            pending.add(postgres.append(BenchData.entry(n)));
        }
        pending.forEach(CompletableFuture::join);
        query = shape.equals("all") ? JournalQuery.of(pattern) : JournalQuery.of(pattern).descending().limit(100);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sqlite.close();
        postgres.close();
        BenchData.delete(dir);
        try {
            PostgresBenchSupport.drop(schema);
        } catch (SQLException ignored) {
            // a scratch schema on a scratch server
        }
    }

    @Benchmark
    public int baseline() {
        return sqlite.query(query).join().size();
    }

    @Benchmark
    public int journal() {
        return postgres.query(query).join().size();
    }
}
