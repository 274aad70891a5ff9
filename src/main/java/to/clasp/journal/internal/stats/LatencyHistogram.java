package to.clasp.journal.internal.stats;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import to.clasp.journal.Snapshot;

/**
 * Durations in nanoseconds, counted in logarithmic buckets: eight buckets per power of two, so a
 * percentile is known to within an eighth of its value, in a fixed 4 KB whatever the number of
 * samples. Recording is lock-free (two atomic adds and a rare max update) and may run on any
 * number of threads; reads see every sample recorded before them.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 3;
    private static final int SUB = 1 << SUB_BITS;
    /** Values below 2 * SUB have a bucket each; every power of two above gets SUB buckets. */
    private static final int BUCKETS = (64 - SUB_BITS) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    /** Adds one sample; a negative one (a clock that went back) counts as zero. */
    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts.incrementAndGet(bucket(v));
        total.addAndGet(v);
        long m = max.get();
        while (v > m && !max.compareAndSet(m, v)) {
            m = max.get();
        }
    }

    static int bucket(long v) {
        if (v < 2 * SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS + 1
        int mantissa = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + mantissa;
    }

    /** The largest value that falls in {@code bucket}. */
    static long upperBound(int bucket) {
        if (bucket < 2 * SUB) {
            return bucket;
        }
        int exp = bucket / SUB + SUB_BITS - 1;
        long mantissa = SUB + (bucket % SUB);
        long next = (mantissa + 1) << (exp - SUB_BITS);
        return next < 0 ? Long.MAX_VALUE : next - 1; // the top bucket ends at Long.MAX_VALUE
    }

    /** A consistent-enough copy: the counts are read once, percentiles come from that copy. */
    Snapshot snapshot() {
        long[] copy = new long[BUCKETS];
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            copy[i] = counts.get(i);
            n += copy[i];
        }
        return new Snapshot(copy, n, total.get(), max.get());
    }

    /** Counts read at one moment. */
    static final class Snapshot {
        private final long[] counts;
        private final long count;
        private final long total;
        private final long max;

        private Snapshot(long[] counts, long count, long total, long max) {
            this.counts = counts;
            this.count = count;
            this.total = total;
            this.max = max;
        }

        long count() {
            return count;
        }

        long total() {
            return total;
        }

        long max() {
            return max;
        }

        /**
         * The upper bound of the bucket holding the sample of rank {@code ceil(q * count)},
         * never more than the largest sample; 0 without samples.
         */
        long percentile(double q) {
            if (count == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * count));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return Math.min(upperBound(i), max);
                }
            }
            return max; // samples recorded while copying: the count ran ahead of the buckets
        }
    }
}
