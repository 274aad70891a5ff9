package to.clasp.journal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Value;

@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draws the numeric params whose address matches PATTERN over time, as a step chart",
            "(one line a param), to a PNG or SVG file chosen by --out's extension. Read-only.",
            "A line starts with the param's value at --from (its state then, as the state command gives it)",
            "and steps at each SET that changes it (per address the highest revision wins; a snapshot taken",
            "within the range is not applied, so a param it leaves out keeps its line).",
            "Integers and finite floats are drawn; other values (strings, bytes, booleans, null, arrays,",
            "maps, NaN, infinities) leave a gap, and the command says what it left out, as it does for",
            "params beyond --max-series (the first ones in address order are drawn)."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal plot journal.db '/lights/**' --out lights.png",
            "  clasp-journal plot journal.db '/audio/*/volume*' --from 2024-02-21T07:00Z --to 2024-02-21T08:00Z "
                    + "--out volume.svg"})
final class PlotCommand implements Callable<Integer> {

    /** How many addresses a left-out list names before it only counts the rest. */
    private static final int NAMED = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Parameters(index = "1", paramLabel = "PATTERN", converter = Args.PatternArg.class,
            description = "An address pattern, such as '/lights/**' (quote it in the shell).")
    String pattern;

    @Option(names = "--from", paramLabel = "T1", converter = Args.Time.class,
            description = "Start at T1 (default: the oldest entry): microseconds since the epoch or ISO-8601.")
    Long from;

