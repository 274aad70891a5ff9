package to.clasp.journal.internal.follow;

import java.util.List;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;

/**
 * What a backend gives {@link FollowHub}: reads of its storage. See {@link FollowHub} for the
 * rest of the plug-in (the commit and change signals).
 */
public interface FollowSource {

    /**
     * Reads, in ascending seq order, at most {@code max} entries with a seq greater than
     * {@code afterSeq} that {@code query} matches (every entry when {@code query} is null).
     *
     * <p>The read must see every entry committed before it started, and must look at one
     * consistent state: if any entry with a seq greater than {@code afterSeq} was ever stored
     * but is no longer held, it throws {@link JournalException.Truncated} instead of returning
     * what follows the gap. It may stop early (after scanning a bounded number of entries), as
     * long as {@link Page#coveredThrough()} says how far it looked.
     *
     * @param query the filter, or null for every entry
     * @param afterSeq the last seq already covered
     * @param max the most entries to return, at least 1
     * @return the entries found and how far the read covered
     * @throws JournalException if the read fails; {@code Closed} once the journal is closed
     */
    Page read(JournalQuery query, long afterSeq, int max);

    /**
     * Returns the highest seq committed, as the storage sees it now (including commits by other
     * processes). Called at the hub's poll interval only, so it should be cheap.
     *
     * @return the latest committed seq
     * @throws JournalException if the read fails
     */
    long latestSeq();

    /**
     * The result of a {@link FollowSource#read read}.
     *
     * @param entries the matching entries, ascending, all with a seq greater than the read's
     *     {@code afterSeq}
     * @param coveredThrough the highest seq the read looked at: every entry up to it that
     *     matches is in {@code entries}; at least the read's {@code afterSeq}
     */
    record Page(List<JournalEntry> entries, long coveredThrough) {
    }
}
