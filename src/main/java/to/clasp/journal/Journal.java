package to.clasp.journal;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import to.clasp.journal.internal.util.Validation;

/**
 * An append-only journal of SET and PUBLISH entries, with snapshots for fast recovery.
 *
 * <h2>Contract shared by every implementation</h2>
 * <ul>
 *   <li><b>Sequence numbers</b> start at 1 and are dense: successful appends get 1, 2, 3, ...,
 *       and a number is never reused, not after eviction, compaction or reopening a file. The
 *       seq a caller puts in an entry is ignored.</li>
 *   <li><b>Order</b>: appends made from one thread get seqs in call order. A reader never sees
 *       entry N+1 without entry N, unless N was compacted or evicted.</li>
 *   <li><b>Patterns</b> are {@link AddressPattern}s; every backend selects exactly the entries
 *       {@link AddressPattern#matches(String)} selects.</li>
 *   <li><b>Errors</b>: no method but {@link #close()} throws. Every failure arrives through the
 *       returned future as a {@link JournalException}: bad arguments as
 *       {@link JournalException.InvalidInput} (and the journal is unchanged), calls after
 *       {@link #close()} as {@link JournalException.Closed}.</li>
 *   <li><b>Threads</b>: a journal may be used from any number of threads at once.</li>
 *   <li><b>Values</b> read back equal to what was written, on every backend.</li>
 * </ul>
 */
public interface Journal extends AutoCloseable {

    /**
     * Appends an entry and assigns it the next sequence number.
     *
     * <p>The entry's own {@code seq} is ignored. The address must start with {@code /}; the
     * timestamp and, for a SET, the revision must not be negative. When the future completes
     * normally the entry is stored (on a durable backend, committed).
     *
     * @param entry the entry to append
     * @return a future of the assigned seq; it fails with {@link JournalException.InvalidInput}
     *     for a null or malformed entry, {@link JournalException.Closed} after {@link #close()},
     *     or another {@link JournalException} if storing fails
     */
    CompletableFuture<Long> append(JournalEntry entry);

    /**
     * Returns the entries that match a query, in ascending seq order (descending if the query
     * says so), at most {@code query}'s limit of them.
     *
     * @param query the query
     * @return a future of an unmodifiable list; it fails with
     *     {@link JournalException.InvalidInput} for a null query
     */
    CompletableFuture<List<JournalEntry>> query(JournalQuery query);

    /**
     * Returns the entries that match the given filters, in ascending seq order; the positional
     * form of {@link #query(JournalQuery)}, as in the Rust crate.
     *
     * @param pattern the address pattern, not null or empty
     * @param from the inclusive lower time bound in microseconds, or null for none
     * @param to the inclusive upper time bound in microseconds, or null for none
     * @param limit the maximum number of entries, or null for none; not negative
     * @param types the signal types to keep; null or empty for every type
     * @return a future of an unmodifiable list; it fails with
     *     {@link JournalException.InvalidInput} for a null or empty pattern, a negative limit or
     *     a null type
     */
    default CompletableFuture<List<JournalEntry>> query(String pattern, Long from, Long to,
            Integer limit, Collection<SignalType> types) {
        JournalQuery query;
        try {
            query = Validation.positionalQuery(pattern, from, to, limit, types);
        } catch (JournalException e) {
            return CompletableFuture.failedFuture(e);
        }
        return query(query);
    }

    /**
     * Returns the entries with a seq greater than {@code seq}, in ascending seq order.
     *
     * @param seq the last seq already seen; 0 for everything
     * @param limit the maximum number of entries, or null for none; not negative
     * @return a future of an unmodifiable list; it fails with
     *     {@link JournalException.InvalidInput} for a negative limit
     */
    CompletableFuture<List<JournalEntry>> since(long seq, Integer limit);

    /**
     * Returns the highest sequence number ever assigned, 0 for a new journal. It does not go
     * down when entries are evicted or compacted.
     *
     * @return a future of the latest seq
     */
    CompletableFuture<Long> latestSeq();

    /**
     * Saves a state snapshot, taken at the current {@link #latestSeq()}.
     *
     * <p>Snapshots are ordered with appends: every append whose future completed before this
     * call gets a seq at or below the snapshot's seq, and every append called after this method
     * returned gets a greater one. Recovery relies on this to replay exactly the entries the
     * snapshot does not cover.
     *
     * @param state the params' states
     * @return a future of the snapshot's seq (the latest seq when it was taken); it fails with
     *     {@link JournalException.InvalidInput} for a null list or a null element
     */
    CompletableFuture<Long> snapshot(List<ParamSnapshot> state);

    /**
     * Loads the params of the most recent snapshot.
     *
     * @return a future of the params, or empty if no snapshot was saved; it fails with
     *     {@link JournalException.Snapshot} if the stored snapshot is corrupt
     */
    CompletableFuture<Optional<List<ParamSnapshot>>> loadSnapshot();