    @Option(names = "--to", paramLabel = "T2", converter = Args.Time.class,
            description = "End at T2 (default: the newest entry).")
    Long to;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "The chart to write: FILE.png or FILE.svg (replaced if it exists).")
    Path out;

    @Option(names = "--max-series", paramLabel = "N", defaultValue = "20",
            description = "Draw at most N params (default 20); the command names those it left out.")
    int maxSeries;

    @Option(names = "--width", paramLabel = "PX", defaultValue = "1000", description = "Width in pixels (default 1000).")
    int width;

    @Option(names = "--height", paramLabel = "PX", defaultValue = "500", description = "Height in pixels (default 500).")
    int height;

    @Override
    public Integer call() throws IOException {
        StepChart.Format format = checkArguments();
        PrintWriter report = spec.commandLine().getOut();
        String display = journal.display();
        Plot plot;
        try (Journal j = journal.openReadOnly()) {
            plot = read(j, display, report);
        }
        List<ParamLine> numeric = plot.lines.values().stream().filter(l -> l.numbers > 0).toList();
        if (numeric.isEmpty()) {
            throw CliException.failure("nothing to plot: no SET of " + display + " matching " + pattern
                    + " holds a number in the range"
                    + (plot.lines.isEmpty() ? "" : " (" + leftOutValues(plot.lines.values()) + ")")
                    + "; " + out + " was not written");
        }
        List<ParamLine> drawn = numeric.subList(0, Math.min(maxSeries, numeric.size()));
        List<StepChart.Line> lines = new ArrayList<>(drawn.size());
        for (ParamLine l : drawn) {
            lines.add(l.line(plot.endMicros));
        }
        write(format, pattern + " in " + display, lines);
        long values = drawn.stream().mapToLong(l -> l.numbers).sum();
        report.println("plotted " + drawn.size() + (drawn.size() == 1 ? " param" : " params") + " (" + Args.count(values)
                + (values == 1 ? " value) of " : " values) of ") + display + " matching " + pattern + ", " + Args.iso(plot.startMicros) + " .. "
                + Args.iso(plot.endMicros) + ", into " + out + " (" + format + ", " + width + "x" + height + ")");
        // The params beyond --max-series are left out whole and named below; of the others, every value.
        List<ParamLine> shown = plot.lines.values().stream()
                .filter(l -> l.numbers == 0 || drawn.contains(l)).filter(l -> !l.kinds.isEmpty()).toList();
        if (!shown.isEmpty()) {
            report.println("left out " + leftOutValues(shown));
        }
        if (numeric.size() > drawn.size()) {
            List<String> rest = numeric.subList(drawn.size(), numeric.size()).stream().map(l -> l.address).toList();
            report.println("left out " + Args.count(rest.size()) + (rest.size() == 1 ? " more param" : " more params")
                    + " beyond --max-series " + maxSeries + ": "
                    + named(rest) + " (raise --max-series or narrow the pattern)");
        }
        return ClaspJournalCli.OK;
    }

    /** Checks what can be checked before the journal is opened; the format --out's extension names. */
    private StepChart.Format checkArguments() {
        if (maxSeries < 1) {
            throw CliException.usage("--max-series must be at least 1: " + maxSeries);
        }
        if (width < 100 || width > 10_000 || height < 100 || height > 10_000) {
            throw CliException.usage("--width and --height must be from 100 to 10000 pixels: " + width + "x" + height);
        }
        if (from != null && to != null && from > to) {
            throw CliException.usage("--from is after --to: nothing to plot");
        }
        StepChart.Format format = StepChart.Format.of(out);
        if (format == null) {
            throw CliException.usage("--out " + out + ": the extension names the format, .png or .svg");
        }
        Path dir = out.toAbsolutePath().getParent();
        String problem = null;
        if (Files.isDirectory(out)) {
            problem = "is a directory";
        } else if (Files.exists(out) && !Files.isWritable(out)) {
            problem = "is not writable";
        } else if (dir == null || !Files.isDirectory(dir)) {
            problem = "its directory " + dir + " does not exist";
        } else if (!Files.isWritable(dir)) {
            problem = "its directory " + dir + " is not writable";
        }
        if (problem != null) {
            throw CliException.usage("--out " + out + ": " + problem + "; give a file that can be written"
                    + " (nothing was read)");
        }
        return format;
    }

    /** The lines' data: the state at the start, then each SET in the range that changes it. */
    private Plot read(Journal j, String display, PrintWriter report) {
        AddressPattern matcher = AddressPattern.compile(pattern);
        long startSeq;
        Snapshot start;
        if (from != null) {
            Moments.Moment m = Moments.ofTime(j, display, "--from", from);
            startSeq = m.seq();
            start = Moments.state(j, display, m);
        } else {
            List<JournalEntry> oldest = j.since(0, 1).join();
            startSeq = oldest.isEmpty() ? j.latestSeq().join() : oldest.get(0).seq() - 1;
            start = new Snapshot(startSeq, 0, List.of());
            if (startSeq > 0) {
                report.println("note: the entries up to seq " + startSeq + " were compacted, so each line starts at its"
                        + " param's first SET; give --from to start from the state at a moment");
            }
        }
        JournalQuery q = JournalQuery.of(pattern);
        if (from != null) {
            q = q.from(from);
        }
        if (to != null) {
            q = q.to(to);
        }
        List<JournalEntry> entries = j.query(q).join();
        long first = from != null ? from : entries.isEmpty() ? 0 : entries.get(0).timestamp();
        Plot plot = new Plot(first, to != null ? to : Math.max(first, newest(j, entries)));
        for (ParamSnapshot p : start.params()) {
            if (matcher.matches(p.address())) {
                plot.line(p.address()).step(plot.startMicros, p.revision(), p.value());
            }
        }
        for (JournalEntry e : entries) {
            if (e.seq() > startSeq && e.isSet() && e.revision().isPresent()) {
                plot.line(e.address()).step(e.timestamp(), e.revision().getAsLong(), e.value());
            }
        }
        return plot;
    }

    /** The newest entry's time: the end of the chart without --to. */
    private static long newest(Journal j, List<JournalEntry> matching) {
        List<JournalEntry> last = j.query(JournalQuery.of("/**").descending().limit(1)).join();
        long t = last.isEmpty() ? 0 : last.get(0).timestamp();
        return matching.isEmpty() ? t : Math.max(t, matching.get(matching.size() - 1).timestamp());
    }

    /** Writes beside the file and moves it into place, so that a failed plot leaves an earlier file as it was. */
    private void write(StepChart.Format format, String title, List<StepChart.Line> lines) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path target = out.toAbsolutePath();
        // Not a temporary file: those are readable by their owner only, and the chart is for sharing.
        Path partial = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        try {
            StepChart.write(partial, format, title, lines, width, height);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** What values of these params were left out: "3 values that are not numbers: /a (string, bytes), ...". */
    private static String leftOutValues(Collection<ParamLine> lines) {
        List<String> named = new ArrayList<>();
        long count = 0;
        for (ParamLine l : lines) {
            if (!l.kinds.isEmpty()) {
                count += l.others;
                named.add(l.address + " (" + String.join(", ", l.kinds) + ")");
            }
        }
        return Args.count(count) + (count == 1 ? " value that is not a number" : " values that are not numbers")
                + ": " + named(named);
    }

    private static String named(List<String> items) {
        if (items.size() <= NAMED) {
            return String.join(", ", items);
        }
        return String.join(", ", items.subList(0, NAMED)) + " and " + Args.count(items.size() - NAMED) + " more";
    }

    /** The chart's time range and its params' lines, in address order. */
    private static final class Plot {
        final long startMicros;
        final long endMicros;
        final Map<String, ParamLine> lines = new TreeMap<>();

        Plot(long startMicros, long endMicros) {
            this.startMicros = startMicros;
            this.endMicros = endMicros;
        }

        ParamLine line(String address) {
            return lines.computeIfAbsent(address, ParamLine::new);
        }
    }

    /** One param's steps, applied as the state's fold applies SETs: a lower or equal revision changes nothing. */
    private static final class ParamLine {
        final String address;
        final List<Long> times = new ArrayList<>();
        final List<Double> values = new ArrayList<>();
        /** The kinds of value left out, such as "string". */
        final TreeSet<String> kinds = new TreeSet<>();
        long revision = -1;
        long numbers;
        long others;

        ParamLine(String address) {
            this.address = address;
        }

        void step(long micros, long rev, Value value) {
            if (rev <= revision) {
                return;
            }
            revision = rev;
            Double number = number(value);
            if (number == null) {
                kinds.add(kind(value));
                others++;
            } else {
                numbers++;
            }
            times.add(micros);
            values.add(number);
        }

        /** The steps, drawn on to {@code endMicros} with the last value. */
        StepChart.Line line(long endMicros) {
            int n = times.size();
            boolean extend = n > 0 && times.get(n - 1) < endMicros;
            double[] millis = new double[extend ? n + 1 : n];
            Double[] ys = new Double[millis.length];
            for (int i = 0; i < n; i++) {
                millis[i] = times.get(i) / 1000.0;
                ys[i] = values.get(i);
            }
            if (extend) {
                millis[n] = endMicros / 1000.0;
                ys[n] = values.get(n - 1);
            }
            return new StepChart.Line(address, millis, ys);
        }

        private static Double number(Value v) {
            if (v instanceof Value.Int i) {
                return (double) i.value();
            }
            if (v instanceof Value.Float f && Double.isFinite(f.value())) {
                return f.value();
            }
            return null;
        }

        private static String kind(Value v) {
            if (v instanceof Value.Float) {
                return "NaN or infinite";
            }
            if (v instanceof Value.Str) {
                return "string";
            }
            if (v instanceof Value.Bytes) {
                return "bytes";
            }
            if (v instanceof Value.Bool) {
                return "boolean";
            }
            if (v instanceof Value.Array) {
                return "array";
            }
            if (v instanceof Value.Map) {
                return "map";
            }
            return "null";
        }
    }
}
