package to.clasp.journal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * always holds a contiguous run of seqs. Pattern queries match the pattern once per distinct
 * address held and read only the entries at matching addresses.
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
    // The address id of each ring slot, beside the ring so that a query reads entries only
    // for the addresses it wants.
    private final int[] addressIdOf;
    private final AddressIds addressIds = new AddressIds();
    private final Lock readLock;
    private final Lock writeLock;

    // Guarded by the lock. The buffer holds seqs latestSeq - count + 1 .. latestSeq, the oldest at head.
    private int head;
    private int count;
    private long latestSeq;
    private Snapshot snapshot;
    private boolean closed;

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
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        this.readLock = lock.readLock();
        this.writeLock = lock.writeLock();
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
            int id = addressIds.acquire(entry.address());
            if (count == ring.length) {
                addressIds.release(addressIdOf[tail]);
            }
            ring[tail] = entry.withSeq(seq);
            addressIdOf[tail] = id;
            if (count == ring.length) {
                head = index(1);
            } else {
                count++;
            }
            latestSeq = seq;
            return seq;
        });
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
            boolean[] wanted = addressIds.distinct() <= count / 2
                    ? addressIds.matching(query.addressPattern()) : null;
            if (query.isDescending()) {
                for (int i = count - 1; i >= 0 && out.size() < max; i--) {
                    addIfMatches(query, index(i), wanted, out);
                }
            } else {
                for (int i = 0; i < count && out.size() < max; i++) {
                    addIfMatches(query, index(i), wanted, out);
                }
            }
            return Collections.unmodifiableList(out);
        });
    }

    /** Adds the entry in {@code slot} if it matches; {@code wanted}, if given, answers the pattern by address id. */
    private void addIfMatches(JournalQuery query, int slot, boolean[] wanted, List<JournalEntry> out) {
        if (wanted == null) {
            JournalEntry e = ring[slot];
            if (query.matches(e)) {
                out.add(e);
            }
        } else if (wanted[addressIdOf[slot]]) {
            JournalEntry e = ring[slot];
            if (query.matchesTimeAndType(e)) {
                out.add(e);
            }
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
                int slot = index(i);
                ring[slot] = null;
                addressIds.release(addressIdOf[slot]);
            }
            head = index(removed);
            count -= removed;
            return (long) removed;
        });
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
    }

    @Override
    public String toString() {
        return "MemoryJournal[capacity=" + ring.length + "]";
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
