package to.clasp.journal.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Keyed appends from 64 callers, each waiting for its own commit: group commit at work, one
 * MAC per entry computed on the writer thread under the counter lock.
 * {@code baseline}: {@link to.clasp.journal.PostgresJournal} without a key; {@code journal}: with
 * an HMAC key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Threads(64)
public class PostgresKeyedAppend64Bench extends PostgresKeyedAppendState {

    private final AtomicLong counter = new AtomicLong();

    @Benchmark
    public long baseline() {
        return plain.append(BenchData.entry(counter.incrementAndGet())).join();
    }

    @Benchmark
    public long journal() {
        return keyed.append(BenchData.entry(counter.incrementAndGet())).join();
    }
}
