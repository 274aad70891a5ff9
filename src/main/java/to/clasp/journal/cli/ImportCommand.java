package to.clasp.journal.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.Journal;

@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Appends the entries of a JSON Lines export to JOURNAL.",
            "Appends them to JOURNAL (a file, or a PostgreSQL schema's tables; created if missing) in their",
            "order, with their timestamps, authors, values and revisions exactly as exported.",
            "Seqs: the journal assigns them (they are dense and never reused), so they stay equal when the",
            "journal's latest seq is one below the first exported seq and the export has no gaps, as when",
            "a whole, never-compacted journal goes into a new one. Otherwise entries are renumbered in",
            "order, and the command says how; --keep-seqs refuses that instead, and --seq-map F writes",
            "'old new' per line. Every line is checked before anything is written."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal import copy.db --in journal.jsonl",
            "  clasp-journal export old.db | clasp-journal import new.db --keep-seqs",
            "  clasp-journal export old.db | clasp-journal import jdbc:postgresql://db.local/routers --user clasp"})
final class ImportCommand implements Callable<Integer> {

    /** Validates entries exactly as every journal does, keeping nothing. */
    private static final to.clasp.journal.MemoryJournal CHECK = new to.clasp.journal.MemoryJournal(1);

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Option(names = "--in", paramLabel = "F", description = "Read from F instead of standard input.")
    Path inFile;

    @Option(names = "--keep-seqs", description = "Fail, writing nothing, unless every entry keeps its seq.")
    boolean keepSeqs;

    @Option(names = "--seq-map", paramLabel = "F", description = "Write 'old-seq new-seq' per entry to F.")
    Path seqMap;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        journal.check(); // before reading what may be a long input
        List<JournalEntry> entries = read();
        try (Journal j = journal.openOrCreate()) {
            long latest = j.latestSeq().join();
            boolean kept = true;
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).seq() != latest + 1 + i) {
                    kept = false;
                    break;
                }
            }
            if (keepSeqs && !kept) {
                throw CliException.failure("the seqs cannot be kept: " + journal.display() + " has latest seq " + latest
                        + ", so the entries would get seqs " + (latest + 1) + "..; the export "
                        + (entries.isEmpty() ? "is empty" : "starts at seq " + entries.get(0).seq())
                        + " (nothing was written; import into a new file, or leave out --keep-seqs)");
            }
            boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
            Progress progress = entries.size() >= 10_000
                    ? Progress.start(terminal, spec.commandLine().getErr(), "import", entries.size()) : null;
            long[] assigned = new long[entries.size()];
            try {
                List<CompletableFuture<Long>> seqs = new ArrayList<>(entries.size());
                for (JournalEntry e : entries) {
                    seqs.add(j.append(e));
                }
                for (int i = 0; i < assigned.length; i++) {
                    assigned[i] = seqs.get(i).join();
                    if (progress != null) {
                        progress.stepTo(i + 1L);
                    }
                }
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
            if (seqMap != null) {
                try (PrintWriter map = new PrintWriter(Files.newBufferedWriter(seqMap, StandardCharsets.UTF_8))) {
                    for (int i = 0; i < assigned.length; i++) {
                        map.println(entries.get(i).seq() + " " + assigned[i]);
                    }
                }
            }
            if (entries.isEmpty()) {
                out.println("imported 0 entries into " + journal.display());
            } else if (kept) {
                out.println("imported " + Args.count(entries.size()) + " entries into " + journal.display()
                        + "; seqs kept (" + assigned[0] + ".." + assigned[assigned.length - 1] + ")");
            } else {
                out.println("imported " + Args.count(entries.size()) + " entries into " + journal.display()
                        + "; renumbered: exported seqs " + entries.get(0).seq() + ".." + entries.get(entries.size() - 1).seq()
                        + " became " + assigned[0] + ".." + assigned[assigned.length - 1] + ", in the same order"
                        + (seqMap != null ? " (each one in " + seqMap + ")" : ""));
            }
        }
        return ClaspJournalCli.OK;
    }

    private List<JournalEntry> read() throws IOException {
        String source = inFile == null ? "standard input" : inFile.toString();
        List<JournalEntry> entries = new ArrayList<>();
        BufferedReader in;
        try {
            in = inFile == null ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(inFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.usage(inFile + ": no such file; give the path of a JSON Lines export");
        }
        try (BufferedReader r = in) {
            String line;
            int n = 0;
            long previous = Long.MIN_VALUE;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JournalEntry e;
                try {
                    e = EntryJson.parseEntry(line);
                } catch (IllegalArgumentException | NullPointerException x) {
                    throw CliException.failure("line " + n + " of " + source + ": " + x.getMessage()
                            + " (nothing was written)");
                }
                if (e.seq() <= previous) {
                    throw CliException.failure("line " + n + " of " + source + ": seq " + e.seq()
                            + " does not follow seq " + previous + "; an export lists entries in seq order"
                            + " (nothing was written)");
                }
                previous = e.seq();
                // The same checks append makes, made now, so that a bad line fails before any write.
                try {
                    CHECK.append(e).join();
                } catch (java.util.concurrent.CompletionException x) {
                    throw CliException.failure("line " + n + " of " + source + ": " + x.getCause().getMessage()
                            + " (nothing was written)");
                }
                entries.add(e);
            }
        }
        return entries;
    }
}
