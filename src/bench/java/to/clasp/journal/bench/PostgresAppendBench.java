package to.clasp.journal.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Appends with one caller in flight: one thread appends and waits for each commit.
 * {@code baseline}: {@link to.clasp.journal.SqliteJournal} (NORMAL); {@code journal}:
 * {@link to.clasp.journal.PostgresJournal}, a round trip to the server per commit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Threads(1)
public class PostgresAppendBench extends PostgresAppendState {

    private final AtomicLong counter = new AtomicLong();

    @Benchmark
    public long baseline() {
        return sqlite.append(BenchData.entry(counter.incrementAndGet())).join();
    }

    @Benchmark
    public long journal() {
        return postgres.append(BenchData.entry(counter.incrementAndGet())).join();
    }
}
