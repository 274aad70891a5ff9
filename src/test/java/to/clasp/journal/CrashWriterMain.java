package to.clasp.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The process {@link SqliteCrashTest} kills: appends {@link #entry(long) entry(i)} for i = 0, 1,
 * 2, … to the journal file given as the only argument, as fast as it can, and prints
 * {@code "<seq> <i>"} on its own line once each append's future has completed.
 */
public final class CrashWriterMain {

    private CrashWriterMain() {}

    /** The entry appended for index {@code i}; the test recomputes it. */
    static JournalEntry entry(long i) {
        Value value = i % 3 == 0 ? Value.of(new byte[] {(byte) i, (byte) (i >> 8), 0, (byte) 255})
                : Value.of(i);
        return JournalEntry.fromPublish("/crash/" + (i % 17), SignalType.EVENT, value, "crash-writer",
                1_708_500_000_000_000L + i);
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        SqliteJournal journal = SqliteJournal.open(Path.of(args[0]));
        Semaphore inFlight = new Semaphore(512);
        for (long i = 0; ; i++) {
            inFlight.acquire();
            long index = i;
            journal.append(entry(i)).whenComplete((seq, error) -> {
                inFlight.release();
                if (error == null) {
                    synchronized (out) {
                        out.println(seq + " " + index);
                        out.flush();
                    }
                }
            });
        }
    }
}
