package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Two JVMs append to one journal: a second JVM ({@link SecondWriterMain}) appends to the same
 * SQLite file and the same PostgreSQL schema with 64 appends in flight each, for the whole run,
 * while this one measures 64 callers. The score is this JVM's appends per second, with the other
 * JVM contending. {@code baseline}: two {@link to.clasp.journal.SqliteJournal}s on one file;
 * {@code journal}: two {@link to.clasp.journal.PostgresJournal}s on one schema.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Threads(64)
public class PostgresTwoJvmAppendBench extends PostgresAppendState {

    private final AtomicLong counter = new AtomicLong();
    private final List<Process> others = new ArrayList<>();

    @Override
    void startOthers() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        others.add(new ProcessBuilder(java, "-cp", cp, SecondWriterMain.class.getName(), "sqlite",
                dir.resolve("journal.db").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        others.add(new ProcessBuilder(java, "-cp", cp, SecondWriterMain.class.getName(), "postgresql", schema)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    @Override
    void stopOthers() throws Exception {
        for (Process p : others) {
            p.getOutputStream().close(); // the writer stops when its input ends
        }
        for (Process p : others) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Benchmark
    public long baseline() {
        return sqlite.append(BenchData.entry(counter.incrementAndGet())).join();
    }

    @Benchmark
    public long journal() {
        return postgres.append(BenchData.entry(counter.incrementAndGet())).join();
    }
}
