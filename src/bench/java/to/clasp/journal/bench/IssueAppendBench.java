package to.clasp.journal.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SqliteJournal;

/**
 * The three append figures of the performance issue, with the issue's workload
 * ({@link IssueWorkload}) at the default durability ({@code NORMAL}), each beside its baseline in
 * the same run. Scores are appends (or rows) per second.
 *
 * <ul>
 *   <li>{@link OneWaiting}: one caller waiting for each append; the baseline is the Rust crate's
 *       plan, an autocommit INSERT per append on the caller's thread.
 *   <li>{@link Callers64}: 64 callers, each waiting for each of its appends; the baseline is one
 *       thread inserting a raw JDBC batch of 64 rows per transaction.
 *   <li>{@link InFlight}: one caller with 10,000 appends in flight, then waiting for all of them;
 *       the baseline is a raw JDBC batch of 10,000 rows in one transaction.
 * </ul>
 */
public class IssueAppendBench {

    private IssueAppendBench() {}

    /** A journal and a plain-JDBC database with the Rust crate's table, both {@code NORMAL}. */
    @State(Scope.Benchmark)
    public abstract static class Files {
        Path dir;
        SqliteJournal journal;
        Connection connection;
        PreparedStatement insert;
        final AtomicLong counter = new AtomicLong();

        @Setup(Level.Trial)
        public void setUp() throws SQLException {
            dir = BenchData.tempDir();
            journal = SqliteJournal.builder(dir.resolve("journal.db"))
                    .durability(SqliteJournal.Durability.NORMAL).build();
            connection = BenchData.baselineDatabase(dir.resolve("baseline.db"), "NORMAL");
            insert = BenchData.insertBaseline(connection);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws SQLException {
            journal.close();
            connection.close();
            BenchData.delete(dir);
        }

        /** Inserts {@code rows} entries as one JDBC batch in one transaction. */
        long rawBatch(int rows) throws SQLException {
            connection.setAutoCommit(false);
            try {
                for (int i = 0; i < rows; i++) {
                    BenchData.bind(insert, IssueWorkload.entry(counter.getAndIncrement()));
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                connection.commit();
                return counts.length;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** One caller waiting for each append. */
    @BenchmarkMode(Mode.Throughput)
    public static class OneWaiting extends Files {
        @Benchmark
        public long baseline() throws SQLException {
            return BenchData.insert(insert, IssueWorkload.entry(counter.getAndIncrement()));
        }

        @Benchmark
        public long journal() {
            return journal.append(IssueWorkload.entry(counter.getAndIncrement())).join();
        }
    }

    /** 64 callers each waiting for each append, against raw batches of 64 rows. */
    @BenchmarkMode(Mode.Throughput)
    public static class Callers64 extends Files {
        @Benchmark
        @Threads(1)
        @OperationsPerInvocation(64)
        public long baseline() throws SQLException {
            return rawBatch(64);
        }

        @Benchmark
        @Threads(64)
        public long journal() {
            return journal.append(IssueWorkload.entry(counter.getAndIncrement())).join();
        }
    }

    /** One caller with 10,000 appends in flight, against raw batches of 10,000 rows. */
    @BenchmarkMode(Mode.Throughput)
    public static class InFlight extends Files {
        private static final int IN_FLIGHT = 10_000;

        @SuppressWarnings("unchecked")
        private final CompletableFuture<Long>[] pending = new CompletableFuture[IN_FLIGHT];

        @Benchmark
        @OperationsPerInvocation(IN_FLIGHT)
        public long baseline() throws SQLException {
            return rawBatch(IN_FLIGHT);
        }

        @Benchmark
        @OperationsPerInvocation(IN_FLIGHT)
        public long journal() {
            for (int i = 0; i < IN_FLIGHT; i++) {
                JournalEntry e = IssueWorkload.entry(counter.getAndIncrement());
                pending[i] = journal.append(e);
            }
            long last = 0;
            for (CompletableFuture<Long> f : pending) {
                last = f.join();
            }
            return last;
        }
    }
}
