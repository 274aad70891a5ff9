package to.clasp.journal.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Keyed appends with one caller in flight: one thread appends and waits for each commit, two
 * round trips per append either way (the keyed writer reads the chain's head only when another
 * journal appended since its last commit, which no other journal does here).
 * {@code baseline}: {@link to.clasp.journal.PostgresJournal} without a key; {@code journal}: with
 * an HMAC key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Threads(1)
public class PostgresKeyedAppendBench extends PostgresKeyedAppendState {

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