    /**
     * Loads the most recent snapshot with its seq and creation time.
     *
     * @return a future of the snapshot, or empty if none was saved; it fails with
     *     {@link JournalException.Snapshot} if the stored snapshot is corrupt
     */
    CompletableFuture<Optional<Snapshot>> latestSnapshot();

    /**
     * Removes every entry with a seq less than {@code beforeSeq}. {@link #latestSeq()} is not
     * affected, and removed seqs are never assigned again.
     *
     * <p>Ordered with appends by what it removes, not by when it completes: it never removes an
     * entry appended after this call, whatever {@code beforeSeq} says, but an append called
     * after it need not wait for it, and may complete first. A compaction that fails or is
     * stopped part-way has removed a prefix of what it would have removed.
     *
     * @param beforeSeq the first seq to keep
     * @return a future of the number of entries removed
     */
    CompletableFuture<Long> compact(long beforeSeq);

    /**
     * Returns the number of entries held.
     *
     * @return a future of the count
     */
    CompletableFuture<Long> size();

    /**
     * Tells whether the journal holds no entries.
     *
     * @return a future of {@code true} if {@link #size()} is 0
     */
    default CompletableFuture<Boolean> isEmpty() {
        return size().thenApply(n -> n == 0);
    }

    /**
     * Follows the journal: the entries that match {@code query} with a seq greater than
     * {@code afterSeq}, the stored ones first, then new ones as they commit, for as long as the
     * subscriber wants them. Each {@link Flow.Publisher#subscribe subscribe} starts a stream of
     * its own; nothing is read before the subscriber requests entries.
     *
     * <ul>
     *   <li><b>Exactly once, in order</b>: every matching entry with a seq greater than
     *       {@code afterSeq} is delivered once, in ascending seq order, with no gap and no
     *       duplicate where the stream passes from stored entries (read in pages) to new ones,
     *       however fast other threads append. The query's pattern, types and time bounds
     *       filter as in {@link #query(JournalQuery)}; its limit ends the stream with
     *       {@code onComplete} after that many entries.</li>
     *   <li><b>Backpressure</b>: never more entries than requested. A stream keeps at most a
     *       bounded buffer of new entries for a slow subscriber (4,096, or one commit's worth
     *       up to 1,024); past it, the stream drops back to reading the journal's storage when
     *       the subscriber asks for more.</li>
     *   <li><b>Gone entries</b>: if entries the stream still has to deliver were evicted or
     *       compacted, it ends with {@link JournalException.Truncated}, naming the first seq
     *       missed and the oldest seq held; an entry is never skipped silently. A stream that
     *       cannot tell whether the removed entries matched its query ends with it too.</li>
     *   <li><b>Ending</b>: {@link #close()} ends every stream with
     *       {@link JournalException.Closed}; {@link Flow.Subscription#cancel()} ends one stream
     *       and frees what it held. A failed read ends the stream with the journal's
     *       {@link JournalException}.</li>
     *   <li><b>Threads</b>: the subscriber's methods are called one at a time, on the journal's
     *       own daemon threads, never on the thread that appends or commits; a subscriber that
     *       blocks stalls only its own stream.</li>
     * </ul>
     *
     * @param query what to follow; a {@link JournalQuery#descending() descending} query is
     *     rejected
     * @param afterSeq the last seq already seen; 0 for everything the journal holds
     * @return a publisher of the entries; its {@code subscribe} throws
     *     {@link NullPointerException} for a null subscriber and otherwise never throws. A null
     *     or descending query or a negative {@code afterSeq} ends the stream with
     *     {@link JournalException.InvalidInput}, and a closed journal with
     *     {@link JournalException.Closed}, each through {@code onError} after {@code onSubscribe}
     */
    Flow.Publisher<JournalEntry> follow(JournalQuery query, long afterSeq);

