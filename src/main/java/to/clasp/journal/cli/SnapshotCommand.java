package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Journal;

@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Prints the latest snapshot and its params. Read-only.",
            "Its seq, when it was taken, and every param in it.",
            "Recovery restores it, then replays the SETs after its seq. Read-only."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal snapshot journal.db", "  clasp-journal snapshot journal.db --json"})
final class SnapshotCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Option(names = "--json", description = "One JSON object (lossless): seq, created_at, params.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Journal j = journal.openReadOnly()) {
            Optional<Snapshot> found = j.latestSnapshot().join();
            if (json) {
                out.println(found.map(EntryJson::snapshot).orElse("null"));
                return ClaspJournalCli.OK;
            }
            if (found.isEmpty()) {
                out.println(journal.display() + " holds no snapshot (recovery replays every entry)");
                return ClaspJournalCli.OK;
            }
            Snapshot s = found.get();
            out.println("snapshot at seq " + s.seq() + ", taken " + Args.iso(s.createdAt()) + ", "
                    + s.params().size() + " params");
            EntryTable.params(s.params()).forEach(out::println);
        }
        return ClaspJournalCli.OK;
    }
}
