package to.clasp.journal.cli;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;

/**
 * An {@link EntryFeed} that polls {@code since(lastSeq)}: SQLite assigns seqs in commit order
 * (one writer at a time holds the file's write lock), so reading after the last seq seen never
 * skips an entry, and never repeats one. It sees what other processes commit to the file.
 */
final class PollingEntryFeed implements EntryFeed {

    private final Journal journal;
    private final Duration idle;
    private final int page;

    PollingEntryFeed(Journal journal, Duration idle, int page) {
        this.journal = journal;
        this.idle = idle;
        this.page = page;
    }

    @Override
    public void follow(long afterSeq, Consumer<JournalEntry> sink) {
        long last = afterSeq;
        while (!Thread.currentThread().isInterrupted()) {
            List<JournalEntry> entries = journal.since(last, page).join();
            for (JournalEntry e : entries) {
                sink.accept(e);
                last = e.seq();
            }
            if (entries.size() < page) {
                try {
                    Thread.sleep(idle.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
