package to.clasp.journal.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalException;

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

    /** Whether any entry was committed; a seq map is put in place only then. */
    private boolean written;

    @Override
    public Integer call() throws IOException {
        journal.check(); // before reading what may be a long input
        checkSeqMapPath();
        List<JournalEntry> entries = read();
        // What is there now, read without changing anything: a refused import leaves it as it was.
        OptionalLong existing = latestSeqIfAny();
        long latest = existing.orElse(0);
        if (keepSeqs && !keepsSeqs(entries, latest)) {
            throw seqsNotKept(entries, latest);
        }
        if (entries.isEmpty() && existing.isPresent()) {
            spec.commandLine().getOut().println("imported 0 entries into " + journal.display()
                    + "; the journal was not changed");
            return ClaspJournalCli.OK;
        }
        // The map is written beside its place and moved there once entries were imported, so that
        // an import that writes nothing leaves an earlier map as it was.
        Path partialMap = seqMap == null ? null : createPartialSeqMap();
        try {
            try (PrintWriter map = partialMap == null ? null : openSeqMap(partialMap);
                    Journal j = journal.openOrCreate()) {
                long now = j.latestSeq().join();
                if (keepSeqs && !keepsSeqs(entries, now)) {
                    throw seqsNotKept(entries, now); // another writer came in between
                }
                write(j, entries, map, keepsSeqs(entries, now));
            } finally {
                if (partialMap != null) {
                    if (written) {
                        Files.move(partialMap, seqMap, StandardCopyOption.REPLACE_EXISTING);
                    } else {
                        Files.deleteIfExists(partialMap);
                    }
                }
            }
        } catch (IOException e) {
            throw CliException.failure(written
                    ? "imported the entries into " + journal.display() + ", but could not put --seq-map " + seqMap
                            + " in place (" + e.getMessage() + "); the entries stay imported"
                    : "--seq-map " + seqMap + ": " + e.getMessage() + " (nothing was written)");
        }
        return ClaspJournalCli.OK;
    }

    private static boolean keepsSeqs(List<JournalEntry> entries, long latest) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).seq() != latest + 1 + i) {
                return false;
            }
        }
        return true;
    }

    private CliException seqsNotKept(List<JournalEntry> entries, long latest) {
        return CliException.failure("the seqs cannot be kept: " + journal.display() + " has latest seq " + latest
                + ", so the entries would get seqs " + (latest + 1) + "..; the export "
                + (entries.isEmpty() ? "is empty" : "starts at seq " + entries.get(0).seq())
                + " (nothing was written; import into a new file, or leave out --keep-seqs)");
    }

    /** The journal's latest seq, read-only, or empty when there is no journal yet (import creates it). */
    private OptionalLong latestSeqIfAny() {
        Optional<Journal> probe = journal.openExistingReadOnly();
        if (probe.isEmpty()) {
            return OptionalLong.empty();
        }
        try (Journal j = probe.get()) {
            return OptionalLong.of(j.latestSeq().join());
        }
    }

    /** Refuses, before anything is read or written, a seq map that could not be written. */
    private void checkSeqMapPath() {
        if (seqMap == null) {
            return;
        }
        Path dir = seqMap.toAbsolutePath().getParent();
        String problem = null;
        if (Files.isDirectory(seqMap)) {
            problem = "is a directory; give the path of a file to write";
        } else if (Files.exists(seqMap) && !Files.isWritable(seqMap)) {
            problem = "is not writable";
        } else if (!Files.exists(seqMap) && (dir == null || !Files.isDirectory(dir))) {
            problem = "its directory " + dir + " does not exist";
        } else if (!Files.exists(seqMap) && !Files.isWritable(dir)) {
            problem = "its directory " + dir + " is not writable";
        }
        if (problem != null) {
            throw CliException.usage("--seq-map " + seqMap + ": " + problem + " (nothing was written)");
        }
    }

    private Path createPartialSeqMap() {
        Path target = seqMap.toAbsolutePath();
        try {
            return Files.createTempFile(target.getParent(), target.getFileName() + ".", ".partial");
        } catch (IOException e) {
            throw CliException.failure("--seq-map " + seqMap + ": cannot write beside it (" + e.getMessage()
                    + "); nothing was written");
        }
    }

    private static PrintWriter openSeqMap(Path partial) throws IOException {
        return new PrintWriter(Files.newBufferedWriter(partial, StandardCharsets.UTF_8));
    }

    /** Appends every entry, then reports what was written, also when some appends failed. */
    private void write(Journal j, List<JournalEntry> entries, PrintWriter map, boolean kept) {
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
        long[] assigned = new long[entries.size()];
        int committed = 0;
        int firstFailed = -1;
        Throwable failure = null;
        try (Progress progress = entries.size() >= 10_000
                ? Progress.start(terminal, spec.commandLine().getErr(), "import", entries.size()) : null) {
            List<CompletableFuture<Long>> seqs = new ArrayList<>(entries.size());
            for (JournalEntry e : entries) {
                seqs.add(j.append(e));
            }
            for (int i = 0; i < assigned.length; i++) {
                try {
                    assigned[i] = seqs.get(i).join();
                    committed++;
                    written = true;
                    if (map != null) {
                        map.println(entries.get(i).seq() + " " + assigned[i]);
                    }
                } catch (CompletionException x) {
                    assigned[i] = -1;
                    if (failure == null) {
                        failure = x.getCause();
                        firstFailed = i;
                    }
                }
                if (progress != null) {
                    progress.stepTo(i + 1L);
                }
            }
        }
        if (map != null) {
            map.flush();
            if (map.checkError()) {
                throw CliException.failure("imported " + Args.count(committed) + " of " + Args.count(entries.size())
                        + " entries into " + journal.display() + ", but writing --seq-map " + seqMap
                        + " failed; the entries stay imported");
            }
        }
        if (failure != null) {
            String cause = failure instanceof JournalException ? failure.getMessage() : String.valueOf(failure);
            throw CliException.failure("the entry with exported seq " + entries.get(firstFailed).seq()
                    + " could not be written (" + cause + "); " + Args.count(committed) + " of "
                    + Args.count(entries.size()) + " entries were imported into " + journal.display()
                    + (committed == 0 ? "" : ", each one whose append succeeded"
                            + (map != null ? " (listed in " + seqMap + ")" : ""))
                    + ", the other " + Args.count(entries.size() - committed) + " were not");
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
