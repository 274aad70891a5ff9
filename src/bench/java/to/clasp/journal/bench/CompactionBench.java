package to.clasp.journal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import to.clasp.journal.SqliteJournal;

/**
 * Compaction of a SQLite file and the appends beside it: the time to compact the older half of
 * files of 250,000 and 1,000,000 entries ({@link IssueWorkload}), with nothing beside it and with
 * an append due every 5 ms, the ratio of the latter (linear is 4), and
 * the delay of appends made every 5 ms while each compaction runs (and, for reference, for two
 * seconds before it, without a compaction, on the same machine at the same time). Beside it, in the same run,
 * the Rust crate's plan on a copy of the same file: one {@code DELETE ... WHERE seq < ?} in
 * autocommit, with plain JDBC. Not a JMH benchmark: one compaction is one long operation whose
 * file must be rebuilt each time, and the append delays are a distribution beside it.
 *
 * <p>Each file is built once by the journal and copied for every run. An append's delay is from
 * the moment it was due (and called: the thread that calls does not wait) to its future
 * completing; appends go on for the whole compaction, and the percentiles are over those.
 */
final class CompactionBench {

    private static final int[] SIZES = {250_000, 1_000_000};
    /** How long appends run alone, before each compaction, for their delay without one. */
    private static final long ALONE_NANOS = 2_000_000_000L;
    private static final long APPEND_EVERY_NANOS = 5_000_000L;

    private CompactionBench() {}

    static void run(boolean quick) {
        int runs = quick ? 1 : 3;
        System.out.println();
        System.out.printf(Locale.ROOT, "Compacting the older half of a SQLite file (median of %d run%s),"
                + " with an append due every 5 ms beside it:%n", runs, runs == 1 ? "" : "s");
        System.out.printf(Locale.ROOT, "%-10s %14s %14s %14s %12s %12s %12s %9s%n", "entries", "baseline s",
                "journal alone", "journal s", "append p50", "append p99", "append max", "appends");
        Path dir = BenchData.tempDir();
        double[] journalSeconds = new double[SIZES.length];
        try {
            for (int s = 0; s < SIZES.length; s++) {
                int n = SIZES[s];
                Path source = dir.resolve("source-" + n + ".db");
                build(source, n);
                double[] baseline = new double[runs];
                double[] alone = new double[runs];
                double[] journal = new double[runs];
                List<Long> withoutCompaction = new ArrayList<>();
                List<Long> during = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    baseline[r] = baseline(copy(source, dir.resolve("baseline.db")), n / 2 + 1);
                    alone[r] = alone(copy(source, dir.resolve("alone.db")), n / 2 + 1);
                    journal[r] = journal(copy(source, dir.resolve("journal.db")), n, n / 2 + 1, withoutCompaction,
                            during);
                }
                journalSeconds[s] = median(journal);
                String entries = String.format(Locale.ROOT, "%,d", n);
                System.out.printf(Locale.ROOT, "%-10s %14.2f %14.2f %14.2f %s%n", entries, median(baseline),
                        median(alone), journalSeconds[s], delays(during));
                System.out.printf(Locale.ROOT, "%-10s %14s %14s %14s %s%n", "", "", "", "(no compaction)",
                        delays(withoutCompaction));
                deleteFamily(source);
            }
        } finally {
            BenchData.delete(dir);
        }
        System.out.printf(Locale.ROOT, "time for %,d entries / time for %,d, with appends: %.2f (linear: %.2f)%n",
                SIZES[1], SIZES[0], journalSeconds[1] / journalSeconds[0], (double) SIZES[1] / SIZES[0]);
    }

    /** Writes n entries through the journal, many in flight at a time. */
    private static void build(Path file, int n) {
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> pending = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                pending.add(journal.append(IssueWorkload.entry(i)));
                if (pending.size() == 10_000 || i == n) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
        }
    }

    /**
     * Appends every 5 ms for {@link #ALONE_NANOS} (their delays go to {@code alone}), then
     * compacts while appending every 5 ms (their delays go to {@code during}); returns the
     * compaction's seconds.
     */
    private static double journal(Path file, int n, long before, List<Long> alone, List<Long> during) {
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long[] next = {n + 1L};
            CompletableFuture<Long> never = new CompletableFuture<>();
            appendEvery5Ms(journal, next, never, System.nanoTime() + ALONE_NANOS, alone);
            long started = System.nanoTime();
            CompletableFuture<Long> compaction = journal.compact(before);
            appendEvery5Ms(journal, next, compaction, Long.MAX_VALUE, during);
            return secondsOf(compaction, started, before);
        } finally {
            deleteFamily(file);
        }
    }

    /**
     * Appends one entry every 5 ms, without waiting for it, until {@code until} completes or
     * the deadline passes; then waits for them and adds each one's delay from when it was due.
     */
    private static void appendEvery5Ms(SqliteJournal journal, long[] next, CompletableFuture<?> until,
            long deadline, List<Long> delays) {
        long[] delay = new long[100_000];
        CompletableFuture<?>[] appends = new CompletableFuture<?>[delay.length];
        int made = 0;
        long due = System.nanoTime() + APPEND_EVERY_NANOS;
        while (!until.isDone() && due < deadline && made < delay.length) {
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.max(1, due - now - 50_000));
            }
            int i = made++;
            long at = due;
            appends[i] = journal.append(IssueWorkload.entry(next[0]++))
                    .whenComplete((seq, error) -> delay[i] = System.nanoTime() - at);
            due += APPEND_EVERY_NANOS;
        }
        for (int i = 0; i < made; i++) {
            appends[i].join();
            delays.add(delay[i]);
        }
    }

    /** The journal's compaction with nothing beside it; returns the seconds. */
    private static double alone(Path file, long before) {
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long started = System.nanoTime();
            return secondsOf(journal.compact(before), started, before);
        } finally {
            deleteFamily(file);
        }
    }

    /**
     * Waits for a compaction started at {@code started} (nanoTime), checks that it removed every
     * entry below {@code before}, and returns its seconds.
     */
    private static double secondsOf(CompletableFuture<Long> compaction, long started, long before) {
        long removed = compaction.join();
        double seconds = (System.nanoTime() - started) / 1e9;
        if (removed != before - 1) {
            throw new IllegalStateException("removed " + removed + ", expected " + (before - 1));
        }
        return seconds;
    }

    /** The Rust crate's compaction: one DELETE in autocommit; returns the seconds. */
    private static double baseline(Path file, long before) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
            }
            long started = System.nanoTime();
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM journal_entries WHERE seq < ?")) {
                delete.setLong(1, before);
                if (delete.executeUpdate() != before - 1) {
                    throw new IllegalStateException("the baseline removed a different count");
                }
            }
            return (System.nanoTime() - started) / 1e9;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            deleteFamily(file);
        }
    }

    /** Copies a database file with its WAL, if it has one. */
    private static Path copy(Path source, Path target) {
        try {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            Path wal = source.resolveSibling(source.getFileName() + "-wal");
            Path targetWal = target.resolveSibling(target.getFileName() + "-wal");
            Files.deleteIfExists(targetWal);
            if (Files.exists(wal)) {
                Files.copy(wal, targetWal);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a database file with its WAL and shared-memory file. */
    private static void deleteFamily(Path file) {
        try {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** p50, p99 and max of delays in milliseconds, and their count. */
    private static String delays(List<Long> delays) {
        long[] d = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "%9.2f ms %9.2f ms %9.2f ms %9d", percentile(d, 0.50),
                percentile(d, 0.99), d.length == 0 ? 0.0 : d[d.length - 1] / 1e6, d.length);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
