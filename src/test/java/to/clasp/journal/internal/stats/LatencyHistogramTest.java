package to.clasp.journal.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

public class LatencyHistogramTest {

    @Test
    void bucketsCoverEveryValueWithoutGapsOrOverlap() {
        Random random = new Random(12);
        List<Long> values = new ArrayList<>(List.of(0L, 1L, 15L, 16L, 17L, 31L, 32L, 1_000L,
                Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 62, (1L << 62) - 1));
        for (int i = 0; i < 10_000; i++) {
            values.add(random.nextLong() >>> (1 + random.nextInt(63))); // never negative
        }
        for (long v : values) {
            int b = LatencyHistogram.bucket(v);
            assertThat(LatencyHistogram.upperBound(b)).as("upper bound of %d", v).isGreaterThanOrEqualTo(v);
            if (b > 0) {
                assertThat(LatencyHistogram.upperBound(b - 1)).as("bucket below %d", v).isLessThan(v);
            }
            // Within an eighth: the bucket is narrow relative to what it holds.
            long lower = b == 0 ? 0 : LatencyHistogram.upperBound(b - 1) + 1;
            assertThat((double) (LatencyHistogram.upperBound(b) - lower)).isLessThanOrEqualTo(v / 8.0 + 1);
        }
    }

    @Test
    void percentilesAreOrderedWithinAnEighthAndTheMaxIsExact() {
        LatencyHistogram h = new LatencyHistogram();
        List<Long> samples = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long nanos = 50_000 + (long) (random.nextGaussian() * 5_000) + (i % 100 == 0 ? 5_000_000 : 0);
            samples.add(Math.max(0, nanos));
            h.record(nanos);
        }
        Collections.sort(samples);
        LatencyHistogram.Snapshot s = h.snapshot();
        assertThat(s.count()).isEqualTo(samples.size());
        assertThat(s.max()).isEqualTo(samples.get(samples.size() - 1));
        assertThat(s.total()).isEqualTo(samples.stream().mapToLong(Long::longValue).sum());
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            long exact = samples.get((int) Math.ceil(q * samples.size()) - 1);
            assertThat((double) s.percentile(q)).as("p%s", q)
                    .isBetween((double) exact, exact * 1.125 + 1);
        }
        assertThat(s.percentile(0.5)).isLessThanOrEqualTo(s.percentile(0.99));
        assertThat(s.percentile(0.99)).isLessThanOrEqualTo(s.max());
    }

    @Test
    void emptyAndNegativeSamples() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.snapshot().percentile(0.99)).isZero();
        h.record(-5); // a clock that went back counts as nothing
        assertThat(h.snapshot().max()).isZero();
        assertThat(h.snapshot().count()).isEqualTo(1);
    }

    @Test
    void recordingFromManyThreadsLosesNothing() throws Exception {
        LatencyHistogram h = new LatencyHistogram();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long base = (t + 1) * 1_000L;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        h.record(base + i % 7);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertThat(s.count()).isEqualTo(200_000);
        assertThat(s.max()).isEqualTo(4_006);
    }
}