    /**
     * Returns the params' state as of {@code seq}: exactly what
     * {@code RouterJournalHook.recover} would build into an empty {@code InMemoryParamStore}
     * from this journal cut at {@code seq}.
     *
     * <ul>
     *   <li><b>Start</b>: the snapshot taken last among the kept snapshots with a seq at or
     *       below {@code seq} (older snapshots than the newest serve while they are kept, see
     *       the backends' {@code snapshotsToKeep}); with none, the empty state. A snapshot at
     *       seq 0 (taken before any append) counts, so {@code stateAt(0)} is that snapshot's
     *       state, or empty.</li>
     *   <li><b>Then</b> the SET entries after the snapshot's seq, up to and including
     *       {@code seq}, in seq order; a SET without a revision is skipped and PUBLISH entries
     *       change nothing. Per address the highest revision wins; of equal revisions the one
     *       applied first (the snapshot's, then the lower seq) stays.</li>
     *   <li><b>Result</b>: {@link Snapshot#seq()} is {@code seq}; the params are sorted by
     *       address, one per address; {@link Snapshot#createdAt()} is the createdAt of the
     *       snapshot the state started from, or 0 when it started from the empty state (so
     *       the same call gives an equal result every time).</li>
     *   <li><b>Consistency</b>: the snapshot and the entries are read from one consistent
     *       state of the storage (one read transaction, or the journal's lock), so appends,
     *       snapshots and compactions running meanwhile cannot mix into the result.</li>
     *   <li><b>Threads</b>: may be called from any thread. The backends of this library read on
     *       the calling thread, a bounded page of entries at a time, and return a completed
     *       future; a {@link MemoryJournal} and an in-memory {@link SqliteJournal} hold back
     *       appends meanwhile.</li>
     * </ul>
     *
     * @param seq the seq to fold up to, from 0 to {@link #latestSeq()}
     * @return a future of the state, never null. It fails with
     *     {@link JournalException.InvalidInput} for a negative seq or one above
     *     {@link #latestSeq()}; with {@link JournalException.Truncated} when entries after the
     *     starting snapshot, up to {@code seq}, were compacted or evicted (it names the first
     *     seq needed and the oldest seq held); with {@link JournalException.Snapshot} if the
     *     starting snapshot is corrupt; with {@link JournalException.Serialization} or
     *     {@link JournalException.Integrity} if an entry read is; with
     *     {@link JournalException.Closed} after {@link #close()}; or with
     *     {@link JournalException.Storage} if reading fails
     */
    CompletableFuture<Snapshot> stateAt(long seq);

    /**
     * Computes the journal's own state at its highest committed seq and stores it as a
     * snapshot at that seq: what {@link #snapshot(List)} stores, but folded by the journal from
     * its own newest snapshot and the SETs after it (the rules of {@link #stateAt(long)}), so
     * that it is right however many writers share the storage (a cluster of routers on one
     * PostgreSQL schema, several processes on one SQLite file), where no single writer's params
     * are the whole state.
     *
     * <ul>
     *   <li><b>Seq</b>: the checkpoint covers every append whose future completed before this
     *       call, and every entry any other writer had committed by then; the state and the seq
     *       come from one consistent read of the storage, so no entry at or below the seq is
     *       missing from the state.</li>
     *   <li><b>Stored</b>: with an HMAC key the row is signed as {@link #snapshot(List)} signs
     *       it, and only the newest snapshots are kept, as after {@link #snapshot(List)}.
     *       Snapshots stay in seq order: if a snapshot at a higher seq was stored meanwhile (by
     *       another writer), this one is not stored, and the future still gets the state it
     *       computed; if the newest stored snapshot is already at the seq, the state is that
     *       snapshot's. Recovery and compaction up to the returned seq are safe either way.</li>
     *   <li><b>Result</b>: {@link Snapshot#seq()} is the seq covered, {@link Snapshot#createdAt()}
     *       when the checkpoint was stored (microseconds since the epoch), the params one per
     *       address, sorted by address; equal to {@code stateAt(seq)} but for createdAt, and,
     *       when stored, to what {@link #latestSnapshot()} reports next.</li>
     *   <li><b>Appends</b> on a durable backend are not held back while the state is computed:
     *       the fold runs off the writer, and only the row is written in turn with the appends
     *       (a {@link MemoryJournal} folds under its lock, as {@link #stateAt(long)} does).</li>
     *   <li><b>Threads</b>: may be called from any thread; the backends say where the work
     *       runs.</li>
     * </ul>
     *
     * @return a future of the checkpoint. It fails with {@link JournalException.Storage} on a
     *     read-only journal or if storing fails (nothing is stored then); with
     *     {@link JournalException.Truncated} when entries the fold needs were compacted or
     *     evicted past the newest snapshot; with {@link JournalException.Snapshot},
     *     {@link JournalException.Serialization} or {@link JournalException.Integrity} when a
     *     snapshot or entry read is corrupt; and with {@link JournalException.Closed} after
     *     {@link #close()}
     */
    CompletableFuture<Snapshot> checkpoint();

    /**
     * Returns what this journal has done since it was opened: appends, commits and their batch
     * sizes and times, the writer's queue depth, reads, failures and rejected calls (see
     * {@link JournalStats} for what each figure counts).
     *
     * <p>Cheap enough to call often (for a metrics registry, every few seconds, or after each
     * benchmark run): it reads counters that the journal keeps as it works, never storage, and
     * keeping them costs an append nothing measurable. Thread-safe; it never blocks on a running
     * commit, never throws, and still answers after {@link #close()}, with the final figures.
     *
     * @return an immutable snapshot of the figures
     */
    JournalStats stats();

    /**
     * Closes the journal: appends already accepted are completed (committed, or failed), then
     * every later call fails with {@link JournalException.Closed}. It returns once every
     * accepted operation's future is completed, and never waits for callbacks chained on those
     * futures to return, so it may be called under a lock that such a callback needs. Calling
     * it again has no effect.
     */
    @Override
    void close();
}
