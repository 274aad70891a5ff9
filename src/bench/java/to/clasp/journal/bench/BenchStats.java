package to.clasp.journal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import to.clasp.journal.Journal;

/**
 * The journal's own figures ({@link Journal#stats()}) after each benchmark run, so that the
 * report shows, beside a throughput, the batch sizes and commit times that explain it.
 *
 * <p>Benchmarks run in forked JVMs: each trial's tear-down appends a line to the file that
 * {@link BenchMain} names in the {@value #PROPERTY} property, and {@link BenchMain} prints them
 * under its table. Without the property (a benchmark run by JMH directly) the line goes to
 * standard output.
 */
final class BenchStats {

    static final String PROPERTY = "clasp.bench.stats";

    private BenchStats() {}

    /**
     * Records what {@code journal} did in the trial that {@code params} describes; a journal
     * that did nothing (the trial measured the baseline) is left out.
     */
    static void record(BenchmarkParams params, String label, Journal journal) {
        var stats = journal.stats();
        if (stats.appends() == 0 && stats.reads() == 0) {
            return;
        }
        String benchmark = params.getBenchmark();
        int dot = benchmark.lastIndexOf('.');
        String key = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot) + params(params);
        String line = key + "\t" + benchmark.substring(dot + 1) + " (" + label + ")\t" + stats.summary();
        String file = System.getProperty(PROPERTY);
        if (file == null) {
            System.out.println("journal stats: " + line.replace('\t', ' '));
            return;
        }
        try {
            Files.writeString(Path.of(file), line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String params(BenchmarkParams params) {
        List<String> parts = new ArrayList<>();
        for (String key : params.getParamsKeys()) {
            parts.add(key + "=" + params.getParam(key));
        }
        return parts.isEmpty() ? "" : " " + String.join(",", parts);
    }

    /** The lines recorded in {@code file}, by benchmark key (as {@link BenchMain} prints keys). */
    static Map<String, List<String>> read(Path file) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return byKey;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.split("\t", 2);
                if (parts.length == 2) {
                    byKey.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1].replace('\t', ' '));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byKey;
    }
}
