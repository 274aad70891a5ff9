package to.clasp.journal.bench;

import java.nio.file.Path;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.SqliteJournal;

/**
 * What the PostgreSQL append benchmarks share: a {@link SqliteJournal} file (the {@code baseline}
 * of these benchmarks: the other durable backend, measured in the same run) and a
 * {@link PostgresJournal} on a schema of its own.
 */
@State(Scope.Benchmark)
public abstract class PostgresAppendState {

    Path dir;
    String schema;
    SqliteJournal sqlite;
    PostgresJournal postgres;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchData.tempDir();
        sqlite = SqliteJournal.open(dir.resolve("journal.db"));
        schema = PostgresBenchSupport.freshSchema();
        postgres = PostgresBenchSupport.open(schema);
        startOthers();
    }

    /** Starts whatever else the benchmark needs once both journals exist. */
    void startOthers() throws Exception {
    }

    /** Stops what {@link #startOthers()} started. */
    void stopOthers() throws Exception {
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) throws Exception {
        stopOthers();
        BenchStats.record(params, "sqlite", sqlite);
        BenchStats.record(params, "postgres", postgres);
        sqlite.close();
        postgres.close();
        BenchData.delete(dir);
        try {
            PostgresBenchSupport.drop(schema);
        } catch (SQLException ignored) {
            // a scratch schema on a scratch server
        }
    }
}
