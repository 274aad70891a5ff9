package to.clasp.journal.cli;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;

/**
 * An {@link EntryFeed} on {@link Journal#follow}: the journal delivers every matching entry once,
 * in seq order, including what other processes commit to the file. Entries cross to the calling
 * thread through a queue, so the sink (printing) runs there and never on the journal's threads;
 * the queue never holds more than the entries requested and not yet printed.
 */
final class FollowingEntryFeed implements EntryFeed {

    /** Entries requested ahead of printing; half of it is asked for again once printed. */
    private static final int WINDOW = 1_024;
    private static final Object END = new Object();

    /** How often, while no entry comes, {@link #watch} looks whether following can go on. */
    static final long WATCH_MILLIS = 500;

    private final Journal journal;
    private final JournalQuery query;
    private final Runnable watch;

    /**
     * @param watch run on the calling thread while no entry comes, every {@value #WATCH_MILLIS}
     *     ms; it ends following by throwing (a journal file that was deleted, say)
     */
    FollowingEntryFeed(Journal journal, JournalQuery query, Runnable watch) {
        this.journal = journal;
        this.query = query;
        this.watch = watch;
    }

    @Override
    public void follow(long afterSeq, Consumer<JournalEntry> sink) {
        BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        Flow.Subscription[] subscription = new Flow.Subscription[1];
        journal.follow(query, afterSeq).subscribe(new Flow.Subscriber<JournalEntry>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                synchronized (subscription) {
                    subscription[0] = s;
                }
                s.request(WINDOW);
            }

            @Override
            public void onNext(JournalEntry entry) {
                items.add(entry);
            }

            @Override
            public void onError(Throwable error) {
                items.add(error);
            }

            @Override
            public void onComplete() {
                items.add(END);
            }
        });
        int printedSinceRequest = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Object item = items.poll(WATCH_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (item == null) {
                    watch.run();
                } else if (item instanceof JournalEntry entry) {
                    sink.accept(entry);
                    if (++printedSinceRequest == WINDOW / 2) {
                        printedSinceRequest = 0;
                        subscriptionOrNull(subscription).request(WINDOW / 2);
                    }
                } else if (item == END) {
                    return;
                } else if (item instanceof JournalException e) {
                    throw e;
                } else {
                    throw new JournalException.Storage("following the journal failed: " + item, (Throwable) item);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Flow.Subscription s = subscriptionOrNull(subscription);
            if (s != null) {
                s.cancel();
            }
        }
    }

    private static Flow.Subscription subscriptionOrNull(Flow.Subscription[] holder) {
        synchronized (holder) {
            return holder[0];
        }
    }
}
