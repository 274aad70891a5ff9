package to.clasp.journal.internal.follow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;

/**
 * One stream of {@link Journal#follow}: its position, its buffer, and the loop that signals its
 * subscriber. See {@link FollowHub} for the whole design.
 *
 * <p>All signals go through {@link #drain()}, which runs on one thread at a time (a work-in-
 * progress counter serializes it), so the subscriber is called sequentially, and a
 * {@code request} made inside {@code onNext} only bumps the counter instead of recursing.
 */
public final class FollowSubscription implements Flow.Subscription {

    /** The most entries the drain takes from the buffer at a time. */
    private static final int TAKE = 64;

    private final FollowHub hub;
    private final JournalQuery query;
    private final long limit;
    /** Equal for queries that match the same entries; cheap to hash (a string caches its hash). */
    private final String matchKey;
    private final Runnable drainTask = this::drain;

    private volatile Flow.Subscriber<? super JournalEntry> subscriber;
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean cancelled;
    /** The first error to signal: set by close, a bad request, a failed read. */
    private volatile Throwable error;

    // Guarded by this. Every seq up to `covered` has been delivered, buffered or skipped as not
    // matching; `known` is the latest commit the stream has heard of. `offered` is the highest
    // seq the hub has offered the stream, or the hub's position when it indexed the stream:
    // the hub offers every later commit that may match, so the commits between `offered` and
    // the next offer cannot match, and a stream that covered `offered` may skip them.
    private final ArrayDeque<JournalEntry> buffer = new ArrayDeque<>();
    private long covered;
    private long known;
    private long offered = -1;
    private boolean behind = true;
    private boolean reading;
    private boolean stalled;

    // Drain thread only: entries requested and taken from the buffer, to deliver next.
    private final ArrayDeque<JournalEntry> ready = new ArrayDeque<>();
    private boolean subscribed;
    private boolean done;
    private long emitted;
    private long delivered;

    FollowSubscription(FollowHub hub, JournalQuery query, long afterSeq,
            Flow.Subscriber<? super JournalEntry> subscriber) {
        this.hub = hub;
        this.query = query;
        this.limit = query == null ? -1 : query.maxResults().orElse(-1);
        this.matchKey = query == null ? null : query.pattern() + '\u0000' + query.fromMicros() + ' '
                + query.toMicros() + ' ' + query.signalTypes();
        this.subscriber = subscriber;
        this.covered = afterSeq;
        this.known = afterSeq;
    }

    // ---- Flow.Subscription ----

