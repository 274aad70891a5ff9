package to.clasp.journal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A journal held in memory: a ring buffer of the newest {@code capacity} entries.
 *
 * <p>When the buffer is full, each append evicts the oldest entry. Sequence numbers keep
 * counting across evictions and compactions, so {@link #latestSeq()} is the highest seq ever
 * assigned even when that entry is gone. Only the latest snapshot is kept.
 *
 * <p>Every method completes its future before it returns. The journal is thread-safe: one
 * read-write lock guards the buffer, so queries run in parallel with each other and appends are
 * serialized in lock order (appends from one thread therefore get increasing seqs).
 * {@link #since(long, Integer)} finds its starting point in constant time, because the buffer
 * always holds a contiguous run of seqs; pattern queries scan the buffer.
 *
 * <pre>{@code
 * try (MemoryJournal journal = MemoryJournal.withDefaultCapacity()) {
 *     long seq = journal.append(JournalEntry.fromSet("/lights/room1/brightness",
 *             Value.of(0.75), 1, "session-abc", 1708500000000000L)).join();
 * }
 * }</pre>
 */
public final class MemoryJournal implements Journal {

    /** The capacity of {@link #withDefaultCapacity()}: 10,000 entries. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final JournalEntry[] ring;
    private final Lock readLock;
    private final Lock writeLock;

    // Guarded by the lock. The buffer holds seqs latestSeq - count + 1 .. latestSeq, the oldest at head.
    private int head;
    private int count;
    private long latestSeq;
    private Snapshot snapshot;
    private boolean closed;

    private final FollowHub followers;

    /**
     * Creates an empty journal holding at most {@code capacity} entries.
     *
     * @param capacity the maximum number of entries, at least 1
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public MemoryJournal(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.ring = new JournalEntry[capacity];
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        this.readLock = lock.readLock();
        this.writeLock = lock.writeLock();
        this.followers = new FollowHub(toString(), new RingSource(), 0, null);
    }

    /**
     * Creates an empty journal holding at most {@link #DEFAULT_CAPACITY} entries.
     *
     * @return the journal
     */
    public static MemoryJournal withDefaultCapacity() {
        return new MemoryJournal(DEFAULT_CAPACITY);
    }

    /**
     * Returns the maximum number of entries this journal holds.
     *
     * @return the capacity
     */
    public int capacity() {
        return ring.length;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the buffer is full the oldest entry is evicted.
     */
    @Override
    public CompletableFuture<Long> append(JournalEntry entry) {
        return write(() -> {
            Validation.entry(entry);
            long seq = latestSeq + 1;
            int tail = index(count);
            ring[tail] = entry.withSeq(seq);
            if (count == ring.length) {
                head = index(1);
            } else {
                count++;
            }
            latestSeq = seq;
            followers.committed(List.of(ring[tail]));
            return seq;
        });
    }

    @Override
    public CompletableFuture<List<JournalEntry>> query(JournalQuery query) {
        return read(() -> {
            Validation.query(query);
            int max = query.maxResults().orElse(Integer.MAX_VALUE);
            List<JournalEntry> out = new ArrayList<>(Math.min(max, Math.min(count, 256)));
            if (query.isDescending()) {
                for (int i = count - 1; i >= 0 && out.size() < max; i--) {
                    addIfMatches(query, ring[index(i)], out);
                }
            } else {
                for (int i = 0; i < count && out.size() < max; i++) {
                    addIfMatches(query, ring[index(i)], out);
                }
            }
            return Collections.unmodifiableList(out);
        });
    }

    private static void addIfMatches(JournalQuery query, JournalEntry e, List<JournalEntry> out) {
        if (query.matches(e)) {
            out.add(e);
        }
    }

    @Override
    public CompletableFuture<List<JournalEntry>> since(long seq, Integer limit) {
        return read(() -> {
            Validation.limit(limit);
            long oldest = latestSeq - count + 1;
            // Seqs in the buffer are contiguous, so the first one after `seq` is found by arithmetic.
            int start = seq == Long.MAX_VALUE ? count : offsetOf(seq + 1, oldest);
            int n = count - start;
            if (limit != null) {
                n = Math.min(n, limit);
            }
            List<JournalEntry> out = new ArrayList<>(n);
            for (int i = start; i < start + n; i++) {
                out.add(ring[index(i)]);
            }
            return Collections.unmodifiableList(out);
        });
    }

    @Override
    public CompletableFuture<Long> latestSeq() {
        return read(() -> latestSeq);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only the latest snapshot is kept; it replaces the previous one.
     */
    @Override
    public CompletableFuture<Long> snapshot(List<ParamSnapshot> state) {
        return write(() -> {
            Validation.snapshot(state);
            snapshot = new Snapshot(latestSeq, Micros.now(), state);
            return latestSeq;
        });
    }

    @Override
    public CompletableFuture<Optional<List<ParamSnapshot>>> loadSnapshot() {
        return read(() -> Optional.ofNullable(snapshot).map(Snapshot::params));
    }

    @Override
    public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
        return read(() -> Optional.ofNullable(snapshot));
    }

    @Override
    public CompletableFuture<Long> compact(long beforeSeq) {
        return write(() -> {
            long oldest = latestSeq - count + 1;
            int removed = offsetOf(beforeSeq, oldest);
            for (int i = 0; i < removed; i++) {
                ring[index(i)] = null;
            }
            head = index(removed);
            count -= removed;
            return (long) removed;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>New entries reach live streams straight from {@link #append}; a stream that is behind
     * reads the ring buffer. A stream still behind when the entries it needs are evicted ends
     * with {@link JournalException.Truncated}.
     */
    @Override
    public Flow.Publisher<JournalEntry> follow(JournalQuery query, long afterSeq) {
        return followers.publisher(query, afterSeq);
    }

    @Override
    public CompletableFuture<Long> size() {
        return read(() -> (long) count);
    }

    /**
     * Closes the journal; later calls fail with {@link JournalException.Closed}. Idempotent and
     * thread-safe.
     */
    @Override
    public void close() {
        writeLock.lock();
        try {
            closed = true;
        } finally {
            writeLock.unlock();
        }
        followers.close();
    }

    @Override
    public String toString() {
        return "MemoryJournal[capacity=" + ring.length + "]";
    }

    /** Follower reads of the ring buffer, under the read lock. */
    private final class RingSource implements FollowSource {
        /** The most entries one read looks at, so that it holds the lock briefly. */
        private static final int SCAN = 4_096;

        @Override
        public Page read(JournalQuery query, long afterSeq, int max) {
            readLock.lock();
            try {
                if (closed) {
                    throw new JournalException.Closed("journal is closed");
                }
                long oldest = latestSeq - count + 1;
                if (latestSeq > afterSeq && oldest > afterSeq + 1) {
                    throw new JournalException.Truncated(afterSeq + 1, oldest);
                }
                int start = afterSeq == Long.MAX_VALUE ? count : offsetOf(afterSeq + 1, oldest);
                int end = (int) Math.min(count, (long) start + SCAN);
                List<JournalEntry> out = new ArrayList<>();
                long coveredThrough = end == count ? Math.max(afterSeq, latestSeq) : oldest + end - 1;
                for (int i = start; i < end; i++) {
                    JournalEntry e = ring[index(i)];
                    if (query == null || query.matches(e)) {
                        out.add(e);
                        if (out.size() == max) {
                            coveredThrough = e.seq();
                            break;
                        }
                    }
                }
                return new Page(out, coveredThrough);
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public long latestSeq() {
            readLock.lock();
            try {
                return latestSeq;
            } finally {
                readLock.unlock();
            }
        }
    }

    /** The buffer offset of {@code seq}, clamped to 0..count, free of overflow for any long. */
    private int offsetOf(long seq, long oldest) {
        if (seq <= oldest) {
            return 0;
        }
        long offset = seq - oldest;
        return offset >= count ? count : (int) offset;
    }

    private int index(int offsetFromHead) {
        int i = head + offsetFromHead;
        return i >= ring.length ? i - ring.length : i;
    }

    private <T> CompletableFuture<T> read(Supplier<T> action) {
        return locked(readLock, action);
    }

    private <T> CompletableFuture<T> write(Supplier<T> action) {
        return locked(writeLock, action);
    }

    private <T> CompletableFuture<T> locked(Lock lock, Supplier<T> action) {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new JournalException.Closed("journal is closed"));
            }
            return CompletableFuture.completedFuture(action.get());
        } catch (JournalException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    new JournalException.Storage("unexpected failure in memory journal", e));
        } finally {
            lock.unlock();
        }
    }
}
