package to.clasp.journal.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import to.clasp.journal.SqliteJournal;

/**
 * What the append benchmarks share: a journal and a plain-JDBC baseline database in a scratch
 * directory, at the same durability.
 */
@State(Scope.Benchmark)
public abstract class AppendBenchState {

    @Param({"NORMAL", "FULL"})
    public String durability;

    Path dir;
    SqliteJournal journal;
    Connection connection;
    PreparedStatement insert;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        dir = BenchData.tempDir();
        journal = SqliteJournal.builder(dir.resolve("journal.db"))
                .durability(SqliteJournal.Durability.valueOf(durability)).build();
        connection = BenchData.baselineDatabase(dir.resolve("baseline.db"), durability);
        insert = BenchData.insertBaseline(connection);
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) throws SQLException {
        BenchStats.record(params, "sqlite", journal);
        journal.close();
        connection.close();
        BenchData.delete(dir);
    }
}
