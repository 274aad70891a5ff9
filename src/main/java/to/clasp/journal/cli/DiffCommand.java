package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.Journal;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;

@Command(name = "diff", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the params whose value differs between two moments, with both values. Read-only.",
            "Each moment is a time (the last entry stamped at or before it) or a seq; the state there is",
            "the one the state command prints. A param only in the later state is 'added', one only in the",
            "earlier 'removed' (a snapshot that left it out); a param set again to an equal value is not listed.",
            "Without --to or --to-seq the later moment is the latest seq."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal diff journal.db --from 2024-02-21T07:20:00.025Z --to 2024-02-21T07:20:00.027Z",
            "  clasp-journal diff journal.db '/lights/**' --from-seq 26"})
final class DiffCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATTERN", converter = Args.PatternArg.class,
            defaultValue = "/**", description = "Only params whose address matches (default /**: every param).")
    String pattern;

    @ArgGroup(exclusive = true, multiplicity = "1")
    From from;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    To to;

    /** The earlier moment: exactly one of --from and --from-seq. */
    static final class From {
        @Option(names = "--from", paramLabel = "T1", converter = Args.Time.class, required = true,
                description = "The earlier moment: microseconds since the epoch or ISO-8601 (2024-02-21T07:20:00Z).")
        Long time;

        @Option(names = "--from-seq", paramLabel = "N", required = true, description = "The earlier moment as a seq.")
        Long seq;
    }

    /** The later moment: at most one of --to and --to-seq. */
    static final class To {
        @Option(names = "--to", paramLabel = "T2", converter = Args.Time.class, required = true,
                description = "The later moment (default: the latest seq).")
        Long time;

        @Option(names = "--to-seq", paramLabel = "N", required = true, description = "The later moment as a seq.")
        Long seq;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String display = journal.display();
        try (Journal j = journal.openReadOnly()) {
            Moments.Moment earlier = from.seq != null ? Moments.ofSeq("--from-seq", from.seq)
                    : Moments.ofTime(j, display, "--from", from.time);
            Moments.Moment later;
            if (to == null) {
                long latest = j.latestSeq().join();
                later = new Moments.Moment(latest, "seq " + latest + ", the latest");
            } else {
                later = to.seq != null ? Moments.ofSeq("--to-seq", to.seq) : Moments.ofTime(j, display, "--to", to.time);
            }
            if (earlier.seq() > later.seq()) {
                throw CliException.usage("the earlier moment (" + earlier.description() + ") is after the later one ("
                        + later.description() + "); swap them");
            }
            Snapshot before = Moments.state(j, display, earlier);
            Snapshot after = Moments.state(j, display, later);
            List<String[]> rows = changes(Moments.matching(before, pattern), Moments.matching(after, pattern));
            out.println("diff of " + display + (Moments.ALL.equals(pattern) ? "" : ", " + pattern + ",") + " from " + earlier.description() + " to " + later.description() + ": "
                    + summary(rows));
            if (!rows.isEmpty()) {
                rows.add(0, new String[] {"ADDRESS", "CHANGE", "FROM", "TO", "REV"});
                EntryTable.align(rows).forEach(out::println);
            }
        }
        return ClaspJournalCli.OK;
    }

    /** One row per param whose value differs, in address order: address, change, both values, revisions. */
    private static List<String[]> changes(List<ParamSnapshot> before, List<ParamSnapshot> after) {
        Map<String, ParamSnapshot[]> byAddress = new TreeMap<>();
        before.forEach(p -> byAddress.computeIfAbsent(p.address(), a -> new ParamSnapshot[2])[0] = p);
        after.forEach(p -> byAddress.computeIfAbsent(p.address(), a -> new ParamSnapshot[2])[1] = p);
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, ParamSnapshot[]> e : byAddress.entrySet()) {
            ParamSnapshot was = e.getValue()[0];
            ParamSnapshot is = e.getValue()[1];
            if (was != null && is != null && was.value().equals(is.value())) {
                continue;
            }
            String change = was == null ? "added" : is == null ? "removed" : "changed";
            rows.add(new String[] {e.getKey(), change, value(was), value(is), revision(was) + " -> " + revision(is)});
        }
        return rows;
    }

    private static String value(ParamSnapshot p) {
        return p == null ? "(absent)" : EntryTable.shorten(EntryJson.value(p.value()));
    }

    private static String revision(ParamSnapshot p) {
        return p == null ? "-" : Long.toString(p.revision());
    }

    private static String summary(List<String[]> rows) {
        if (rows.isEmpty()) {
            return "no param's value differs";
        }
        int[] counts = new int[3];
        for (String[] r : rows) {
            counts[switch (r[1]) {
                case "changed" -> 0;
                case "added" -> 1;
                default -> 2;
            }]++;
        }
        return Args.count(counts[0]) + " changed, " + Args.count(counts[1]) + " added, " + Args.count(counts[2])
                + " removed";
    }
}
