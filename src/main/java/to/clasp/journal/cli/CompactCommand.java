package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.Snapshot;
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
            "a file that holds no journal is refused, and when nothing would be removed nothing is changed.",
            "--older-than never removes an entry the newest snapshot does not cover, so recovery keeps",
            "every SET; shows a progress bar on a terminal for 10,000 entries or more."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal compact journal.db --keep-last 100000",
            "  clasp-journal compact journal.db --older-than 7d",
            "  clasp-journal compact journal.db --before 5000 --vacuum",
            "  clasp-journal compact journal.db --vacuum",
            "  clasp-journal compact jdbc:postgresql://db.local:5432/routers --user clasp --keep-last 1000000"})
final class CompactCommand implements Callable<Integer> {

    /** From this many entries to remove on, progress is shown, as for export and import. */
    private static final long PROGRESS_FROM = 10_000;

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

        @Option(names = "--older-than", paramLabel = "AGE", required = true, converter = Args.Age.class,
                description = "Remove the entries older than AGE (7d, 12h, 30m, 1d12h, P7D) by their timestamps, "
                        + "up to the first younger one, and never one the newest snapshot does not cover.")
        Duration olderThan;
    }

    @Option(names = "--vacuum", description = "Also rewrite the file without free pages and switch it to incremental auto-vacuum.")
    boolean vacuum;

    /** What a compaction would remove, found read-only before anything is written. */
    private record Plan(long before, long oldest, long latest) {
        long toRemove() {
            return oldest < 0 ? 0 : Math.max(0, before - oldest);
        }
    }

    @Override
    public Integer call() {
        if (cut == null && !vacuum) {
            throw new ParameterException(spec.commandLine(),
                    "say what to remove: --before SEQ, --keep-last N or --older-than AGE (or --vacuum)");
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
        Plan plan = cut == null ? null : plan(out);
        if (!vacuum && plan.toRemove() == 0) {
            return ClaspJournalCli.OK;
        }
        try (Journal j = journal.openForWriting()) {
            if (j instanceof SqliteJournal file) {
                compactFile(file, plan, out);
            } else {
                out.println("removed " + Args.count(compact(j, plan, out)) + " entries");
                out.println("PostgreSQL keeps the deleted rows' space in the tables, for new rows once (auto)vacuum "
                        + "has run; VACUUM FULL gives it back to the file system");
            }
        }
        return ClaspJournalCli.OK;
    }

    /**
     * Finds, read-only, where the cut goes and how much it removes; when it removes nothing it
     * says so, so that a compaction with nothing to do leaves the journal as it was (a Rust file
     * is not even migrated). An oldest entry that cannot be read leaves the question to the
     * compaction itself.
     */
    private Plan plan(PrintWriter out) {
        try (Journal probe = journal.openReadOnly()) {
            long latest = probe.latestSeq().join();
            long oldest;
            try {
                List<JournalEntry> first = probe.since(0, 1).join();
                oldest = first.isEmpty() ? -1 : first.get(0).seq();
            } catch (CompletionException | JournalException e) {
                oldest = 1; // unknown: let the compaction find out
            }
            long before;
            String limit = "";
            if (cut.before != null) {
                before = cut.before;
            } else if (cut.keepLast != null) {
                before = Math.max(1, latest - cut.keepLast + 1);
            } else {
                AgeCut byAge = cutByAge(probe);
                before = byAge.before();
                limit = byAge.limit();
            }
            Plan plan = new Plan(before, oldest, latest);
            if (plan.toRemove() == 0 && !vacuum) {
                out.println("nothing to remove from " + journal.display() + ": "
                        + (oldest < 0 ? "it holds no entries" : "its oldest entry has seq " + oldest)
                        + ", and the cut is below seq " + before + limit + " (latest seq " + latest
                        + "); the journal was not changed");
            }
            return plan;
        }
    }

    /** Where {@code --older-than} cuts, and what limited it, as the message says it. */
    private record AgeCut(long before, String limit) {}

    /**
     * The cut for {@code --older-than}: below the first entry stamped at or after now - AGE,
     * and never above what the newest usable snapshot covers, so that recovery loses no SET;
     * without a usable snapshot, nothing.
     */
    private AgeCut cutByAge(Journal probe) {
        long nowMicros = Math.multiplyExact(System.currentTimeMillis(), 1_000L);
        long ageMicros;
        try {
            ageMicros = Math.multiplyExact(cut.olderThan.getSeconds(), 1_000_000L) + cut.olderThan.getNano() / 1_000;
        } catch (ArithmeticException e) {
            ageMicros = Long.MAX_VALUE;
        }
        long cutoff = ageMicros >= nowMicros ? 0 : nowMicros - ageMicros;
        Optional<Snapshot> snapshot;
        try {
            snapshot = probe.latestSnapshot().join();
        } catch (CompletionException | JournalException e) {
            snapshot = Optional.empty(); // unreadable: recovery cannot use it either
        }
        if (snapshot.isEmpty()) {
            return new AgeCut(0, ", and there is no usable snapshot to keep their SETs");
        }
        String byAge = ", up to the first entry younger than " + cut.olderThan;
        if (cutoff == 0) {
            return new AgeCut(0, byAge);
        }
        long covered = snapshot.get().seq() + 1;
        List<JournalEntry> young = probe.query(JournalQuery.of("/**").from(cutoff).limit(1)).join();
        long firstYoung = young.isEmpty() ? Long.MAX_VALUE : young.get(0).seq();
        return firstYoung <= covered ? new AgeCut(firstYoung, byAge)
                : new AgeCut(covered, ", up to what the newest snapshot (seq " + snapshot.get().seq() + ") covers");
    }

    /** Compacts as the plan says, with progress for a large one; returns the entries removed. */
    private long compact(Journal j, Plan plan, PrintWriter out) {
        out.println("compacting " + journal.display() + ": removing the entries with a seq below " + plan.before()
                + " (latest seq " + plan.latest() + ")");
        out.flush();
        CompletableFuture<Long> removed = j.compact(plan.before());
        if (plan.toRemove() >= PROGRESS_FROM) {
            boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
            try (Progress progress = Progress.start(terminal, spec.commandLine().getErr(), "compact", plan.toRemove())) {
                // Each chunk a compaction deletes is committed on its own, so the oldest entry
                // still there says how far it got.
                while (!removed.isDone()) {
                    try {
                        removed.get(200, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        List<JournalEntry> first = j.since(0, 1).exceptionally(x -> List.of()).join();
                        if (!first.isEmpty()) {
                            progress.stepTo(Math.max(0, Math.min(plan.toRemove(), first.get(0).seq() - plan.oldest())));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    } catch (java.util.concurrent.ExecutionException e) {
                        break; // reported by join() below
                    }
                }
            }
        }
        return removed.join();
    }

    private void compactFile(SqliteJournal j, Plan plan, PrintWriter out) {
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
        SqliteJournal.FileInfo start = j.fileInfo().join();
        if (plan != null && plan.toRemove() > 0) {
            long removed = compact(j, plan, out);
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
