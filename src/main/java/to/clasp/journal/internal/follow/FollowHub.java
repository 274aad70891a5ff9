package to.clasp.journal.internal.follow;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;

/**
 * The engine behind {@link Journal#follow}, shared by every backend: it hands out publishers,
 * keeps the live streams, and fans each commit out to them.
 *
 * <h2>Plugging a backend in</h2>
 * A backend creates one hub and gives it three things:
 * <ol>
 *   <li>a {@link FollowSource}: "read up to N matching entries after seq S" from storage, which
 *       throws {@link JournalException.Truncated} when entries after S are gone, and the latest
 *       committed seq (for polling);</li>
 *   <li>{@link #committed(List)} after each commit of its own, with the entries just committed
 *       (ascending, already visible to reads), called in commit order: this is the live fast
 *       path, no storage read and no polling;</li>
 *   <li>optionally a signal that something else committed: {@link #changed()} (for instance from
 *       PostgreSQL's {@code LISTEN/NOTIFY}), or a poll interval in the constructor, at which the
 *       hub compares {@link FollowSource#latestSeq()} with what it has seen.</li>
 * </ol>
 * and calls {@link #close()} when the journal closes, after its last commit.
 *
 * <h2>How it works</h2>
 * One dispatcher thread takes commits from a bounded queue and offers them to the streams whose
 * patterns can match one of their entries: it keeps the streams in a {@link FollowIndex} by the
 * literal their pattern starts with, so a commit costs the streams that follow other addresses
 * nothing (a few map look-ups per entry, none per stream); streams whose patterns start with a
 * wildcard, or are negated, are offered every commit. A stream that is live (has covered
 * everything up to the batch) keeps the matching entries in a buffer of at most
 * {@link #STREAM_BUFFER} entries. Commits the hub did not see itself (another process) are
 * read from storage once, for all streams. A stream that is behind (new, slow, its buffer
 * full, or the hub's queue overflowed) reads storage itself, in pages, and turns live again
 * once it has covered the latest commit it knows of; a stream's position counts every seq it
 * has looked at, so the hand-over from storage to live entries has neither gap nor duplicate.
 * The commits a stream was not offered count as looked at: the dispatcher indexes a stream
 * only between two batches, offering it its own position first (which the stream then covers
 * from storage), and offers it every later commit that can match, so a live stream that has
 * covered its last offer skips, as not matching, everything up to its next one. Streams with
 * the same query share the filtering of each batch.
 *
 * <p>Subscribers are called on a few daemon threads that take ready streams from one queue,
 * each stream on one thread at a time. A subscriber that blocks holds its thread: when a ready
 * stream has waited {@value #STARVED_MILLIS} ms for a thread, the dispatcher adds one, so a
 * blocking subscriber holds up only its own stream; the extra threads end once idle.
 */
public final class FollowHub {

    /**
     * The most matching entries a live stream buffers before it falls back to storage: 0.4 s
     * of 10,000 appends a second. A stream that falls back reads and decodes every entry again
     * on its own, which costs far more than taking them live, so the buffer is sized for the
     * stalls a busy machine has (a collection, a checkpoint, a subscriber's thread descheduled)
     * rather than for memory: 256 entries (25 ms at that rate) let a hundred SQLite streams on
     * two cores fall behind for good after the first stall, with 4,096 they kept up.
     */
    public static final int STREAM_BUFFER = 4_096;
    /** The most entries a stream that is behind reads from storage at a time. */
    static final int STORAGE_PAGE = 256;
    /** The most committed entries waiting for the dispatcher before it stops keeping them. */
    private static final int MAX_QUEUED_ENTRIES = 65_536;
    /**
     * The most entries in one batch the dispatcher offers: a live stream whose buffer is empty
     * takes a whole batch even past {@link #STREAM_BUFFER}, so that big group commits do not
     * push streams that keep up back to storage.
     */
    public static final int MAX_BATCH = 1_024;
    /** Entries per shared read of commits the hub did not see itself. */
    private static final int SHARED_PAGE = MAX_BATCH;
    private static final int SHARED_PAGES_PER_TURN = 16;
    /** The threads that run subscribers, while no subscriber blocks. */
    private static final int WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /** A stream waiting this long for a thread means subscribers block: add a thread. */
    private static final long STARVED_MILLIS = 20;
    private static final long STARVED_NANOS = TimeUnit.MILLISECONDS.toNanos(STARVED_MILLIS);
    /** How often the dispatcher looks for waiting streams while any stream is open. */
    private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final FollowSource source;
    private final long pollNanos;

