package to.clasp.journal.internal.stats;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalStats;

/**
 * The counters behind {@link Journal#stats()} for the SQL backends, and the read and error
 * counters of every backend.
 *
 * <p>Writer figures are recorded once per transaction, on the writer thread, never per append:
 * an append costs the hot path nothing here. Reads and rejections come from any thread and go
 * to {@link LongAdder}s, which do not contend.
 */
public final class StatsRecorder {

    private final AtomicLong appends = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong batchedWrites = new AtomicLong();
    private final AtomicLong largestBatch = new AtomicLong();
    private final LatencyHistogram commitTimes = new LatencyHistogram();
    private final LongAdder reads = new LongAdder();
    private final LongAdder entriesRead = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    /**
     * A transaction committed {@code writes} writes, {@code appends} of them appends, and took
     * {@code nanos} from its BEGIN to the return of its COMMIT.
     */
    public void committed(int writes, int appends, long nanos) {
        commits.incrementAndGet();
        batchedWrites.addAndGet(writes);
        this.appends.addAndGet(appends);
        long largest = largestBatch.get();
        while (writes > largest && !largestBatch.compareAndSet(largest, writes)) {
            largest = largestBatch.get();
        }
        commitTimes.record(nanos);
    }

    /**
     * Counts a query or since that has completed as it returned, with the entries it found; a
     * failed one is the caller's to count.
     *
     * @return {@code entries}
     */
    public CompletableFuture<List<JournalEntry>> countRead(CompletableFuture<List<JournalEntry>> entries) {
        if (entries.isDone() && !entries.isCompletedExceptionally()) {
            read(entries.join().size());
        }
        return entries;
    }

    /** A query or since returned {@code entries} entries. */
    public void read(int entries) {
        reads.increment();
        entriesRead.add(entries);
    }

    /** Counts a failed operation (see {@link #failed}) and returns a future failed with it. */
    public <T> CompletableFuture<T> failedFuture(JournalException e) {
        failed(e);
        return CompletableFuture.failedFuture(e);
    }

    /**
     * Counts a failed operation by its cause: bad input as rejected, a closed journal not at
     * all, anything else as a failure.
     */
    public void failed(Throwable error) {
        if (error instanceof JournalException.InvalidInput) {
            rejected.increment();
        } else if (!(error instanceof JournalException.Closed)) {
            failures.increment();
        }
    }

    /** Counts {@code n} operations that failed in storage. */
    public void failed(int n) {
        if (n > 0) {
            failures.add(n);
        }
    }

    /** The figures now, with the writer's queue depth. */
    public JournalStats snapshot(int queueDepth) {
        LatencyHistogram.Snapshot times = commitTimes.snapshot();
        long n = commits.get();
        long writes = batchedWrites.get();
        return new JournalStats(appends.get(), n, n == 0 ? 0 : (double) writes / n,
                (int) largestBatch.get(),
                Duration.ofNanos(times.percentile(0.50)), Duration.ofNanos(times.percentile(0.99)),
                Duration.ofNanos(times.max()), Duration.ofNanos(times.total()),
                Math.max(0, queueDepth), reads.sum(), entriesRead.sum(), failures.sum(), rejected.sum());
    }

    /**
     * The figures of a memory journal: {@code stored} writes stored one at a time, of which
     * {@code appends} appends, and no commits.
     */
    public JournalStats memorySnapshot(long appends, long stored) {
        Duration zero = Duration.ZERO;
        return new JournalStats(appends, 0, stored == 0 ? 0 : 1, stored == 0 ? 0 : 1,
                zero, zero, zero, zero, 0, reads.sum(), entriesRead.sum(), failures.sum(), rejected.sum());
    }
}
