package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.Journal;

@Command(name = "latest", mixinStandardHelpOptions = true,
        description = {"Prints the latest seq, the number of entries and the newest entry. Read-only.",
            "The latest seq is the highest ever assigned; the file may no longer hold that entry.",
            "The latest seq never goes down, even when compaction removed that entry. Read-only."},
        footerHeading = "%nExample:%n", footer = "  clasp-journal latest journal.db")
final class LatestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Journal j = journal.openReadOnly()) {
            long latest = j.latestSeq().join();
            long size = j.size().join();
            out.println("latest seq: " + latest);
            if (size == 0) {
                out.println("entries:    0" + (latest > 0 ? " (all compacted)" : ""));
                return ClaspJournalCli.OK;
            }
            List<JournalEntry> oldest = j.since(0, 1).join();
            List<JournalEntry> newest = j.since(latest - 1, 1).join();
            JournalEntry last = newest.isEmpty() ? null : newest.get(0);
            out.println("entries:    " + Args.count(size) + " (seqs " + oldest.get(0).seq() + ".." + latest + ")");
            if (last == null) {
                out.println("newest:     seq " + latest + " was compacted");
            } else {
                out.println("newest:     seq " + last.seq() + " at " + Args.iso(last.timestamp()) + ": "
                        + last.signalType().wireName() + " " + last.address() + " = "
                        + EntryTable.shorten(EntryJson.value(last.value()))
                        + (last.revision().isPresent() ? " (rev " + last.revision().getAsLong() + ")" : "")
                        + " by " + last.author());
            }
        }
        return ClaspJournalCli.OK;
    }
}