    private final Object lock = new Object();
    /** Every stream registered and not ended: added under lock, removed by any thread. */
    private final Set<FollowSubscription> streams = ConcurrentHashMap.newKeySet();
    /** Streams that ended, for the dispatcher to take out of {@link #index}: any thread adds. */
    private final ConcurrentLinkedQueue<FollowSubscription> leaving = new ConcurrentLinkedQueue<>();
    // Guarded by lock.
    private final ArrayDeque<Batch> queue = new ArrayDeque<>();
    /** Streams registered since the dispatcher last put new streams in {@link #index}. */
    private final List<FollowSubscription> joining = new ArrayList<>();
    private int queuedEntries;
    private long latestCommitted;
    private long fanFloor;
    private volatile boolean closed;
    private volatile boolean idleCommitsSkipped;
    private Thread dispatcher;

    /** Dispatcher thread only: the highest seq fanned out (to the streams it can concern). */
    private long fanned;
    /**
     * Dispatcher thread only: the registered streams by what their patterns can match, but for
     * those still in {@link #joining}, and the ended ones still in {@link #leaving}.
     */
    private final FollowIndex index = new FollowIndex();

    private final ThreadPoolExecutor executor;

    /**
     * Creates a hub.
     *
     * @param name the journal's name, for thread names and errors
     * @param source the backend's storage reads
     * @param latestSeq the latest committed seq when the journal opened
     * @param pollInterval how often to look for commits made elsewhere, or null never to
     */
    public FollowHub(String name, FollowSource source, long latestSeq, Duration pollInterval) {
        this.name = name;
        this.source = source;
        this.latestCommitted = latestSeq;
        this.fanned = latestSeq;
        this.pollNanos = pollInterval == null ? 0 : Math.max(1, pollInterval.toNanos());
        AtomicInteger ids = new AtomicInteger();
        // A few threads take ready streams from one queue, so that many small deliveries cost no
        // thread hand-off each; the dispatcher adds threads when a stream waits too long for one
        // (its subscribers block), and the extra threads end once idle.
        this.executor = new ThreadPoolExecutor(WORKERS, Integer.MAX_VALUE, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "clasp-journal-follow-" + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * A publisher of {@code query}'s entries after {@code afterSeq}, as {@link Journal#follow}
     * describes.
     */
    public Flow.Publisher<JournalEntry> publisher(JournalQuery query, long afterSeq) {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            JournalException invalid = null;
            if (query == null) {
                invalid = new JournalException.InvalidInput("query must not be null");
            } else if (query.isDescending()) {
                invalid = new JournalException.InvalidInput(
                        "query must be ascending: a follower reads entries in seq order");
            } else if (afterSeq < 0) {
                invalid = new JournalException.InvalidInput("afterSeq must not be negative: " + afterSeq);
            }
            FollowSubscription s = new FollowSubscription(this, query, afterSeq, subscriber);
            if (invalid != null) {
                s.fail(invalid);
            } else {
                register(s);
            }
            s.schedule();
        };
    }

    /**
     * Tells the hub about entries the backend just committed: contiguous, ascending, already
     * visible to {@link FollowSource#read}. Called in commit order; cheap, never blocks.
     */
    public void committed(List<JournalEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long after = entries.get(0).seq() - 1;
        long through = entries.get(entries.size() - 1).seq();
        synchronized (lock) {
            latestCommitted = Math.max(latestCommitted, through);
            if (closed || streams.isEmpty()) {
                return;
            }
            if (queuedEntries + entries.size() > MAX_QUEUED_ENTRIES) {
                // The dispatcher is far behind: keep only how far commits went, and let the
                // streams read storage, instead of holding entries without bound.
                queue.clear();
                queuedEntries = 0;
                queue.add(new Batch(after, through, null));
            } else {
                queue.add(new Batch(after, through, entries));
                queuedEntries += entries.size();
            }
            lock.notifyAll();
        }
    }

    /**
     * Whether any stream is open. A backend whose every storage read of followers takes a lock
     * that its commits hold may skip {@link #committed(List)} while this is false, and save
     * building the list: a stream registers before its first read, so a commit that found
     * nobody following is in storage by the time that read runs. The hub then treats those
     * commits as made elsewhere; a backend that skips says so with {@link #skipsIdleCommits()},
     * so that a new stream learns the latest seq from storage instead of from commits.
     */
    public boolean anyoneFollowing() {
        return !streams.isEmpty();
    }

    /**
     * Says that the backend skips {@link #committed(List)} while nobody follows, and that
     * {@link FollowSource#latestSeq()} is cheap: each new stream then asks storage for the
     * latest seq, before taking the hub's lock (which commits take under the backend's lock).
     */
    public void skipsIdleCommits() {
        this.idleCommitsSkipped = true;
    }

    /** Tells the hub that something may have been committed elsewhere; it looks in storage. */
    public void changed() {
        synchronized (lock) {
            if (closed || streams.isEmpty() || queue.peekLast() == Batch.CHECK) {
                return;
            }
            queue.add(Batch.CHECK);
            lock.notifyAll();
        }
    }

    /** Ends every stream with {@link JournalException.Closed} and stops the hub's threads. Idempotent. */
    public void close() {
        List<FollowSubscription> all;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(streams);
            streams.clear();
            queue.clear();
            joining.clear();
            lock.notifyAll();
        }
        for (FollowSubscription s : all) {
            s.fail(closedError());
            s.schedule();
        }
        executor.shutdown();
    }

