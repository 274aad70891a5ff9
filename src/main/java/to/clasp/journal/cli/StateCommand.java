package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;

@Command(name = "state", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the params' state at a moment: what a router recovering from the journal cut",
            "there would hold (the newest snapshot at or before it, then the SETs after it; per address the",
            "highest revision wins). --at T stands for the last entry stamped at or before T. Read-only.",
            "--json writes the params as JSON Lines SET entries, the format of export, which import reads",
            "(numbered 1..N in address order, as a journal holding just this state would number them)."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal state journal.db --at 2024-02-21T07:20:00.025Z",
            "  clasp-journal state journal.db '/lights/**' --seq 27",
            "  clasp-journal state journal.db --seq 28 --json > state.jsonl",
            "  clasp-journal import restored.db --in state.jsonl"})
final class StateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATTERN", converter = Args.PatternArg.class,
            defaultValue = "/**", description = "Only params whose address matches (default /**: every param).")
    String pattern;

    @ArgGroup(exclusive = true, multiplicity = "1")
    When when;

    /** Exactly one of --at and --seq. */
    static final class When {
        @Option(names = "--at", paramLabel = "T", converter = Args.Time.class, required = true,
                description = "The moment: microseconds since the epoch or ISO-8601 (2024-02-21T07:20:00Z); "
                        + "the state after the last entry stamped at or before it.")
        Long at;

        @Option(names = "--seq", paramLabel = "N", required = true,
                description = "The moment as a seq: the state after entry N (0 to the latest seq).")
        Long seq;
    }

    @Option(names = "--json", description = "The params as JSON Lines SET entries (lossless), which import reads.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Moments.Moment moment = when.seq != null ? Moments.ofSeq("--seq", when.seq) : null;
        try (Journal j = journal.openReadOnly()) {
            if (moment == null) {
                moment = Moments.ofTime(j, journal.display(), "--at", when.at);
            }
            List<ParamSnapshot> params = Moments.matching(Moments.state(j, journal.display(), moment), pattern);
            if (json) {
                printJson(out, params);
                return ClaspJournalCli.OK;
            }
            int n = params.size();
            out.println("state of " + journal.display() + (Moments.ALL.equals(pattern) ? "" : ", " + pattern + ",")
                    + " at " + moment.description() + ": " + Args.count(n) + (n == 1 ? " param" : " params"));
            if (n > 0) {
                EntryTable.params(params).forEach(out::println);
            }
        }
        return ClaspJournalCli.OK;
    }

    /** Each param as the SET that sets it, in the form import reads back to the same state. */
    private static void printJson(PrintWriter out, List<ParamSnapshot> params) {
        long seq = 0;
        for (ParamSnapshot p : params) {
            JournalEntry set = JournalEntry.fromSet(p.address(), p.value(), p.revision(), p.writer(), p.timestamp());
            out.println(EntryJson.entry(set.withSeq(++seq)));
        }
    }
}
