package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RouterJournalHook;
import to.clasp.journal.router.SnapshotPolicy;

/**
 * The issue's router: {@code SnapshotPolicy.every(50_000, store).compactingKeeping(100_000)} on
 * a SQLite file, recording 600,000 SETs ({@link IssueWorkload}: 1,000 addresses), one at a time,
 * each waited for, as a router thread that records each change does. It reports each append's
 * time from the call to its commit (p50, p99, p99.9, max) and the time of the whole run. The
 * baseline, in the same run: the same router without a snapshot policy, so with no automatic
 * snapshot and no compaction; the difference is what the lifecycle costs the appends.
 *
 * <p>Not JMH: one run is 600,000 appends whose worst case is the figure. {@code quick} runs each
 * side once, otherwise three times (medians). Run it alone on a quiet machine:
 * {@code -Dbench.args="RouterLifecycleBench quick"}.
 */
final class RouterLifecycleBench {

    private static final int SETS = 600_000;
    private static final int SNAPSHOT_EVERY = 50_000;
    private static final int KEEP = 100_000;

    private RouterLifecycleBench() {}

    static void run(boolean quick) {
        int runs = quick ? 1 : 3;
        System.out.println();
        System.out.printf(Locale.ROOT, "A router recording %,d SETs, each waited for (median of %d run%s):%n", SETS,
                runs, runs == 1 ? "" : "s");
        System.out.printf(Locale.ROOT, "%-52s %9s %9s %9s %9s %9s%n", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
                "run s");
        double[][] baseline = new double[runs][];
        double[][] journal = new double[runs][];
        for (int r = 0; r < runs; r++) {
            baseline[r] = record(false);
            journal[r] = record(true);
        }
        print("no snapshot policy (baseline)", baseline);
        print("every(50,000).compactingKeeping(100,000) (journal)", journal);
        System.out.printf(Locale.ROOT, "worst append, journal / baseline: %.2f (target: worst append <= 50 ms)%n",
                median(journal, 3) / median(baseline, 3));
    }

    /** Records the SETs on a new file; returns p50, p99, p99.9 and max in ms, and the run's seconds. */
    private static double[] record(boolean lifecycle) {
        Path dir = BenchData.tempDir();
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("router.db"))) {
            InMemoryParamStore store = new InMemoryParamStore();
            RouterJournalHook.Builder builder = RouterJournalHook.builder(journal);
            if (lifecycle) {
                builder.snapshotPolicy(SnapshotPolicy.every(SNAPSHOT_EVERY, store).compactingKeeping(KEEP));
            }
            RouterJournalHook hook = builder.build();
            long[] took = new long[SETS];
            long started = System.nanoTime();
            for (int i = 1; i <= SETS; i++) {
                String address = IssueWorkload.address(i);
                Value value = Value.of((double) i);
                store.set(address, value, i + 1, "s1", IssueWorkload.T0 + i);
                long t = System.nanoTime();
                hook.recordSet(address, value, i + 1, "s1").join();
                took[i - 1] = System.nanoTime() - t;
            }
            hook.idle().join();
            double seconds = (System.nanoTime() - started) / 1e9;
            Arrays.sort(took);
            return new double[] {ms(took, 0.50), ms(took, 0.99), ms(took, 0.999), took[took.length - 1] / 1e6, seconds};
        } finally {
            BenchData.delete(dir);
        }
    }

    private static double ms(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static void print(String name, double[][] runs) {
        System.out.printf(Locale.ROOT, "%-52s %9.3f %9.3f %9.3f %9.2f %9.1f%n", name, median(runs, 0), median(runs, 1),
                median(runs, 2), median(runs, 3), median(runs, 4));
    }

    private static double median(double[][] runs, int column) {
        double[] v = new double[runs.length];
        for (int i = 0; i < runs.length; i++) {
            v[i] = runs[i][column];
        }
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