    /** The number of streams registered (for tests). */
    int streamCount() {
        return streams.size();
    }

    /** The number of threads that run subscribers right now (for tests). */
    int subscriberThreads() {
        return executor.getPoolSize();
    }

    // ---- for FollowSubscription ----

    FollowSource source() {
        return source;
    }

    boolean isClosed() {
        return closed;
    }

    JournalException.Closed closedError() {
        return new JournalException.Closed("the journal " + name + " is closed");
    }

    void remove(FollowSubscription s) {
        if (streams.remove(s)) {
            leaving.add(s);
        }
    }

    /** Runs a stream's drain on the pool; inline once the pool is shut down, so no signal is lost. */
    void execute(Runnable drain) {
        try {
            executor.execute(new Queued(drain, System.nanoTime()));
        } catch (RejectedExecutionException ex) {
            drain.run();
        }
    }

    /** A stream's drain, with when it was queued. */
    private record Queued(Runnable drain, long queuedAt) implements Runnable {
        @Override
        public void run() {
            drain.run();
        }
    }

    /** Adds a thread when a stream has waited too long for one; back to the few once none waits. */
    private void watchWorkers() {
        Runnable head = executor.getQueue().peek();
        int threads = executor.getCorePoolSize();
        if (head instanceof Queued q && System.nanoTime() - q.queuedAt > STARVED_NANOS) {
            executor.setCorePoolSize(threads + 1);
        } else if (head == null && threads > WORKERS) {
            executor.setCorePoolSize(WORKERS);
        }
    }

    private void register(FollowSubscription s) {
        long stored = 0;
        if (idleCommitsSkipped) {
            try {
                stored = source.latestSeq();
            } catch (RuntimeException e) {
                // the stream's own first read reports what is wrong with storage
            }
        }
        synchronized (lock) {
            if (closed) {
                s.fail(closedError());
                return;
            }
            latestCommitted = Math.max(latestCommitted, stored);
            if (streams.isEmpty()) {
                // Commits made while nobody followed were not fanned out, and need not be: every
                // stream from now on reads storage up to at least here first.
                fanFloor = latestCommitted;
            }
            streams.add(s);
            joining.add(s);
            s.knowCommitted(latestCommitted);
            if (dispatcher == null) {
                dispatcher = new Thread(this::dispatch, "clasp-journal-follow-dispatch");
                dispatcher.setDaemon(true);
                dispatcher.start();
            }
        }
    }

    // ---- the dispatcher thread ----

    private void dispatch() {
        long nextPoll = System.nanoTime() + pollNanos;
        while (true) {
            Batch batch;
            List<FollowSubscription> joined = null;
            boolean poll = false;
            synchronized (lock) {
                while (queue.isEmpty() && joining.isEmpty() && !closed) {
                    long left = pollNanos == 0 ? Long.MAX_VALUE : nextPoll - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    if (!streams.isEmpty()) {
                        if (left <= WATCH_NANOS) {
                            waitUninterruptibly(left);
                        } else {
                            waitUninterruptibly(WATCH_NANOS);
                            break; // to watch the workers
                        }
                    } else {
                        // Nobody follows (and nobody can register while this holds the lock):
                        // hold no ended stream while waiting, maybe for good.
                        index.clear();
                        leaving.clear();
                        waitUninterruptibly(left == Long.MAX_VALUE ? 0 : left);
                    }
                }
                if (closed) {
                    return;
                }
                batch = takeBatch();
                fanned = Math.max(fanned, fanFloor);
                if (!joining.isEmpty()) {
                    joined = new ArrayList<>(joining);
                    joining.clear();
                }
                if (pollNanos != 0 && System.nanoTime() - nextPoll >= 0) {
                    poll = true;
                    nextPoll = System.nanoTime() + pollNanos;
                }
            }
            // Streams registered since the last turn are indexed before this turn's commits,
            // which they registered before. Streams leave after joining: a stream that ends
            // before its join is no longer in `streams`, and the join skips it.
            if (joined != null) {
                join(joined);
            }
            for (FollowSubscription s; (s = leaving.poll()) != null; ) {
                index.remove(s);
            }
            watchWorkers();
            try {
                if (batch != null) {
                    deliver(batch);
                }
                if (poll && !streams.isEmpty()) {
                    catchUpTo(source.latestSeq());
                }
            } catch (RuntimeException e) {
                // Storage is failing: each stream reads for itself and reports what it finds.
                behindAll(Math.max(fanned, latestCommittedNow()));
            }
        }
    }

