package to.clasp.journal.bench;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SqliteJournal;

/**
 * Durable appends from 4 threads, each waiting for its append to be committed.
 * {@code baseline}: one transaction per append on one shared connection, as the Rust crate
 * does. {@code journal}: {@link SqliteJournal}'s group commit. Both use WAL and the same
 * {@code synchronous} level.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Threads(4)
public class AppendBench extends AppendBenchState {

    private final AtomicLong counter = new AtomicLong();

    @Benchmark
    public long baseline() throws SQLException {
        JournalEntry e = BenchData.entry(counter.incrementAndGet());
        // The Rust crate serializes appends on one connection, each in its own transaction.
        synchronized (this) {
            return BenchData.insert(insert, e);
        }
    }

    @Benchmark
    public long journal() {
        return journal.append(BenchData.entry(counter.incrementAndGet())).join();
    }
}
