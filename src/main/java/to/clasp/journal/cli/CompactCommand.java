package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import to.clasp.journal.Journal;
import to.clasp.journal.SqliteJournal;

@Command(name = "compact", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Removes old entries and gives the space back. Writes to JOURNAL.",
            "Reports the rows removed and the bytes given back. Stop writers you do not want to wait for:",
            "SQLite lets one writer in at a time. Seqs are never reused and the latest seq stays.",
            "On PostgreSQL, rows are deleted in chunks beside running routers' appends; the server's",
            "(auto)vacuum reuses their space (--vacuum is for files only).",
            "A file the Rust crate created never shrinks: its freed pages are only reused; --vacuum",
            "rewrites it once so that it gives space back now and on every compaction from then on",
            "(the Rust crate still reads it). Compacting a Rust file here adds this library's nullable columns;",
            "a file that holds no journal is refused, and when nothing would be removed nothing is changed."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal compact journal.db --keep-last 100000",
            "  clasp-journal compact journal.db --before 5000 --vacuum",
            "  clasp-journal compact journal.db --vacuum",
            "  clasp-journal compact jdbc:postgresql://db.local:5432/routers --user clasp --keep-last 1000000"})
final class CompactCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Cut cut;

    static final class Cut {
        @Option(names = "--before", paramLabel = "SEQ", required = true, description = "Remove the entries with a seq below SEQ.")
        Long before;

        @Option(names = "--keep-last", paramLabel = "N", required = true, description = "Keep only the newest N seqs.")
        Long keepLast;
    }

    @Option(names = "--vacuum", description = "Also rewrite the file without free pages and switch it to incremental auto-vacuum.")
    boolean vacuum;

    @Override
    public Integer call() {
        if (cut == null && !vacuum) {
            throw new ParameterException(spec.commandLine(), "say what to remove: --before SEQ or --keep-last N (or --vacuum)");
        }
        if (cut != null && cut.keepLast != null && cut.keepLast < 0) {
            throw new ParameterException(spec.commandLine(), "--keep-last must not be negative: " + cut.keepLast);
        }
        if (cut != null && cut.before != null && cut.before < 0) {
            throw new ParameterException(spec.commandLine(), "--before must not be negative: " + cut.before);
        }
        if (vacuum && journal.isPostgres()) {
            throw new ParameterException(spec.commandLine(), "--vacuum rewrites a SQLite file; on PostgreSQL the "
                    + "server's autovacuum makes deleted rows' space reusable, and VACUUM FULL shrinks the tables");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!vacuum && !removesAnything(out)) {
            return ClaspJournalCli.OK;
        }
        try (Journal j = journal.openForWriting()) {
            if (j instanceof SqliteJournal file) {
                compactFile(file, out);
            } else {
                compact(j, out);
                out.println("PostgreSQL keeps the deleted rows' space in the tables, for new rows once (auto)vacuum "
                        + "has run; VACUUM FULL gives it back to the file system");
            }
        }
        return ClaspJournalCli.OK;
    }

    /**
     * Looks, read-only, whether the cut would remove any entry; says so and returns false when
     * it would not, so that a compaction with nothing to do leaves the journal as it was (a Rust
     * file is not even migrated). An entry that cannot be read leaves the question to the
     * compaction itself.
     */
    private boolean removesAnything(PrintWriter out) {
        try (Journal probe = journal.openReadOnly()) {
            long latest = probe.latestSeq().join();
            long before = cutBelow(latest);
            java.util.List<to.clasp.journal.JournalEntry> oldest;
            try {
                oldest = probe.since(0, 1).join();
            } catch (java.util.concurrent.CompletionException | to.clasp.journal.JournalException e) {
                return true;
            }
            if (oldest.isEmpty() || oldest.get(0).seq() >= before) {
                out.println("nothing to remove from " + journal.display() + ": "
                        + (oldest.isEmpty() ? "it holds no entries" : "its oldest entry has seq " + oldest.get(0).seq())
                        + ", and the cut is below seq " + before + " (latest seq " + latest
                        + "); the journal was not changed");
                return false;
            }
            return true;
        }
    }

    /** The seq below which {@code --before} or {@code --keep-last} removes entries. */
    private long cutBelow(long latest) {
        return cut.before != null ? cut.before : Math.max(1, latest - cut.keepLast + 1);
    }

    /** Compacts as {@code --before} or {@code --keep-last} say; returns the entries removed. */
    private long compact(Journal j, PrintWriter out) {
        long latest = j.latestSeq().join();
        long before = cutBelow(latest);
        out.println("compacting " + journal.display() + ": removing the entries with a seq below " + before
                + " (latest seq " + latest + ")");
        out.flush();
        long removed = j.compact(before).join();
        out.println("removed " + Args.count(removed) + " entries");
        return removed;
    }

    private void compactFile(SqliteJournal j, PrintWriter out) {
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
        SqliteJournal.FileInfo start = j.fileInfo().join();
        if (cut != null) {
            long latest = j.latestSeq().join();
            long before = cutBelow(latest);
            out.println("compacting " + journal.display() + ": removing the entries with a seq below " + before
                    + " (latest seq " + latest + ")");
            out.flush();
            long removed = j.compact(before).join();
            SqliteJournal.FileInfo after = j.fileInfo().join();
            long given = Math.max(0, start.pageCount() - after.pageCount()) * start.pageSize();
            out.println("removed " + Args.count(removed) + " entries; gave back " + Args.bytes(given)
                    + " to the file system");
            if (!after.shrinksOnCompaction() && after.freePages() > 0 && !vacuum) {
                out.println("this file does not shrink (created by the Rust crate): " + Args.bytes(after.freeBytes())
                        + " of free pages stay in it for later entries; add --vacuum to give them back");
            }
        }
        if (vacuum) {
            SqliteJournal.FileInfo pre = j.fileInfo().join();
            out.println("vacuuming " + journal.display() + ": rewriting its " + Args.bytes(pre.fileBytes())
                    + " without free pages" + (pre.shrinksOnCompaction() ? ""
                            : " and converting it to incremental auto-vacuum, so that compaction gives space back"
                                    + " from now on")
                    + "; needs up to that much temporary disk space");
            out.flush();
            long t0 = System.nanoTime();
            long given;
            try (Progress p = Progress.start(terminal, err, "vacuum", -1)) {
                given = j.vacuum().join();
            }
            SqliteJournal.FileInfo post = j.fileInfo().join();
            out.println("vacuumed in " + StatsCommand.duration((System.nanoTime() - t0) / 1_000) + ": gave back "
                    + Args.bytes(given) + "; the file is now " + Args.bytes(post.fileBytes()) + " and "
                    + (post.shrinksOnCompaction() ? "shrinks on compaction" : "still does not shrink"));
        }
    }
}
