package to.clasp.journal.bench;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
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
public class PipelinedAppendBench extends AppendBenchState {

    private static final int BURST = 1_000;

    private long counter;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Long>[] pending = new CompletableFuture[BURST];

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long baseline() throws SQLException {
        long rows = 0;
        for (int i = 0; i < BURST; i++) {
            JournalEntry e = BenchData.entry(++counter);
            rows += BenchData.insert(insert, e);
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
