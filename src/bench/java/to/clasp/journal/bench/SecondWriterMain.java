package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import to.clasp.journal.Journal;
import to.clasp.journal.SqliteJournal;

/**
 * The second JVM of {@link PostgresTwoJvmAppendBench}: appends to a SQLite file
 * ({@code sqlite FILE}) or a PostgreSQL schema ({@code postgresql SCHEMA}, server from the
 * environment) with 64 appends in flight, until its standard input ends.
 */
public final class SecondWriterMain {

    private SecondWriterMain() {}

    public static void main(String[] args) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for the end of input
                }
            } catch (java.io.IOException ignored) {
                // treat as the end
            }
            running.set(false);
        });
        watcher.setDaemon(true);
        watcher.start();
        try (Journal journal = args[0].equals("sqlite") ? SqliteJournal.open(Path.of(args[1]))
                : PostgresBenchSupport.open(args[1])) {
            Semaphore inFlight = new Semaphore(64);
            for (long n = 1_000_000_000L; running.get(); n++) {
                inFlight.acquire();
                journal.append(BenchData.entry(n)).whenComplete((seq, error) -> inFlight.release());
            }
            inFlight.acquire(64);
        }
        System.exit(0);
    }
}
