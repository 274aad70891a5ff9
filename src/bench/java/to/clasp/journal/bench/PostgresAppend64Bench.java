package to.clasp.journal.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Appends from 64 callers, each waiting for its own commit: group commit at work.
 * {@code baseline}: {@link to.clasp.journal.SqliteJournal} (NORMAL); {@code journal}:
 * {@link to.clasp.journal.PostgresJournal}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Threads(64)
public class PostgresAppend64Bench extends PostgresAppendState {

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
