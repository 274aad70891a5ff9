package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SignalType;
import to.clasp.journal.Journal;

@Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the last N matching entries; -f follows new ones. Read-only.",
            "Prints the last N entries that match PATTERN (default: all), oldest first.",
            "With -f, keeps printing new matching entries as other processes (a router, the Rust crate)",
            "append them, until interrupted (Ctrl-C): never skipping or repeating one. On PostgreSQL,",
            "new entries of every router on the schema are announced by LISTEN/NOTIFY. If the file is",
            "deleted or replaced, -f says so and exits with 1. Read-only."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal tail journal.db -n 20", "  clasp-journal tail journal.db '/lights/**' -f"})
final class TailCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATTERN", converter = Args.PatternArg.class,
            defaultValue = "/**", description = "An address pattern (default /**: every entry).")
    String pattern;

    @Option(names = "-n", paramLabel = "N", defaultValue = "10", description = "Print the last N matching entries first (default 10).")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new entries until interrupted.")
    boolean follow;

    @Option(names = "--types", paramLabel = "TYPE", split = ",", converter = Args.Type.class,
            description = "Only these signal types: param,event,stream,gesture,timeline.")
    List<SignalType> types;

    @Option(names = "--json", description = "One JSON object per line (lossless) instead of a table.")
    boolean json;

    @Option(names = "--poll-ms", paramLabel = "MS", defaultValue = "200", hidden = true,
            description = "How often -f checks the file for entries other processes committed (default 200).")
    long pollMillis;

    @Override
    public Integer call() {
        if (lines < 0) {
            throw new ParameterException(spec.commandLine(), "-n must not be negative: " + lines);
        }
        PrintWriter out = spec.commandLine().getOut();
        JournalQuery query = JournalQuery.of(pattern);
        if (types != null && !types.isEmpty()) {
            query = query.types(types.toArray(new SignalType[0]));
        }
        try (Journal j = journal.openReadOnly(Duration.ofMillis(Math.max(10, pollMillis)))) {
            // Everything up to `before` is committed; the newest N matches are read after it, so
            // whatever they do not include, and is newer than both, is still to come.
            long before = j.latestSeq().join();
            List<JournalEntry> last = new ArrayList<>(j.query(query.descending().limit(lines)).join());
            Collections.reverse(last);
            long start = before;
            for (JournalEntry e : last) {
                start = Math.max(start, e.seq());
            }
            EntryTable table = follow ? EntryTable.growing(last) : EntryTable.fitting(last);
            if (!json) {
                table.printHeader(out);
            }
            for (JournalEntry e : last) {
                print(out, table, e);
            }
            out.flush();
            if (follow) {
                new FollowingEntryFeed(j, query, fileWatch()).follow(start, e -> {
                    print(out, table, e);
                    out.flush();
                    if (out.checkError()) {
                        Thread.currentThread().interrupt(); // the reader went away
                    }
                });
            }
        }
        return ClaspJournalCli.OK;
    }

    /**
     * What ends {@code -f} on a file that is gone: once the journal's file is deleted or replaced
     * by another, nothing more can come through the file this command has open, so it says so
     * and fails rather than wait forever. Nothing for PostgreSQL.
     */
    private Runnable fileWatch() {
        java.util.Optional<java.nio.file.Path> file = journal.file();
        if (file.isEmpty()) {
            return () -> { };
        }
        java.nio.file.Path path = file.get();
        Object identity = fileKey(path);
        return () -> {
            if (!java.nio.file.Files.exists(path)) {
                throw CliException.failure(path + ": the journal file was deleted; stopped following it");
            }
            Object now = fileKey(path);
            if (identity != null && now != null && !identity.equals(now)) {
                throw CliException.failure(path + ": the journal file was replaced by another file; stopped "
                        + "following (run tail -f again to follow the new one)");
            }
        };
    }

    private static Object fileKey(java.nio.file.Path path) {
        try {
            return java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private void print(PrintWriter out, EntryTable table, JournalEntry e) {
        if (json) {
            out.println(EntryJson.entry(e));
        } else {
            table.printRow(out, e);
        }
    }
}
