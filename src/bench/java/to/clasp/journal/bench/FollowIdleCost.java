package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SqliteJournal;

/**
 * What 1,000 idle follow streams cost SQLite appends, as {@code FollowIdleStreamsBench} measures
 * it (4 threads append, each waiting for its append; the streams ask for everything on their
 * own prefix, {@code /idle/roomN/**}, which the traffic never matches), but with the baseline
 * and the followed journal in one JVM, measured in alternating one-second slices (ABBA), so
 * that the load other programs put on a shared machine falls on both sides alike. JMH runs each
 * side in its own fork at its own time, where a busy neighbour moves the ratio more than the
 * streams do. Prints the median appends/s of each side and their ratio.
 */
final class FollowIdleCost {

    static final int STREAMS = 1_000;
    private static final int THREADS = 4;
    private static final long SLICE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private FollowIdleCost() {}

    static void run(boolean quick) {
        int rounds = quick ? 4 : 20;
        Path dir = BenchData.tempDir();
        try (Journal plain = SqliteJournal.open(dir.resolve("plain.db"));
                Journal followed = SqliteJournal.open(dir.resolve("followed.db"))) {
            Idle idle = new Idle();
            for (int i = 0; i < STREAMS; i++) {
                followed.follow(JournalQuery.of("/idle/room" + i + "/**"), 0).subscribe(idle);
            }
            AtomicLong counter = new AtomicLong();
            measure(plain, counter);
            measure(followed, counter);
            double[] baseline = new double[rounds];
            double[] journal = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                // ABBA: neither side always runs first, after the other has warmed the file cache.
                if (r % 2 == 0) {
                    baseline[r] = measure(plain, counter);
                    journal[r] = measure(followed, counter);
                } else {
                    journal[r] = measure(followed, counter);
                    baseline[r] = measure(plain, counter);
                }
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = journal[r] / baseline[r];
            }
            double b = median(baseline);
            double j = median(journal);
            System.out.println();
            System.out.printf(Locale.ROOT, "SQLite appends/s, %d threads each waiting, beside %,d idle streams"
                    + " on other addresses (%d alternating slices of 1 s each):%n", THREADS, STREAMS, rounds);
            System.out.printf(Locale.ROOT, "%-28s %12s %12s %8s%n", "", "baseline", "journal", "ratio");
            System.out.printf(Locale.ROOT, "%-28s %12.0f %12.0f %7.3fx%n", "FollowIdleCost (medians)", b, j, j / b);
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "slice ratios: min %.3f, median %.3f, max %.3f;"
                    + " streams subscribed %d, ended %d, entries delivered %d%n",
                    ratios[0], median(ratios), ratios[rounds - 1],
                    idle.subscribed.sum(), idle.ended.sum(), idle.delivered.sum());
        } finally {
            BenchData.delete(dir);
        }
    }

    /** Appends/s of {@link #THREADS} threads, each waiting for its append, over one slice. */
    private static double measure(Journal journal, AtomicLong counter) {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                // A flag, not an interrupt: an append may do its commit on this thread.
                while (!stop.get()) {
                    journal.append(BenchData.entry(counter.incrementAndGet())).join();
                    done.increment();
                }
            }, "follow-idle-cost-" + t);
            threads.add(thread);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        sleepUntil(start + SLICE_NANOS);
        long count = done.sum();
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return count / (elapsed / 1e9);
    }

    private static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Every idle stream: asks for everything, and counts what should stay zero. */
    private static final class Idle implements Flow.Subscriber<JournalEntry> {
        final LongAdder subscribed = new LongAdder();
        final LongAdder ended = new LongAdder();
        final LongAdder delivered = new LongAdder();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscribed.increment();
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(JournalEntry item) {
            delivered.increment();
        }

        @Override
        public void onError(Throwable t) {
            ended.increment();
        }

        @Override
        public void onComplete() {
            ended.increment();
        }
    }
}
