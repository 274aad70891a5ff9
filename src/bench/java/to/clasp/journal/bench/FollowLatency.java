package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.SignalType;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/**
 * The delay from append to {@code onNext}, at a steady 10,000 appends/s from one thread that
 * does not wait for its appends, with 1 and with 100 streams that follow everything; beside it,
 * in the same run, the delay from append to the append's future completing (the commit), and
 * the same run without streams. Not a JMH benchmark: JMH measures operations, not the delay
 * between two threads at a fixed rate. Percentiles are over every entry of the measured part.
 */
final class FollowLatency {

    private static final int RATE = 10_000;

    private FollowLatency() {}

    static void run(boolean quick) {
        int warmupSeconds = quick ? 1 : 5;
        int measureSeconds = quick ? 2 : 20;
        System.out.println();
        System.out.printf(Locale.ROOT, "Follow delay at %,d appends/s (%d s measured after %d s warm-up),"
                + " microseconds from append():%n", RATE, measureSeconds, warmupSeconds);
        System.out.printf(Locale.ROOT, "%-8s %8s %12s %12s %12s %12s %10s%n", "backend", "streams",
                "commit p50", "commit p99", "onNext p50", "onNext p99", "rate/s");
        for (String backend : new String[] {"memory", "sqlite"}) {
            for (int streams : new int[] {0, 1, 100}) {
                Path dir = BenchData.tempDir();
                try (Journal journal = backend.equals("memory") ? new MemoryJournal(1_000_000)
                        : SqliteJournal.open(dir.resolve("latency.db"))) {
                    measure(backend, journal, streams, warmupSeconds, measureSeconds);
                } finally {
                    BenchData.delete(dir);
                }
            }
        }
    }

    private static void measure(String backend, Journal journal, int streams, int warmupSeconds,
            int measureSeconds) {
        int total = RATE * (warmupSeconds + measureSeconds);
        int warmup = RATE * warmupSeconds;
        long[] commit = new long[total];
        java.util.concurrent.CompletableFuture<?>[] futures = new java.util.concurrent.CompletableFuture<?>[total];
        Follower[] followers = new Follower[streams];
        for (int i = 0; i < streams; i++) {
            followers[i] = new Follower(total);
            journal.follow(JournalQuery.of("/**"), 0).subscribe(followers[i]);
        }
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        for (int i = 0; i < total; i++) {
            long due = start + (long) i * 1_000_000_000L / RATE;
            long now;
            while ((now = System.nanoTime()) < due) {
                if (due - now > 200_000) {
                    LockSupport.parkNanos(due - now - 100_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            int index = i;
            long sent = now;
            futures[i] = journal.append(JournalEntry.fromPublish("/bench/" + (i % 100), SignalType.STREAM,
                    Value.of(sent), "bench", BenchData.T0 + i))
                    .whenComplete((seq, error) -> commit[index] = System.nanoTime() - sent);
        }
        double rate = total / ((System.nanoTime() - start) / 1e9);
        java.util.concurrent.CompletableFuture.allOf(futures).join();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Follower f : followers) {
            while (f.received.get() < total && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
        }
        long[] delays = new long[(total - warmup) * streams];
        int n = 0;
        for (Follower f : followers) {
            System.arraycopy(f.delays, warmup, delays, n, total - warmup);
            n += total - warmup;
        }
        long[] commits = Arrays.copyOfRange(commit, warmup, total);
        System.out.printf(Locale.ROOT, "%-8s %8d %12.1f %12.1f %12s %12s %10.0f%n", backend, streams,
                percentile(commits, 50), percentile(commits, 99),
                streams == 0 ? "-" : String.format(Locale.ROOT, "%.1f", percentile(delays, 50)),
                streams == 0 ? "-" : String.format(Locale.ROOT, "%.1f", percentile(delays, 99)), rate);
        for (Follower f : followers) {
            if (f.received.get() < total) {
                System.out.println("  a stream got " + f.received.get() + " of " + total
                        + " entries" + (f.error == null ? "" : ": " + f.error));
                break;
            }
        }
    }

    private static double percentile(long[] nanos, int p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, (long) sorted.length * p / 100)] / 1_000.0;
    }

    /** Records, for each entry by seq, how long after its append() it arrived. */
    private static final class Follower implements Flow.Subscriber<JournalEntry> {
        final long[] delays;
        final AtomicLong received = new AtomicLong();
        volatile Throwable error;

        Follower(int total) {
            delays = new long[total];
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(JournalEntry e) {
            long sent = ((Value.Int) e.value()).value();
            delays[(int) (e.seq() - 1)] = System.nanoTime() - sent;
            received.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
        }
    }
}
