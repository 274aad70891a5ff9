package to.clasp.journal.cli;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;

/**
 * Reads every entry of a journal in seq order, page by page, through the public API. An entry
 * that cannot be read (a failed HMAC, a row that cannot be decoded) fails its page and names its
 * seq: the scanner hands it to {@code onBadRow} and goes on after it, reading one entry at a time
 * up to it so that no good entry before it is missed.
 */
final class EntryScanner {

    static final int PAGE = 2_000;

    /** A row that could not be read, with why. */
    interface BadRows {
        void bad(long seq, JournalException error);
    }

    private EntryScanner() {}

    /**
     * Scans the entries with seq &gt; {@code afterSeq}.
     *
     * @return the seq of the last entry read or skipped
     * @throws JournalException when a read fails without naming a seq
     */
    static long scan(Journal journal, long afterSeq, Consumer<JournalEntry> onEntry, BadRows onBadRow) {
        long after = afterSeq;
        long stepUntil = -1; // after a bad row, read one at a time up to it
        while (true) {
            int limit = after < stepUntil ? 1 : PAGE;
            List<JournalEntry> page;
            try {
                page = journal.since(after, limit).join();
            } catch (CompletionException e) {
                JournalException je = unwrap(e);
                long bad = ClaspJournalCli.badSeq(je);
                if (bad <= after) {
                    throw je;
                }
                if (limit > 1) {
                    stepUntil = bad; // the good entries before it are still to be read
                    continue;
                }
                onBadRow.bad(bad, je);
                after = bad;
                continue;
            }
            if (page.isEmpty()) {
                return after;
            }
            for (JournalEntry e : page) {
                onEntry.accept(e);
                after = e.seq();
            }
        }
    }

    static JournalException unwrap(CompletionException e) {
        if (e.getCause() instanceof JournalException je) {
            return je;
        }
        throw e;
    }
}
