package to.clasp.journal.cli;

import java.util.function.Consumer;
import to.clasp.journal.JournalEntry;

/**
 * New entries as they are committed, for {@code tail -f}: every entry with a seq above a given
 * one, exactly once, in seq order, until the thread is interrupted. Kept behind this interface so
 * that the command does not depend on how entries arrive.
 */
interface EntryFeed {

    /**
     * Hands every entry with seq &gt; {@code afterSeq} to {@code sink}, in order, as they appear;
     * returns when the calling thread is interrupted (its interrupt flag is then set).
     */
    void follow(long afterSeq, Consumer<JournalEntry> sink);
}
