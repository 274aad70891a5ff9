package to.clasp.journal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks and prints, for each one, the journal's figure beside its baseline,
 * measured in the same run, and their ratio.
 *
 * <p>Every benchmark class holds a {@code baseline} method (the way the Rust crate, or the
 * naive approach, does the work) and a {@code journal} method (this library). Scores are the
 * median of every measured iteration over all forks, because this kind of machine is noisy.
 *
 * <p>Arguments: an optional regular expression selecting benchmark classes (default: all), and
 * optionally a length: {@code quick} (1 fork, 1 warm-up and 2 measured iterations of 1 s: a smoke
 * run), {@code medium} (2 forks, 2 warm-ups and 5 measured iterations of 1 s) or, by default, the
 * full run (3 forks, 3 warm-ups of 1 s and 5 measured iterations of 2 s). {@code FollowLatency},
 * {@code CompactionBench}, {@code StateBench} and {@code RouterLifecycleBench}, which JMH cannot measure, and {@code FollowIdleCost}, which
 * alternates its two sides in one JVM, run after the JMH benchmarks when the expression matches
 * their names ({@code quick}: one run each). {@code Soak} alone, with the run's minutes as the
 * second word, runs {@link Soak} instead of JMH.
 */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws RunnerException {
        // Maven hands the arguments over as one string.
        String[] words = String.join(" ", args).trim().split("\\s+");
        String include = words.length > 0 && !words[0].isEmpty() ? words[0] : ".*";
        if (include.equals("InflatedReads")) {
            // Not JMH: the state under test (inflated monitors) is made by hand and lasts a minute.
            try {
                to.clasp.journal.InflatedReads.run();
            } catch (Exception e) {
                throw new IllegalStateException("the run failed", e);
            }
            return;
        }
        if (include.equals("Soak")) {
            // Not a JMH benchmark: a run of minutes, given as the second word (default 8).
            try {
                Soak.run(words.length > 1 ? Integer.parseInt(words[1]) : 8);
            } catch (Exception e) {
                throw new IllegalStateException("the soak run failed", e);
            }
            return;
        }
        String length = words.length > 1 ? words[1] : "full";
        if (!length.equals("quick") && !length.equals("medium") && !length.equals("full")) {
            throw new IllegalArgumentException("the run's length is quick, medium or full, not " + length);
        }
        boolean quick = length.equals("quick");
        if (!include.equals("FollowLatency") && !include.equals("CompactionBench")
                && !include.equals("FollowIdleCost") && !include.equals("StateBench")
                && !include.equals("RouterLifecycleBench")) {
            runJmh(include, length);
        }
        if ("FollowLatency".matches(include)) {
            FollowLatency.run(quick);
        }
        if ("CompactionBench".matches(include)) {
            CompactionBench.run(quick);
        }
        if ("FollowIdleCost".matches(include)) {
            FollowIdleCost.run(quick);
        }
        if ("StateBench".matches(include)) {
            StateBench.run(quick);
        }
        if ("RouterLifecycleBench".matches(include)) {
            RouterLifecycleBench.run(quick);
        }
    }

    private static void runJmh(String include, String length) throws RunnerException {
        boolean quick = length.equals("quick");
        boolean full = length.equals("full");
        Options options = new OptionsBuilder()
                .include("to\\.clasp\\.journal\\.bench\\.(" + include + ")")
                .forks(quick ? 1 : full ? 3 : 2)
                .warmupIterations(quick ? 1 : full ? 3 : 2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(full ? 2 : 1))
                .timeUnit(TimeUnit.SECONDS)
                .shouldFailOnError(true)
                .build();
        Path statsFile = tempStatsFile();
        options = new OptionsBuilder().parent(options)
                .jvmArgsAppend("-D" + BenchStats.PROPERTY + "=" + statsFile).build();
        Collection<RunResult> results = new Runner(options).run();
        printRatios(results, BenchStats.read(statsFile));
        deleteQuietly(statsFile);
    }

    private static Path tempStatsFile() {
        try {
            return Files.createTempFile("clasp-journal-bench-stats", ".tsv");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file
        }
    }

    private static void printRatios(Collection<RunResult> results, Map<String, List<String>> stats) {
        Map<String, Double[]> rows = new LinkedHashMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (RunResult run : results) {
            String name = run.getParams().getBenchmark();
            int dot = name.lastIndexOf('.');
            String method = name.substring(dot + 1);
            String key = name.substring(name.lastIndexOf('.', dot - 1) + 1, dot) + params(run);
            Double[] row = rows.computeIfAbsent(key, k -> new Double[2]);
            row[method.equals("baseline") ? 0 : 1] = median(run);
            units.put(key, run.getPrimaryResult().getScoreUnit());
        }
        System.out.println();
        System.out.println("Medians of all measured iterations; ratio = journal / baseline (higher is better).");
        System.out.printf(Locale.ROOT, "%-58s %16s %16s %8s  %s%n", "benchmark", "baseline", "journal",
                "ratio", "unit");
        for (Map.Entry<String, Double[]> e : rows.entrySet()) {
            Double[] row = e.getValue();
            String ratio = row[0] != null && row[1] != null && row[0] > 0
                    ? String.format(Locale.ROOT, "%.2fx", row[1] / row[0]) : "-";
            System.out.printf(Locale.ROOT, "%-58s %16s %16s %8s  %s%n", e.getKey(), format(row[0]),
                    format(row[1]), ratio, units.get(e.getKey()));
        }
        if (!stats.isEmpty()) {
            System.out.println();
            System.out.println("Journal.stats() at the end of each trial (one line per fork):");
            for (Map.Entry<String, List<String>> e : stats.entrySet()) {
                System.out.println(e.getKey());
                for (String line : e.getValue()) {
                    System.out.println("    " + line);
                }
            }
        }
    }

    private static String params(RunResult run) {
        List<String> parts = new ArrayList<>();
        for (String key : run.getParams().getParamsKeys()) {
            parts.add(key + "=" + run.getParams().getParam(key));
        }
        return parts.isEmpty() ? "" : " " + String.join(",", parts);
    }

    private static double median(RunResult run) {
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult b : run.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                scores.add(i.getPrimaryResult().getScore());
            }
        }
        scores.sort(null);
        int n = scores.size();
        return n % 2 == 1 ? scores.get(n / 2) : (scores.get(n / 2 - 1) + scores.get(n / 2)) / 2;
    }

    private static String format(Double score) {
        return score == null ? "-" : String.format(Locale.ROOT, "%.1f", score);
    }
}