    /**
     * Takes the next batch, merged with the contiguous ones behind it, so that a stream wakes
     * once for many small commits. Holds the lock.
     */
    private Batch takeBatch() {
        Batch batch = queue.poll();
        if (batch == null || batch.entries == null) {
            return batch;
        }
        queuedEntries -= batch.entries.size();
        List<JournalEntry> merged = null;
        long through = batch.through;
        while (true) {
            Batch next = queue.peek();
            int size = merged == null ? batch.entries.size() : merged.size();
            if (next == null || next.entries == null || next.after != through
                    || size + next.entries.size() > MAX_BATCH) {
                break;
            }
            queue.poll();
            queuedEntries -= next.entries.size();
            if (merged == null) {
                merged = new ArrayList<>(batch.entries);
            }
            merged.addAll(next.entries);
            through = next.through;
        }
        return merged == null ? batch : new Batch(batch.after, through, merged);
    }

    private void deliver(Batch batch) {
        if (batch == Batch.CHECK) {
            catchUpTo(source.latestSeq());
            return;
        }
        if (batch.through <= fanned) {
            return;
        }
        if (batch.entries == null) {
            catchUpTo(batch.through); // the queue overflowed: read the commits back once, for all
            return;
        }
        if (batch.after > fanned) {
            catchUpTo(batch.after); // commits made elsewhere came in between
        }
        offerAll(batch.after, batch.through, batch.entries);
    }

    /** Reads commits the hub has not seen, once for every stream. */
    private void catchUpTo(long target) {
        for (int pages = 0; fanned < target && pages < SHARED_PAGES_PER_TURN; pages++) {
            FollowSource.Page page;
            try {
                page = source.read(null, fanned, SHARED_PAGE);
            } catch (JournalException e) {
                break; // each stream will read, and report, for itself
            }
            if (page.coveredThrough() <= fanned) {
                break;
            }
            offerAll(fanned, page.coveredThrough(), page.entries());
        }
        if (fanned < target) {
            behindAll(target);
        }
    }

    /**
     * Indexes new streams. Each learns the dispatcher's position first: it covers what came
     * before from storage (commits that were fanned out before it was indexed may have matched
     * it), and may skip, as not matching, the later commits it is not offered.
     */
    private void join(List<FollowSubscription> joined) {
        for (FollowSubscription s : joined) {
            // A stream that ended before this is on its way out through `leaving`, or was
            // already taken out (as not indexed); either way, keep it out.
            if (streams.contains(s)) {
                index.add(s);
                s.offer(fanned, fanned, null);
            }
        }
    }

    private void offerAll(long after, long through, List<JournalEntry> entries) {
        // Only the streams whose patterns can match an entry of the batch; the others take it
        // as not matching when they are next offered something.
        List<FollowSubscription> candidates = index.candidates(entries);
        if (!candidates.isEmpty()) {
            // Streams that follow equal queries share one filtering of the batch.
            Map<String, List<JournalEntry>> matched = new HashMap<>();
            for (FollowSubscription s : candidates) {
                s.offer(after, through, entries, matched);
            }
        }
        advance(through);
    }

    private void behindAll(long through) {
        for (FollowSubscription s : streams) {
            s.offer(through, through, null);
        }
        advance(through);
    }

    private void advance(long through) {
        fanned = Math.max(fanned, through);
        synchronized (lock) {
            latestCommitted = Math.max(latestCommitted, through);
        }
    }

    private long latestCommittedNow() {
        synchronized (lock) {
            return latestCommitted;
        }
    }

    private void waitUninterruptibly(long nanos) {
        try {
            if (nanos == 0) {
                lock.wait();
            } else {
                TimeUnit.NANOSECONDS.timedWait(lock, nanos);
            }
        } catch (InterruptedException e) {
            // only close() stops the dispatcher
        }
    }

    /**
     * Commits for the dispatcher: the entries with seqs {@code after + 1 .. through}, or null
     * when they were not kept.
     */
    private record Batch(long after, long through, List<JournalEntry> entries) {
        /** Look in storage for commits made elsewhere. */
        static final Batch CHECK = new Batch(-1, -1, null);
    }
}
