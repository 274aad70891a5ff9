package to.clasp.journal;

import java.time.Duration;
import java.util.Objects;

/**
 * What a journal has done since it was opened: an immutable snapshot of its counters, taken by
 * {@link Journal#stats()}.
 *
 * <p>Counters only grow while the journal is open and are not persisted: a reopened journal
 * starts from zero. The figures are read one after the other without stopping the journal, so a
 * snapshot taken while other threads append may be a few operations apart between two figures
 * (say, {@code appends} already counting an entry whose commit is not in {@code commits} yet);
 * each figure on its own is exact.
 *
 * <p>A <em>write</em> is an append or a snapshot. The SQL backends commit the writes waiting
 * for their writer thread in groups ({@code BEGIN … COMMIT}); a memory journal stores each write
 * on its own and has nothing to commit, so its commit figures stay zero and its batch figures
 * describe batches of one.
 *
 * @param appends entries appended: each successful {@link Journal#append}, once its entry is
 *     stored (on a SQL backend, committed)
 * @param commits write transactions committed (compactions and vacuums are not counted); zero
 *     for a memory journal
 * @param meanBatch writes committed per transaction, on average; 1 for a memory journal once
 *     it has stored a write, 0 before the first
 * @param largestBatch the most writes one transaction committed (1 for a memory journal once it
 *     has stored a write)
 * @param commitP50 the median time a commit transaction took, from its {@code BEGIN} to the
 *     return of its {@code COMMIT}; within an eighth of the exact figure (times are kept in
 *     logarithmic buckets); zero before the first commit and for a memory journal
 * @param commitP99 the 99th percentile of the same times, as precise
 * @param commitMax the longest commit transaction, exact
 * @param commitTimeTotal the time all commit transactions took together, exact
 * @param queueDepth writes (and compactions) waiting for the writer thread at the moment of the
 *     snapshot; always 0 for a memory journal, whose writes do not queue
 * @param reads calls of {@link Journal#query} and {@link Journal#since} that succeeded
 * @param entriesRead the entries those calls returned, together
 * @param failures operations that failed for another reason than bad input or a closed
 *     journal: storage errors (full disk, lost file, unreachable server), failed integrity
 *     checks, corrupt entries
 * @param rejected calls refused with {@link JournalException.InvalidInput} (bad arguments; the
 *     journal was left unchanged)
 */
public record JournalStats(long appends, long commits, double meanBatch, int largestBatch,
        Duration commitP50, Duration commitP99, Duration commitMax, Duration commitTimeTotal,
        int queueDepth, long reads, long entriesRead, long failures, long rejected) {

    /**
     * Checks the figures.
     *
     * @param appends entries appended
     * @param commits write transactions committed
     * @param meanBatch writes per committed transaction, on average
     * @param largestBatch the most writes one transaction committed
     * @param commitP50 the median commit time
     * @param commitP99 the 99th percentile of commit times
     * @param commitMax the longest commit time
     * @param commitTimeTotal the time all commits took together
     * @param queueDepth writes waiting for the writer thread
     * @param reads reads answered
     * @param entriesRead entries those reads returned
     * @param failures operations failed in storage
     * @param rejected calls refused for bad input
     * @throws NullPointerException if a duration is null
     * @throws IllegalArgumentException if a count or duration is negative, or the percentiles
     *     are out of order
     */
    public JournalStats {
        Objects.requireNonNull(commitP50, "commitP50");
        Objects.requireNonNull(commitP99, "commitP99");
        Objects.requireNonNull(commitMax, "commitMax");
        Objects.requireNonNull(commitTimeTotal, "commitTimeTotal");
        if (appends < 0 || commits < 0 || meanBatch < 0 || largestBatch < 0 || queueDepth < 0
                || reads < 0 || entriesRead < 0 || failures < 0 || rejected < 0
                || commitP50.isNegative() || commitTimeTotal.isNegative()) {
            throw new IllegalArgumentException("journal figures cannot be negative");
        }
        if (commitP50.compareTo(commitP99) > 0 || commitP99.compareTo(commitMax) > 0) {
            throw new IllegalArgumentException("commit percentiles out of order: p50 " + commitP50
                    + ", p99 " + commitP99 + ", max " + commitMax);
        }
    }

    /**
     * A short one-line summary for logs and benchmark reports, such as
     * {@code appends=1000 commits=12 batch(mean=83.3, max=250) commit(p50=1.2ms, p99=3.4ms,
     * max=3.6ms) queue=0 reads=2 entriesRead=100 failures=0 rejected=0}.
     *
     * @return the summary
     */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "appends=%d commits=%d batch(mean=%.1f, max=%d) commit(p50=%s, p99=%s, max=%s)"
                        + " queue=%d reads=%d entriesRead=%d failures=%d rejected=%d",
                appends, commits, meanBatch, largestBatch, millis(commitP50), millis(commitP99),
                millis(commitMax), queueDepth, reads, entriesRead, failures, rejected);
    }

    private static String millis(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.3fms", d.toNanos() / 1e6);
    }
}
