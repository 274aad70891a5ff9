package to.clasp.journal.router;

import java.util.concurrent.Flow;
import java.util.function.Predicate;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SignalType;

/**
 * {@link RouterJournalHook#follow}: the journal's follow stream with the entries a session may
 * not read left out. The journal follows the query without its limit; the limit counts the
 * entries delivered here, and each entry left out is asked for again upstream, so the
 * subscriber never gets more than it requested and never waits for an entry it cannot see.
 */
final class ScopedFollow implements Flow.Publisher<JournalEntry> {

    private final Journal journal;
    private final JournalQuery query;
    private final long afterSeq;
    private final Predicate<String> mayRead;

    ScopedFollow(Journal journal, JournalQuery query, long afterSeq, Predicate<String> mayRead) {
        this.journal = journal;
        this.query = query;
        this.afterSeq = afterSeq;
        this.mayRead = mayRead;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super JournalEntry> subscriber) {
        if (subscriber == null) {
            throw new NullPointerException("subscriber");
        }
        RuntimeException refused = refusal();
        if (refused != null) {
            subscriber.onSubscribe(Refused.INSTANCE);
            subscriber.onError(refused);
            return;
        }
        Flow.Publisher<JournalEntry> upstream;
        try {
            upstream = journal.follow(withoutLimit(query), afterSeq);
        } catch (RuntimeException e) {
            subscriber.onSubscribe(Refused.INSTANCE);
            subscriber.onError(e);
            return;
        }
        upstream.subscribe(new Filter(subscriber, mayRead, query.maxResults().orElse(-1)));
    }

    /** Why the request is refused before reading anything, or null. */
    private RuntimeException refusal() {
        if (query == null) {
            return new JournalException.InvalidInput("query must not be null");
        }
        if (mayRead == null) {
            return new JournalException.InvalidInput("mayRead must not be null");
        }
        try {
            if (!mayRead.test(query.pattern())) {
                return new JournalException.AccessDenied("not allowed to follow '" + query.pattern() + "'");
            }
        } catch (RuntimeException e) {
            return e;
        }
        return null;
    }

    private static JournalQuery withoutLimit(JournalQuery query) {
        JournalQuery q = JournalQuery.of(query.pattern());
        if (query.fromMicros().isPresent()) {
            q = q.from(query.fromMicros().getAsLong());
        }
        if (query.toMicros().isPresent()) {
            q = q.to(query.toMicros().getAsLong());
        }
        if (!query.signalTypes().isEmpty()) {
            q = q.types(query.signalTypes().toArray(new SignalType[0]));
        }
        return query.isDescending() ? q.descending() : q;
    }

    /** The subscription of a refused request: nothing to request or cancel. */
    private enum Refused implements Flow.Subscription {
        INSTANCE;

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    }

    /** Passes on readable entries; the journal's stream calls it one signal at a time. */
    private static final class Filter implements Flow.Subscriber<JournalEntry>, Flow.Subscription {
        private final Flow.Subscriber<? super JournalEntry> downstream;
        private final Predicate<String> mayRead;
        private final long limit;
        private volatile Flow.Subscription upstream;
        private long delivered;
        private boolean done;

        Filter(Flow.Subscriber<? super JournalEntry> downstream, Predicate<String> mayRead, long limit) {
            this.downstream = downstream;
            this.mayRead = mayRead;
            this.limit = limit;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            upstream = subscription;
            downstream.onSubscribe(this);
            if (limit == 0) {
                finish();
                downstream.onComplete();
            }
        }

        @Override
        public void onNext(JournalEntry entry) {
            if (done) {
                return;
            }
            boolean readable;
            try {
                readable = mayRead.test(entry.address());
            } catch (RuntimeException e) {
                finish();
                downstream.onError(e);
                return;
            }
            if (!readable) {
                upstream.request(1); // the demand it used was the subscriber's
                return;
            }
            downstream.onNext(entry);
            if (limit > 0 && ++delivered == limit) {
                finish();
                downstream.onComplete();
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!done) {
                done = true;
                downstream.onError(t);
            }
        }

        @Override
        public void onComplete() {
            if (!done) {
                done = true;
                downstream.onComplete();
            }
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            upstream.cancel();
        }

        private void finish() {
            done = true;
            upstream.cancel();
        }
    }
}