    @Override
    public void request(long n) {
        if (n <= 0) {
            fail(new IllegalArgumentException(
                    "request must be positive (Reactive Streams rule 3.9), got " + n));
        } else {
            requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
        }
        schedule();
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            hub.remove(this);
            schedule();
        }
    }

    // ---- from the hub ----

    /** Records the first error; the drain signals it. */
    void fail(Throwable t) {
        if (error == null) {
            synchronized (this) {
                if (error == null) {
                    error = t;
                }
            }
        }
    }

    synchronized void knowCommitted(long seq) {
        known = Math.max(known, seq);
    }

    /** The query, non-null for a stream the hub registers. */
    JournalQuery query() {
        return query;
    }

    /**
     * Offers committed entries with seqs {@code after + 1 .. through}: kept if the stream is live
     * and has covered everything before them (or everything up to the previous offer, since the
     * commits in between were not offered because none can match), else the stream is marked
     * behind, to read them from storage. {@code entries} null means the hub did not keep them.
     * Dispatcher thread; the hub offers a stream it indexes {@code (p, p]} with its position
     * {@code p} first, and from then on every commit that may match.
     */
    void offer(long after, long through, List<JournalEntry> entries) {
        offer(after, through, entries, null);
    }

    /**
     * As {@link #offer(long, long, List)}; {@code matched} holds, per query (by its
     * {@link #matchKey}), the entries of this batch it matches, shared by the streams that follow
     * equal queries (computed by the first).
     */
    void offer(long after, long through, List<JournalEntry> entries,
            Map<String, List<JournalEntry>> matched) {
        boolean wake;
        synchronized (this) {
            long previous = offered;
            offered = Math.max(offered, through);
            if (through > known) {
                known = through;
            }
            if (through <= covered || done || cancelled) {
                return;
            }
            if (reading) {
                return; // the read in progress will look at `known` when it ends
            }
            if (behind) {
                wake = stalled;
                stalled = false;
            } else if (entries == null || after > covered && (previous < 0 || covered < previous)) {
                // A live stream has covered every offer (one it could not take made it behind)
                // and was indexed before its first, so only offers without entries end up
                // here; the rest is insurance: a stream that had missed an offer reads storage.
                behind = true;
                wake = true;
            } else {
                // Seqs up to `after` that are past `covered` were not offered: none matches.
                covered = Math.max(covered, after);
                List<JournalEntry> matching = matched == null ? matching(query, entries)
                        : matched.computeIfAbsent(matchKey, k -> matching(query, entries));
                int skip = 0;
                while (skip < matching.size() && matching.get(skip).seq() <= covered) {
                    skip++;
                }
                matching = matching.subList(skip, matching.size());
                if (matching.isEmpty()) {
                    covered = through;
                    wake = false;
                } else if (buffer.size() + matching.size() > FollowHub.STREAM_BUFFER
                        && !(buffer.isEmpty() && matching.size() <= FollowHub.MAX_BATCH)) {
                    // A slow subscriber: stop holding entries for it; it reads storage later.
                    // (A stream that keeps up, its buffer empty, always takes one batch.)
                    behind = true;
                    wake = true;
                } else {
                    buffer.addAll(matching);
                    covered = through;
                    wake = true;
                }
            }
        }
        if (wake) {
            schedule();
        }
    }

    private static List<JournalEntry> matching(JournalQuery query, List<JournalEntry> entries) {
        List<JournalEntry> out = null;
        for (JournalEntry e : entries) {
            if (query.matches(e)) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(e);
            }
        }
        return out == null ? List.of() : out;
    }

    void schedule() {
        if (wip.getAndIncrement() == 0) {
            hub.execute(drainTask);
        }
    }

    // ---- the drain loop ----

    private void drain() {
        int missed = 1;
        while (true) {
            if (!done) {
                drainOnce();
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void drainOnce() {
        Flow.Subscriber<? super JournalEntry> s = subscriber;
        if (!subscribed) {
            subscribed = true;
            try {
                s.onSubscribe(this);
            } catch (RuntimeException e) {
                finish(); // a subscriber may not throw (rule 2.13); it gets nothing more
                return;
            }
        }
        while (true) {
            if (cancelled) {
                finish();
                return;
            }
            Throwable failure = error;
            if (failure == null && hub.isClosed()) {
                failure = hub.closedError();
            }
            if (failure != null) {
                finish();
                s.onError(failure);
                return;
            }
            if (limit >= 0 && delivered >= limit) {
                finish();
                s.onComplete();
                return;
            }
            if (emitted == requested.get()) {
                return;
            }
            JournalEntry next = ready.poll();
            boolean read = false;
            if (next == null) {
                // Take what was requested out of the buffer in one go, not one lock per entry.
                long wanted = Math.min(TAKE, requested.get() - emitted);
                synchronized (this) {
                    for (long i = 0; i < wanted && !buffer.isEmpty(); i++) {
                        ready.add(buffer.poll());
                    }
                    next = ready.poll();
                    read = next == null && (behind || covered < known);
                    if (read) {
                        reading = true;
                    }
                }
            }
            if (next != null) {
                emitted++;
                delivered++;
                try {
                    s.onNext(next);
                } catch (RuntimeException e) {
                    finish(); // a subscriber may not throw (rule 2.13); it gets nothing more
                    return;
                }
            } else if (!read || !readPage()) {
                return;
            }
        }
    }

    /**
     * Reads the next page from storage into the buffer.
     *
     * @return whether the stream made progress; if not, it waits for the next commit it hears of
     */
    private boolean readPage() {
        long from;
        synchronized (this) {
            from = covered;
        }
        int max = FollowHub.STORAGE_PAGE;
        if (limit >= 0) {
            max = (int) Math.max(1, Math.min(max, limit - delivered));
        }
        FollowSource.Page page;
        try {
            page = hub.source().read(query, from, max);
        } catch (RuntimeException e) {
            synchronized (this) {
                reading = false;
            }
            fail(hub.isClosed() ? hub.closedError()
                    : e instanceof JournalException je ? je
                    : new JournalException.Storage("reading entries after seq " + from + " failed: " + e, e));
            return true;
        }
        synchronized (this) {
            reading = false;
            for (JournalEntry e : page.entries()) {
                if (e.seq() > covered) {
                    buffer.add(e);
                }
            }
            boolean progress = page.coveredThrough() > covered || !page.entries().isEmpty();
            covered = Math.max(covered, page.coveredThrough());
            known = Math.max(known, covered);
            behind = covered < known;
            stalled = !progress && behind;
            return progress;
        }
    }

    /** Ends the stream for good: no more signals, no more references to the subscriber. */
    private void finish() {
        done = true;
        hub.remove(this);
        ready.clear();
        synchronized (this) {
            buffer.clear();
        }
        subscriber = NOOP;
    }

    private static final Flow.Subscriber<JournalEntry> NOOP = new Flow.Subscriber<>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
        }

        @Override
        public void onNext(JournalEntry item) {
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    };
}
