package to.clasp.journal.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SignalType;
import to.clasp.journal.Journal;

@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the entries whose address matches PATTERN, oldest first. Read-only.",
            "Patterns: * within a segment, ** across segments, ?, [abc], {a,b}, leading ! negates."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal query journal.db '/lights/**' --limit 20",
            "  clasp-journal query journal.db '/*/*/brightness' --from 2024-02-21T07:20:00Z --types param --desc",
            "  clasp-journal query journal.db '/sensors/**' --json > sensors.jsonl"})
final class QueryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Parameters(index = "1", paramLabel = "PATTERN", converter = Args.PatternArg.class,
            description = "An address pattern, such as '/lights/**' (quote it in the shell).")
    String pattern;

    @Option(names = "--from", paramLabel = "T", converter = Args.Time.class,
            description = "Only entries at or after T: microseconds since the epoch or ISO-8601 (2024-02-21T07:20:00Z).")
    Long from;

    @Option(names = "--to", paramLabel = "T", converter = Args.Time.class,
            description = "Only entries at or before T.")
    Long to;

    @Option(names = "--limit", paramLabel = "N", description = "At most N entries.")
    Integer limit;

    @Option(names = "--types", paramLabel = "TYPE", split = ",", converter = Args.Type.class,
            description = "Only these signal types: param,event,stream,gesture,timeline.")
    List<SignalType> types;

    @Option(names = "--desc", description = "Newest first (with --limit: the newest N).")
    boolean descending;

    @Option(names = "--json", description = "One JSON object per line (lossless) instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        if (limit != null && limit < 0) {
            throw new ParameterException(spec.commandLine(), "--limit must not be negative: " + limit);
        }
        if (from != null && to != null && from > to) {
            throw new ParameterException(spec.commandLine(), "--from is after --to: nothing can match");
        }
        JournalQuery q = JournalQuery.of(pattern);
        if (from != null) {
            q = q.from(from);
        }
        if (to != null) {
            q = q.to(to);
        }
        if (limit != null) {
            q = q.limit(limit);
        }
        if (types != null && !types.isEmpty()) {
            q = q.types(types.toArray(new SignalType[0]));
        }
        if (descending) {
            q = q.descending();
        }
        try (Journal j = journal.openReadOnly()) {
            EntryTable.printEntries(spec.commandLine().getOut(), j.query(q).join(), json);
        }
        return ClaspJournalCli.OK;
    }
}
