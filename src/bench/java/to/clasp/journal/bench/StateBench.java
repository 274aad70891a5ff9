package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RouterJournalHook;

/**
 * Point-in-time state and checkpoints, each beside a baseline measured in the same run:
 *
 * <ul>
 *   <li>{@code stateAt} on a SQLite file of 1,000,000 entries ({@link BenchData#entry}), with a
 *       checkpoint every 100,000 entries (twenty kept): near the end (1,000 entries before the
 *       latest seq) and in the middle (50,000 entries after the checkpoint at 500,000). The
 *       baseline is a router's recovery into an empty store, which folds the newest checkpoint
 *       and every entry after it (and reads PUBLISHes too).</li>
 *   <li>{@code checkpoint()} on PostgreSQL with 10,000 distinct params: before each run, 20,000
 *       SETs (two per param) are appended after the newest checkpoint. The baselines are
 *       {@code stateAt(latestSeq)} (the same fold, with every SET sent to the client) and
 *       {@code latestSnapshot()} (reading back the 10,000 params the checkpoint stored).
 *       Skipped, with a message, without a server ({@code eval "$(bash .ci/pg start)"}).</li>
 * </ul>
 *
 * <p>Not a JMH benchmark: the file takes minutes to build, once, and each PostgreSQL run needs
 * new entries; figures are medians of the runs, in milliseconds. Ratios: baseline / journal
 * (above 1: the journal's call is faster).
 */
final class StateBench {

    private static final int ENTRIES = 1_000_000;
    private static final int CHECKPOINT_EVERY = 100_000;
    private static final int PARAMS = 10_000;

    private StateBench() {}

    static void run(boolean quick) {
        int runs = quick ? 3 : 15;
        System.out.println();
        System.out.printf(Locale.ROOT, "Point-in-time state (median of %d runs, ms; ratio = baseline / journal):%n", runs);
        System.out.printf(Locale.ROOT, "%-44s %12s %12s %8s%n", "measure", "baseline", "journal", "ratio");
        sqlite(runs);
        postgres(runs);
    }

    private static void sqlite(int runs) {
        Path dir = BenchData.tempDir();
        try (SqliteJournal journal = SqliteJournal.builder(dir.resolve("state.db")).snapshotsToKeep(20).build()) {
            List<CompletableFuture<Long>> pending = new ArrayList<>();
            for (long n = 1; n <= ENTRIES; n++) {
                pending.add(journal.append(BenchData.entry(n)));
                if (n % CHECKPOINT_EVERY == 0) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                    journal.checkpoint().join();
                }
            }
            pending.forEach(CompletableFuture::join);
            long latest = journal.latestSeq().join();
            RouterJournalHook hook = new RouterJournalHook(journal);
            double[] recover = times(runs, () -> hook.recover(new InMemoryParamStore()).join());
            double[] end = times(runs, () -> journal.stateAt(latest - 1_000).join());
            double[] middle = times(runs, () -> journal.stateAt(ENTRIES / 2 + 50_000).join());
            row("SQLite 1M: stateAt(latest - 1,000) vs recover", median(recover), median(end));
            row("SQLite 1M: stateAt(550,000) vs recover", median(recover), median(middle));
        } finally {
            BenchData.delete(dir);
        }
    }

    private static void postgres(int runs) {
        String url = System.getenv(PostgresBenchSupport.URL);
        if (url == null || url.isBlank()) {
            System.out.println("PostgreSQL checkpoint skipped: " + PostgresBenchSupport.URL
                    + " is not set (start a server with eval \"$(bash .ci/pg start)\")");
            return;
        }
        String schema = PostgresBenchSupport.freshSchema();
        try (PostgresJournal journal = PostgresBenchSupport.open(schema)) {
            appendRound(journal, 0);
            journal.checkpoint().join();
            double[] clientFold = new double[runs];
            double[] checkpoint = new double[runs];
            double[] read = new double[runs];
            for (int r = 0; r < runs; r++) {
                appendRound(journal, r + 1);
                long latest = journal.latestSeq().join();
                clientFold[r] = time(() -> journal.stateAt(latest).join());
                checkpoint[r] = time(() -> journal.checkpoint().join());
                read[r] = time(() -> journal.latestSnapshot().join());
            }
            row("PostgreSQL 10k params: checkpoint vs stateAt", median(clientFold), median(checkpoint));
            row("PostgreSQL 10k params: checkpoint vs latestSnapshot", median(read), median(checkpoint));
        } finally {
            try {
                PostgresBenchSupport.drop(schema);
            } catch (Exception e) {
                System.out.println("could not drop the schema " + schema + ": " + e);
            }
        }
    }

    /** Two SETs for each of the params, at revisions that grow with the round. */
    private static void appendRound(PostgresJournal journal, int round) {
        List<CompletableFuture<Long>> pending = new ArrayList<>(2 * PARAMS);
        for (int k = 0; k < 2; k++) {
            for (int p = 0; p < PARAMS; p++) {
                long revision = 2L * round + k;
                pending.add(journal.append(JournalEntry.fromSet("/bench/param/" + p, Value.of(revision * 0.5),
                        revision, "bench", 1_708_500_000_000_000L + revision)));
            }
        }
        pending.forEach(CompletableFuture::join);
    }

    private static double[] times(int runs, Supplier<?> work) {
        double[] ms = new double[runs];
        for (int r = 0; r < runs; r++) {
            ms[r] = time(work);
        }
        return ms;
    }

    private static double time(Supplier<?> work) {
        long start = System.nanoTime();
        work.get();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void row(String measure, double baseline, double journal) {
        System.out.printf(Locale.ROOT, "%-44s %12.2f %12.2f %7.2fx%n", measure, baseline, journal, baseline / journal);
    }
}
