package to.clasp.journal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;
import to.clasp.journal.internal.follow.FollowHub;
import to.clasp.journal.internal.follow.FollowSource;
import to.clasp.journal.internal.codec.Micros;
import to.clasp.journal.internal.state.StateFold;
import to.clasp.journal.internal.stats.StatsRecorder;
import to.clasp.journal.internal.util.Validation;

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
 * always holds a contiguous run of seqs. Pattern queries match the pattern once per distinct
 * address held and read only the entries at matching addresses; the first query after a run
 * of appends first gives those entries their address ids, so appends do no indexing.
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

    // The entries, oldest at head. An append stores the caller's entry as it is, whatever seq
    // it carries (its seq follows from its slot, since seqs in the ring are contiguous), so that
    // it allocates nothing but its future; the first read of a slot stores the copy with the
    // right seq there (see entryAt).
    private final JournalEntry[] ring;
    // The address id of each ring slot, beside the ring, so that a query reads entries only
    // for the addresses it wants. Appends leave ids to the next query, which assigns them
    // under the lock of addressIds: appends stay cheap, and the work is done once per entry.
    private final int[] addressIdOf;
    private final AddressIds addressIds = new AddressIds();
    // Guarded by addressIds (written by queries) and the write lock. Every held entry with a
    // seq up to this one has its address id in addressIdOf.
    private long indexedSeq;
    private final Lock readLock;
    private final Lock writeLock;

    // Guarded by the lock. The buffer holds seqs latestSeq - count + 1 .. latestSeq, the oldest at head.
    private int head;
    private int count;
    private long latestSeq;
    private Snapshot snapshot;
    private long snapshotsTaken;
    private boolean closed;

    private final StatsRecorder stats = new StatsRecorder();

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
        this.addressIdOf = new int[capacity];
        StampedLock lock = new StampedLock();
        this.readLock = lock.asReadLock();
        this.writeLock = lock.asWriteLock();
        this.followers = new FollowHub(toString(), new RingSource(), 0, null);
        this.followers.skipsIdleCommits();
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
        // The hot path of a router: no lambda. A closed journal answers Closed to any argument.
        long seq;
        writeLock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new JournalException.Closed("journal is closed"));
            }
            Validation.entry(entry);
            seq = latestSeq + 1;
            int tail = index(count);
            if (count == ring.length) {
                forgetAddressId(latestSeq - count + 1, tail);
                head = index(1);
            } else {
                count++;
            }
            ring[tail] = entry;
            latestSeq = seq;
            // Under the write lock, so that the hub hears of commits in seq order. It only queues
            // the entry (it never reads the ring nor calls a subscriber here), which matters
            // because the StampedLock is not reentrant. With nobody following there is nothing
            // to queue: a stream that starts later reads the ring first, and takes this lock to
            // do so, so it cannot miss the entry.
            if (followers.anyoneFollowing()) {
                JournalEntry stored = entry.withSeq(seq);
                ring[tail] = stored;
                followers.committed(List.of(stored));
            }
        } catch (JournalException e) {
            stats.failed(e);
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            JournalException failure = new JournalException.Storage("unexpected failure in memory journal", e);
            stats.failed(failure);
            return CompletableFuture.failedFuture(failure);
        } finally {
            writeLock.unlock();
        }
        return CompletableFuture.completedFuture(seq);
    }

    /** Releases the address id of the entry with {@code seq} in {@code slot}, which is leaving; under the write lock. */
    private void forgetAddressId(long seq, int slot) {
        if (seq <= indexedSeq) {
            addressIds.release(addressIdOf[slot]);
        }
    }

    /**
     * Gives the entries appended since the last query their address ids, then answers the
     * pattern for every id; null when most entries have an address of their own, where
     * matching each entry costs no more. Under the read lock.
     */
    private boolean[] wantedAddressIds(AddressPattern pattern) {
        synchronized (addressIds) {
            long oldest = latestSeq - count + 1;
            for (long seq = Math.max(indexedSeq + 1, oldest); seq <= latestSeq; seq++) {
                int slot = index((int) (seq - oldest));
                addressIdOf[slot] = addressIds.acquire(ring[slot].address());
            }
            indexedSeq = latestSeq;
            return addressIds.distinct() <= count / 2 ? addressIds.matching(pattern) : null;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The pattern is matched once per distinct address held, not once per entry, and only
     * the entries at matching addresses are read; where most entries have an address of their
     * own, each entry is matched instead.
     */
    @Override
    public CompletableFuture<List<JournalEntry>> query(JournalQuery query) {
        return read(() -> {
            Validation.query(query);
            int max = query.maxResults().orElse(Integer.MAX_VALUE);
            List<JournalEntry> out = new ArrayList<>(Math.min(max, Math.min(count, 256)));
            boolean[] wanted = wantedAddressIds(query.addressPattern());
            long oldest = latestSeq - count + 1;
            if (query.isDescending()) {
                for (int i = count - 1; i >= 0 && out.size() < max; i--) {
                    addIfMatches(query, i, oldest, wanted, out);
                }
            } else {
                for (int i = 0; i < count && out.size() < max; i++) {
                    addIfMatches(query, i, oldest, wanted, out);
                }
            }
            stats.read(out.size());
            return Collections.unmodifiableList(out);
        });
    }

    /**
     * Adds the entry at {@code offset} from the head if it matches; {@code wanted}, if given,
     * answers the pattern by address id. Under the read lock.
     */
    private void addIfMatches(JournalQuery query, int offset, long oldest, boolean[] wanted,
            List<JournalEntry> out) {
        int slot = index(offset);
        // Matching reads neither the seq nor anything a copy changes: only matches are copied.
        if (wanted == null) {
            if (query.matches(ring[slot])) {
                out.add(entryAt(offset, oldest));
            }
        } else if (wanted[addressIdOf[slot]] && query.matchesTimeAndType(ring[slot])) {
            out.add(entryAt(offset, oldest));
        }
    }

    /**
     * The entry at {@code offset} from the head, with its seq; under the read or the write lock.
     *
     * <p>A slot that still holds the caller's entry gets the copy with the right seq, so that
     * each entry is copied once, by the first read that returns it. Readers may store the same
     * slot at once under the shared read lock: each stores an equal copy, and a record's fields
     * are final, so any reader that sees either copy sees it whole. Appends, which take the
     * exclusive lock, never run meanwhile.
     */
    private JournalEntry entryAt(int offset, long oldest) {
        int slot = index(offset);
        JournalEntry e = ring[slot];
        long seq = oldest + offset;
        if (e.seq() != seq) {
            e = e.withSeq(seq);
            ring[slot] = e;
        }
        return e;
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
                out.add(entryAt(i, oldest));
            }
            stats.read(n);
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
            snapshotsTaken++;
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
                int slot = index(i);
                forgetAddressId(oldest + i, slot);
                ring[slot] = null;
            }
            head = index(removed);
            count -= removed;
            return (long) removed;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Folds under the read lock, so appends wait for it. Only the latest snapshot is kept:
     * a seq below it is folded from the entries alone, and fails with
     * {@link JournalException.Truncated} once any of them was evicted or compacted.
     */
    @Override
    public CompletableFuture<Snapshot> stateAt(long seq) {
        return read(() -> StateFold.fold(new RingView(), seq, StateFold.PAGE_SIZE));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread and returns a completed future. The fold reads the latest
     * seq and the ring under the read lock, so appends wait for it (for at most the ring's
     * capacity of entries); the snapshot is then stored under the write lock, unless a
     * snapshot at a higher seq was stored in between. Only the latest snapshot is kept, so a
     * ring that evicted entries its snapshot does not cover fails with
     * {@link JournalException.Truncated}: take checkpoints more often than the ring fills.
     */
    @Override
    public CompletableFuture<Snapshot> checkpoint() {
        return read(() -> StateFold.fold(new RingView(), latestSeq, StateFold.PAGE_SIZE))
                .thenCompose(state -> write(() -> {
                    Snapshot taken = new Snapshot(state.seq(), Micros.now(), state.params());
                    if (snapshot == null || snapshot.seq() <= taken.seq()) {
                        snapshot = taken;
                        snapshotsTaken++;
                    }
                    return taken;
                }));
    }

    /** The ring as {@link StateFold} reads it; used under the read lock, which the fold holds throughout. */
    private final class RingView implements StateFold.View<RuntimeException> {
        @Override
        public StateFold.Bounds bounds() {
            return new StateFold.Bounds(latestSeq, latestSeq - count + 1);
        }

        @Override
        public Optional<Snapshot> newestSnapshotAtOrBelow(long seq) {
            return snapshot != null && snapshot.seq() <= seq ? Optional.of(snapshot) : Optional.empty();
        }

        @Override
        public List<JournalEntry> setsBetween(long afterSeq, long throughSeq, int max) {
            long oldest = latestSeq - count + 1;
            int start = offsetOf(afterSeq + 1, oldest);
            int end = offsetOf(throughSeq + 1, oldest);
            List<JournalEntry> out = new ArrayList<>();
            for (int i = start; i < end && out.size() < max; i++) {
                if (ring[index(i)].isSet()) {
                    out.add(entryAt(i, oldest));
                }
            }
            return out;
        }
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

    /**
     * {@inheritDoc}
     *
     * <p>A memory journal stores each write on its own: it reports no commits, no commit times
     * and no queue, and batches of one. It takes the read lock for an instant to read the seq
     * counter, so it waits at most for one append.
     */
    @Override
    public JournalStats stats() {
        readLock.lock();
        try {
            return stats.memorySnapshot(latestSeq, latestSeq + snapshotsTaken);
        } finally {
            readLock.unlock();
        }
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
                    if (query == null || query.matches(ring[index(i)])) {
                        JournalEntry e = entryAt(i, oldest);
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
            stats.failed(e);
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            JournalException failure = new JournalException.Storage("unexpected failure in memory journal", e);
            stats.failed(failure);
            return CompletableFuture.failedFuture(failure);
        } finally {
            lock.unlock();
        }
    }
}
