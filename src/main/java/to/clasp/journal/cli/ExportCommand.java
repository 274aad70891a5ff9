package to.clasp.journal.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.Journal;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes entries as lossless JSON Lines. Read-only.",
            "Writes the entries that match PATTERN (default: all) as JSON Lines, one entry per line,",
            "oldest first, losslessly: seqs, timestamps, bytes, NaN, 64-bit integers and map order as stored.",
            "'import' reads them back. Stops with an error at an entry that cannot be read. Read-only."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal export journal.db --out journal.jsonl",
            "  clasp-journal export journal.db '/lights/**' | gzip > lights.jsonl.gz"})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATTERN", converter = Args.PatternArg.class,
            defaultValue = "/**", description = "Only entries whose address matches (default /**: every entry).")
    String pattern;

    @Option(names = "--out", paramLabel = "F", description = "Write to F (replaced if it exists) instead of standard output.")
    Path outFile;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
        AddressPattern match = AddressPattern.compile(pattern);
        try (Journal j = journal.openReadOnly()) {
            long total = j.size().join();
            Writer target;
            try {
                target = outFile == null ? spec.commandLine().getOut()
                        : new BufferedWriter(Files.newBufferedWriter(outFile, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw CliException.failure(outFile + ": cannot write the export (" + e + ")");
            }
            AtomicLong written = new AtomicLong();
            long[] range = {0, 0};
            Progress progress = total >= 10_000 && outFile != null ? Progress.start(terminal, err, "export", total) : null;
            try {
                EntryScanner.scan(j, 0, e -> {
                    if (progress != null) {
                        progress.stepBy(1);
                    }
                    if (!match.matches(e.address())) {
                        return;
                    }
                    try {
                        target.write(EntryJson.entry(e));
                        target.write('\n');
                    } catch (IOException x) {
                        throw new UncheckedIOException(x);
                    }
                    if (written.incrementAndGet() == 1) {
                        range[0] = e.seq();
                    }
                    range[1] = e.seq();
                }, (seq, error) -> {
                    throw CliException.failure("seq " + seq + " cannot be read (" + error.getMessage()
                            + "); the export stopped before it" + (outFile == null ? "" : ": " + outFile + " is incomplete"));
                });
            } finally {
                if (progress != null) {
                    progress.close();
                }
                if (outFile != null) {
                    target.close();
                } else {
                    target.flush();
                }
            }
            err.println("exported " + Args.count(written.get()) + " entries"
                    + (written.get() > 0 ? " (seqs " + range[0] + ".." + range[1] + ")" : "")
                    + (outFile != null ? " to " + outFile : ""));
        }
        return ClaspJournalCli.OK;
    }
}
