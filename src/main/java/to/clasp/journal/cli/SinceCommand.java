package to.clasp.journal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.Journal;

@Command(name = "since", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints the entries with a seq above SEQ, oldest first. Read-only.",
        footerHeading = "%nExample:%n", footer = "  clasp-journal since journal.db 100 --limit 20")
final class SinceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Parameters(index = "1", paramLabel = "SEQ", description = "Print the entries after this seq (0: from the start).")
    long seq;

    @Option(names = "--limit", paramLabel = "N", description = "At most N entries.")
    Integer limit;

    @Option(names = "--json", description = "One JSON object per line (lossless) instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        if (limit != null && limit < 0) {
            throw new ParameterException(spec.commandLine(), "--limit must not be negative: " + limit);
        }
        try (Journal j = journal.openReadOnly()) {
            EntryTable.printEntries(spec.commandLine().getOut(), j.since(seq, limit).join(), json);
        }
        return ClaspJournalCli.OK;
    }
}
