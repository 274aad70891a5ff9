package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import to.clasp.journal.IntegrityMode;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalException;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.SqliteJournal;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks every entry's HMAC with the key. Read-only.",
            "Uses the key the journal was written with, and lists the",
            "first bad seqs. Exits 1 if any entry fails. Entries written without a key carry no HMAC",
            "and pass, as they do when the library reads them. When every entry passes, checks the",
            "whole journal too (the newest entries cut off, older snapshots), on a SQLite file and on",
            "PostgreSQL alike. With --integrity row, a file's entries are checked as the Rust crate checks",
            "them (for a file the Rust crate keeps writing with the same key); deleted or moved entries",
            "and snapshots are then not checked. Read-only."},
        footerHeading = "%nExamples:%n", footer = {"  clasp-journal verify journal.db --key-file journal.key",
            "  clasp-journal verify shared-with-rust.db --key-file journal.key --integrity row",
            "  clasp-journal verify jdbc:postgresql://db.local:5432/routers --user clasp --key-file journal.key"})
final class VerifyCommand implements Callable<Integer> {

    private static final int SHOWN = 10;
    private static final String ROW_HINT = " (with this tool: add --integrity row)";
    /** Where the library's advice to use row mode starts in an integrity failure's message. */
    private static final String ROW_ADVICE_START = "; entries from seq ";

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Override
    public Integer call() {
        if (journal.keyFile == null) {
            throw new ParameterException(spec.commandLine(), "verify needs the key: add --key-file K");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
        try (Journal j = journal.openReadOnly()) {
            long total = j.size().join();
            AtomicLong good = new AtomicLong();
            List<Long> bad = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            Progress progress = total >= 10_000 ? Progress.start(terminal, err, "verify", total) : null;
            try {
                EntryScanner.scan(j, 0, e -> {
                    good.incrementAndGet();
                    if (progress != null) {
                        progress.stepBy(1);
                    }
                }, (seq, error) -> {
                    bad.add(seq);
                    if (reasons.size() < SHOWN) {
                        reasons.add(describe(seq, error));
                    }
                    if (progress != null) {
                        progress.stepBy(1);
                    }
                });
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
            long checked = good.get() + bad.size();
            String whole = bad.isEmpty() ? wholeJournalProblem(j) : null;
            if (whole != null && !whole.equals(NO_CHAIN)) {
                out.println(journal.display() + ": every entry read matches the key, but the "
                        + (j instanceof PostgresJournal ? "journal" : "file") + " fails its integrity check: "
                        + whole + (whole.contains("IntegrityMode.ROW") ? ROW_HINT : ""));
                return ClaspJournalCli.FAILURE;
            }
            if (bad.isEmpty()) {
                out.println("verified " + Args.count(checked) + " entries of " + journal.display()
                        + ": every HMAC matches the key" + (NO_CHAIN.equals(whole)
                                ? " (per-row MACs only: the schema has no entry chain yet; a journal opened on it"
                                        + " for writing with the key adds it)"
                                : journal.integrityMode() == IntegrityMode.ROW
                                        ? " (row mode: each entry as the Rust crate checks it; deleted or moved entries"
                                                + " and snapshots are not checked)"
                                        : ""));
                return ClaspJournalCli.OK;
            }
            out.println(journal.display() + ": " + Args.count(bad.size()) + " of " + Args.count(checked)
                    + " entries failed the check" + (good.get() == 0 ? " (all of them: is it the right key?)" : ""));
            out.println("first bad seqs: " + bad.subList(0, Math.min(SHOWN, bad.size())));
            reasons.forEach(r -> out.println("  " + r));
            if (reasons.stream().anyMatch(r -> r.endsWith("(after the Rust crate wrote to the file?)"))) {
                out.println("entries without this library's entry_mac follow where signing began, as the Rust "
                        + "crate's appends to a signed file do: to check each entry as the Rust crate does, run "
                        + "verify with --integrity row");
            }
            return ClaspJournalCli.FAILURE;
        }
    }

    /** What {@link #wholeJournalProblem} says of a PostgreSQL schema written before the entry chain. */
    private static final String NO_CHAIN = "no chain";

    /**
     * What reading entry by entry cannot see (newest entries cut off, a snapshot altered), or
     * null when the whole journal verifies; {@link #NO_CHAIN} when a PostgreSQL schema has no
     * chain to check yet.
     */
    private static String wholeJournalProblem(Journal j) {
        try {
            if (j instanceof SqliteJournal file) {
                file.verifyIntegrity().join();
            } else if (j instanceof PostgresJournal db) {
                db.verifyIntegrity().join();
            }
            return null;
        } catch (CompletionException e) {
            if (e.getCause() instanceof JournalException.InvalidInput) {
                return NO_CHAIN; // opened read-only with the key: its rows were checked one by one
            }
            if (e.getCause() instanceof JournalException.Integrity
                    || e.getCause() instanceof JournalException.Snapshot) {
                return e.getCause().getMessage();
            }
            throw e;
        }
    }

    private static String describe(long seq, JournalException error) {
        if (error instanceof JournalException.Integrity && ClaspJournalCli.namesRowMode(error)) {
            // The advice is the same for every such seq: it is printed once, after the list.
            String m = error.getMessage();
            int cut = m.indexOf(ROW_ADVICE_START);
            return "seq " + seq + ": " + m.substring(m.indexOf(": ") + 2, cut < 0 ? m.length() : cut)
                    + " (after the Rust crate wrote to the file?)";
        }
        if (error instanceof JournalException.Integrity) {
            return "seq " + seq + ": HMAC mismatch (the entry was altered, or the key is wrong)";
        }
        return "seq " + seq + ": cannot be read: " + error.getMessage();
    }
}
