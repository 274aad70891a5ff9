package to.clasp.journal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import to.clasp.journal.internal.follow.FollowHub;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.internal.sql.IntegrityScan;
import to.clasp.journal.internal.sql.JournalLifecycle;
import to.clasp.journal.internal.sql.JournalOptions;
import to.clasp.journal.internal.sql.QueryPlan;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.sql.SqlSelect;
import to.clasp.journal.internal.sqlite.RecentEntries;
import to.clasp.journal.internal.sqlite.SqliteFileFigures;
import to.clasp.journal.internal.sqlite.SqliteFollowSource;
import to.clasp.journal.internal.sqlite.SqliteOpener;
import to.clasp.journal.internal.sqlite.SqliteQueryRunner;
import to.clasp.journal.internal.sqlite.SqliteReadPool;
import to.clasp.journal.internal.sqlite.SqliteRowReads;
import to.clasp.journal.internal.sqlite.SqliteSchema;
import to.clasp.journal.internal.sqlite.SqliteStateAt;
import to.clasp.journal.internal.stats.StatsRecorder;
import to.clasp.journal.internal.util.Validation;

/**
 * A durable journal in a SQLite file, or in memory; files are interchangeable with the Rust
 * crate's {@code SqliteJournal}.
 *
 * <pre>{@code
 * try (SqliteJournal journal = SqliteJournal.open(Path.of("journal.db"))) {
 *     long seq = journal.append(JournalEntry.fromSet("/lights/a", Value.of(0.5), 1, "me", nowMicros)).join();
 * }
 * }</pre>
 *
 * <h2>Writing</h2>
 * Writes are committed in groups, one group at a time, in the order they were called:
 * everything that is waiting goes into one transaction (up to the batch size), with no
 * artificial delay. A writer thread does this; but when a caller waits for its append with
 * {@code join()} or {@code get()} while nothing is being committed, the caller runs the group
 * itself, on its own thread, which saves two thread hand-offs per append. An append's future
 * completes once its transaction is committed (see {@link Durability} for what that survives).
 * An append whose value cannot be encoded fails at once, and one that fails in the database
 * fails alone: the rest of its group still commits. A future that something is chained to, or
 * that another thread waits for, when its group commits is completed on the journal's own
 * daemon threads (one per group whose callbacks are running), not on the thread that
 * committed it (the others have no code to run and are completed at once), so a callback
 * chained with a non-async method cannot stall the writer or a caller; still, keep blocking
 * work in the {@code …Async} methods. At most 65,536 writes wait (see
 * {@link Builder#maxBatchSize(int)}); beyond that, {@code append} waits for room, so a producer
 * faster than the disk is slowed down rather than filling the heap. On a file, a daemon thread
 * with a connection of its own copies the WAL into the file beside the commits (SQLite would
 * otherwise do it on the committing thread every 1,000 pages), so the WAL grows to about 40 MiB
 * under a steady load before it starts over.
 *
 * <p>When SQLite cannot take a write (a full disk, an I/O error), exactly the writes that were
 * not committed fail with {@link JournalException.Storage}; the writer rolls back, prepares its
 * statements again and holds no lock between batches, so writing works again as soon as the
 * cause is gone, and {@link #compact(long)} can make room on a full disk. If the file is
 * deleted, moved or replaced while open, every write from then on fails with {@code Storage}
 * naming the file, so that no append is acknowledged that the file at this path lacks.
 *
 * <h2>Reading</h2>
 * Reads run on the caller's thread, on a small pool of read connections, and their futures are
 * already complete when the method returns. On a file, the journal runs in WAL mode: reads see
 * the latest commit and never wait for the writer. In memory, reads and write transactions take
 * turns. Exact addresses and literal prefixes ({@code /a/b/**}, {@code /a/b/*}) are looked up on
 * the address index; other patterns are filtered with {@link AddressPattern}; a limit stops the
 * scan as soon as it is reached.
 *
 * <h2>Storage</h2>
 * The Rust crate's tables are kept as they are, and the value is stored as the Rust crate's JSON,
 * so a file written here can be read there. Where that JSON loses information (bytes, NaN and
 * the infinities) the exact value is also stored, in an extra nullable column, so every value
 * reads back unchanged here. Opening a file adds the missing nullable columns (including the
 * Rust crate's {@code hmac}); it changes nothing else. New files use incremental auto-vacuum, so
 * {@link #compact(long)} gives the space back; files created by the Rust crate do not, so there
 * compaction only makes room for later entries until {@link #vacuum()} converts the file.
 *
 * <h2>Following</h2>
 * {@link #follow(JournalQuery, long)} streams stored entries, then new ones: appends made
 * through this journal reach streams straight from the writer as they commit; entries other
 * processes commit to the file are found by a check of {@code sqlite_sequence} every
 * {@link Builder#followPollInterval(Duration) poll interval} while something follows.
 *
 * <h2>Integrity</h2>
 * With an {@link Builder#hmacKey(byte[]) HMAC key}, every entry written carries the Rust
 * crate's {@code hmac} (so the Rust crate verifies it too) and this library's
 * {@code entry_mac}, which covers every column, the seq and the {@code entry_mac} of the entry
 * before it; every snapshot carries a {@code data_mac}; a signed record in the file says from
 * which seq on entries must carry an {@code entry_mac} and where compaction cut the chain. Every
 * entry read is verified: a changed column or MAC, a MAC set to NULL, a forged, copied, moved or
 * reordered row, and a deleted entry (found by the entry after it) fail the read with
 * {@link JournalException.Integrity} naming the seq; an edited snapshot fails
 * {@link #latestSnapshot()} with {@link JournalException.Snapshot}. Entries written before the
 * file was first opened with a key (by the Rust crate, or without a key) get exactly the Rust
 * crate's check: {@code hmac} if present, nothing if not. {@link #verifyIntegrity()} checks the
 * whole file. No check inside the file can find a rollback of the whole file to an earlier
 * state, the newest entries cut off together with {@code sqlite_sequence}, or every trace of
 * this library's MACs removed at once (the file then reads as one the Rust crate wrote).
 * {@link IntegrityMode#ROW} reads, with the Rust crate's check only, a file it keeps writing.
 *
 * <h2>Read-only</h2>
 * {@link #openReadOnly(Path)} (or {@link Builder#readOnly(boolean)}) opens a file for
 * inspection only: it never creates, migrates or changes the file, a Rust file included, and
 * every write ({@link #append}, {@link #snapshot}, {@link #checkpoint}, {@link #compact},
 * {@link #vacuum}) fails with {@link JournalException.Storage} saying that the journal is
 * read-only. Reads see what other processes commit to the file meanwhile.
 *
 * <h2>Errors and threads</h2>
 * The journal is thread-safe. Opening throws {@link JournalException.Storage}; every other
 * method but {@link #close()} reports failures through its future only, as
 * {@link JournalException}s: {@code Storage} (naming the file) for SQLite failures,
 * {@code Serialization} for an entry that cannot be decoded (naming its seq; this includes an
 * unknown {@code signal_type}, which the Rust crate reads as an event), {@code Snapshot} for a
 * corrupt snapshot, {@code Integrity}, {@code InvalidInput}, and {@code Closed} after
 * {@link #close()}.
 */
public final class SqliteJournal implements Journal {

    /**
     * How much a committed append survives, on a file (in memory nothing survives the process).
     * Both run SQLite in WAL mode.
     */
    public enum Durability {
        /**
         * {@code synchronous=NORMAL}: a committed append survives a crash of the process; the
         * last commits before a power loss or operating-system crash may be lost (the file stays
         * consistent). Commits do not wait for the disk, so this is much faster. The default.
         */
        NORMAL,
        /**
         * {@code synchronous=FULL}: every commit is flushed to the disk before its futures
         * complete, so a committed append also survives a power loss.
         */
        FULL
    }

    /** Default for {@link Builder#snapshotsToKeep(int)}. */
    public static final int DEFAULT_SNAPSHOTS_TO_KEEP = 3;

    /** Default for {@link Builder#followPollInterval(Duration)}: 100 milliseconds. */
    public static final Duration DEFAULT_FOLLOW_POLL_INTERVAL = Duration.ofMillis(100);

    /** Default for {@link Builder#maxBatchSize(int)}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 16_384;

    /**
     * The largest {@link Builder#maxBatchSize(int)}: 65,536 writes per commit, with up to 4
     * batches' worth (262,144 writes) waiting.
     */
    public static final int MAX_BATCH_SIZE = 1 << 16;

    /**
     * How much of the file each read connection maps into memory by default (256 MiB): pages
     * beyond the cache are then read without a system call and a copy each, which matters
     * because a query's rows are spread over the file. See {@link Builder#memoryMapSize(long)}.
     */
    public static final long DEFAULT_MEMORY_MAP_SIZE = 256L << 20;

    private final String name;
    private final SignedLog signedLog;
    private final Path file;
    /** Null when read-only, like the writer. */
    private final Connection writeConnection;
    private final GroupCommitWriter writer;
    private final SqliteReadPool readers;
    private final FollowHub followers;
    private final StatsRecorder stats = new StatsRecorder();
    private final JournalLifecycle lifecycle;

    /** Read-only only: whether closing lets SQLite remove the -wal and -shm files. */
    private final boolean removeWalFilesOnClose;
    private final SqliteRowReads rows;
    /** The newest entries, kept for {@link #since}; null with a key or when read-only. */
    private final RecentEntries recent;

    private SqliteJournal(SqliteOpener.Opened opened) {
        this.name = opened.name();
        this.lifecycle = new JournalLifecycle(name);
        this.file = opened.file();
        this.signedLog = opened.signedLog();
        this.writeConnection = opened.writeConnection();
        this.writer = opened.writer();
        this.readers = opened.readers();
        this.removeWalFilesOnClose = opened.removeWalFilesOnClose();
        this.rows = new SqliteRowReads(signedLog);
        this.followers = new FollowHub(name, new SqliteFollowSource(name, readers, rows, this::ensureOpen),
                opened.latestSeq(), opened.followPollInterval());
        this.recent = opened.recent();
        if (writer != null) {
            writer.onCommit(recent == null ? followers::committed : entries -> {
                recent.committed(entries); // first: a reader told of these by a follower finds them
                followers.committed(entries);
            });
            writer.recordStatsIn(stats);
        }
    }

    /**
     * Opens the journal in {@code file} with the default options, creating the file if it does
     * not exist; an existing journal (also one written by the Rust crate) is migrated as
     * described above. Same as {@code builder(file).build()}.
     *
     * @param file the database file; its directory must exist and be writable
     * @return the open journal; close it when done
     * @throws NullPointerException if {@code file} is null
     * @throws JournalException.Storage naming the file and the reason, if it is not a SQLite
     *     database, holds a {@code journal_entries} table of another shape, or its directory is
     *     missing or not writable; nothing on disk is changed then
     */
    public static SqliteJournal open(Path file) {
        return builder(file).build();
    }

    /**
     * Opens an existing journal file for reading only, without an HMAC key. Same as
     * {@code builder(file).readOnly(true).build()}; see {@link Builder#readOnly(boolean)}.
     *
     * @param file an existing journal file, written by this library or the Rust crate
     * @return the open journal; close it when done
     * @throws NullPointerException if {@code file} is null
     * @throws JournalException.Storage naming the file and the reason, if it does not exist (it
     *     is not created), is not a SQLite database or holds no journal
     */
    public static SqliteJournal openReadOnly(Path file) {
        return builder(file).readOnly(true).build();
    }

    /**
     * Creates a journal held in memory, with the default options. It is gone when closed.
     *
     * @return the open journal; close it when done
     * @throws JournalException.Storage if SQLite cannot be started
     */
    public static SqliteJournal inMemory() {
        return new SqliteJournal(SqliteOpener.openMemory(new Builder(null).settings()));
    }

    /**
     * Starts configuring a journal in {@code file}.
     *
     * @param file the database file, as for {@link #open(Path)}
     * @return a builder with the default options
     * @throws NullPointerException if {@code file} is null
     */
    public static Builder builder(Path file) {
        return new Builder(Objects.requireNonNull(file, "file"));
    }

    /**
     * Options for opening a {@link SqliteJournal} file. Not thread-safe; each setter returns
     * this builder.
     */
    public static final class Builder {
        private final Path file;
        private final JournalOptions options =
                new JournalOptions(DEFAULT_SNAPSHOTS_TO_KEEP, DEFAULT_MAX_BATCH_SIZE, MAX_BATCH_SIZE);
        private IntegrityMode integrityMode = IntegrityMode.CHAIN;
        private Durability durability = Durability.NORMAL;
        private Duration followPollInterval = DEFAULT_FOLLOW_POLL_INTERVAL;
        private long memoryMapSize = DEFAULT_MEMORY_MAP_SIZE;

        private Builder(Path file) {
            this.file = file;
        }

        /**
         * Sets the HMAC-SHA256 key that signs every entry and snapshot written and verifies every
         * one read (see the class comment). The Rust crate takes the same 32-byte keys. The first
         * open with a key records, signed, that entries from then on are signed, unless the
         * file's newest Rust {@code hmac} does not verify with this key (then a wrong key cannot
         * tie the file to itself). From then on, write to the file with this key only: entries
         * written without it (or by the Rust crate), and compaction without it, fail
         * verification here, unless read in {@link #integrityMode(IntegrityMode) ROW} mode.
         *
         * @param key exactly 32 bytes, copied; or null for no key (the default)
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is not 32 bytes long
         */
        public Builder hmacKey(byte[] key) {
            options.hmacKey(key);
            return this;
        }

        /**
         * Sets what reads check with a key (see {@link IntegrityMode}): {@link IntegrityMode#CHAIN},
         * the default, or {@link IntegrityMode#ROW} for a file the Rust crate keeps writing with
         * the same key. Without a key nothing is checked in either mode.
         *
         * @param mode the mode, not null
         * @return this builder
         * @throws NullPointerException if {@code mode} is null
         */
        public Builder integrityMode(IntegrityMode mode) {
            this.integrityMode = Objects.requireNonNull(mode, "integrityMode");
            return this;
        }

        /**
         * Sets what a committed append survives; {@link Durability#NORMAL} by default.
         *
         * @param durability the mode, not null
         * @return this builder
         * @throws NullPointerException if {@code durability} is null
         */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Sets how many snapshots are kept: each {@link SqliteJournal#snapshot(List)} deletes
         * all but the newest {@code n}. {@value SqliteJournal#DEFAULT_SNAPSHOTS_TO_KEEP} by
         * default.
         *
         * @param n one or more
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is less than 1
         */
        public Builder snapshotsToKeep(int n) {
            options.snapshotsToKeep(n);
            return this;
        }

        /**
         * Sets the most writes committed in one transaction;
         * {@value SqliteJournal#DEFAULT_MAX_BATCH_SIZE} by default. The writer never waits for a
         * batch to fill: it takes what is waiting, up to this many, so the size only matters
         * when writes pile up (SQLite writes a large transaction much faster per entry, since it
         * writes each changed page once; the first writes of a large batch wait for all of it).
         * Up to 65,536 writes may wait for the writer before {@code append} waits for room (64
         * batches' worth if that is fewer, but at least 1,024; 4 batches' worth if that is more).
         *
         * @param n from 1 to {@value SqliteJournal#MAX_BATCH_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is out of that range
         */
        public Builder maxBatchSize(int n) {
            options.maxBatchSize(n);
            return this;
        }

        /**
         * Opens the file for reading only (off by default). A read-only journal never creates,
         * migrates or changes the file: the file must exist and hold a journal, a Rust file is
         * read as it is (missing columns read as NULL), and {@code append}, {@code snapshot},
         * {@code checkpoint}, {@code compact} and {@code vacuum} fail with {@code Storage}. An HMAC
         * key still verifies every entry read. The durability, snapshot and batch options do
         * not apply. As for any SQLite reader of a WAL file, SQLite may create the
         * {@code -wal} and {@code -shm} files beside it (empty of data) while the journal is
         * open, so the directory should be writable; the database file itself stays byte for
         * byte the same. When those two files were not there at opening, closing removes them
         * again, the way SQLite does when the last connection to a file closes: only when no
         * other connection (of any process) has the file open, and only where the file is
         * writable.
         *
         * @param readOnly whether to open the file for reading only
         * @return this builder
         */
        public Builder readOnly(boolean readOnly) {
            options.readOnly(readOnly);
            return this;
        }

        /**
         * Sets how often, while the journal is {@link SqliteJournal#follow followed}, it checks
         * whether another process (a second JVM, the Rust crate) committed entries to the file;
         * {@link SqliteJournal#DEFAULT_FOLLOW_POLL_INTERVAL} by default. The check reads one row
         * of {@code sqlite_sequence}. Appends made through this journal reach followers as they
         * commit, without waiting for it; entries from other processes arrive within about
         * this interval.
         *
         * @param interval a positive duration
         * @return this builder
         * @throws NullPointerException if {@code interval} is null
         * @throws IllegalArgumentException if {@code interval} is zero or negative
         */
        public Builder followPollInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("followPollInterval must be positive: " + interval);
            }
            this.followPollInterval = interval;
            return this;
        }

        /**
         * Sets how many bytes of the file each read connection maps into memory (SQLite's
         * {@code mmap_size}); {@link SqliteJournal#DEFAULT_MEMORY_MAP_SIZE} by default, and 0
         * reads through system calls only. Mapping makes queries whose rows are spread over the
         * file several times cheaper. Its price, as for any memory-mapped file: should the disk
         * fail to read a mapped page, or should a program other than SQLite shrink the file in
         * place while it is open, the JVM receives a signal and ends instead of this journal
         * reporting {@link JournalException.Storage}. Committed entries are not lost either way
         * (writes never go through the mapping). Set 0 where a read error must never end the
         * process.
         *
         * @param bytes 0 or more
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder memoryMapSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("memoryMapSize must be 0 or more: " + bytes);
            }
            this.memoryMapSize = bytes;
            return this;
        }

        /**
         * Opens the journal, as {@link SqliteJournal#open(Path)} describes, or read-only, as
         * {@link #readOnly(boolean)} describes.
         *
         * @return the open journal; close it when done
         * @throws JournalException.Storage as for {@link SqliteJournal#open(Path)}, and when
         *     read-only also if the file does not exist or holds no journal
         */
        public SqliteJournal build() {
            SqliteOpener.Settings settings = settings();
            return new SqliteJournal(options.readOnly() ? SqliteOpener.openFileReadOnly(settings)
                    : SqliteOpener.openFile(settings));
        }

        private SqliteOpener.Settings settings() {
            return new SqliteOpener.Settings(file, options.hmacKey(), integrityMode, durability,
                    options.maxBatchSize(), options.snapshotsToKeep(), followPollInterval, memoryMapSize);
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * {@inheritDoc}
     *
     * <p>The value is encoded on the calling thread; the future completes once the entry is
     * committed, by the writer thread or, if the caller waits for it with {@code join()} or
     * {@code get()} while nothing is being committed, by the caller itself; callbacks chained
     * before then run on a journal thread. It fails with {@link JournalException.Serialization} if the
     * value cannot be encoded and {@link JournalException.Storage} if SQLite rejects the entry.
     */
    @Override
    public CompletableFuture<Long> append(JournalEntry entry) {
        try {
            ensureWritable("append");
            Validation.entry(entry);
            return writer.append(SqlRows.encode(entry, signedLog == null ? null : signedLog.mac()));
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The snapshot takes its place among the writes when this method is called: its seq is
     * read by the writer in the transaction of the writes queued before it, so it is exactly the
     * seq of the last append called before it, and never covers an append called after it. The
     * state is copied here (a list the caller changes afterwards changes nothing), then checked
     * and encoded on another thread while the writes queued behind the snapshot go on; its row is
     * written once encoded, so this method returns at once even for a large state, and appends
     * never wait for the encoding. A state that fails the checks fails the future with
     * {@link JournalException.InvalidInput} and writes nothing. Snapshots are stored in call order.
     * Only the newest snapshots are kept (see {@link Builder#snapshotsToKeep(int)}).
     */
    @Override
    public CompletableFuture<Long> snapshot(List<ParamSnapshot> state) {
        try {
            ensureWritable("save a snapshot");
            if (state == null) {
                Validation.snapshot(state); // fails as every backend does for a null state
            }
            return writer.snapshot(state, signedLog == null ? null : signedLog.mac());
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Ordered with writes: it removes the entries below {@code beforeSeq} that the writes
     * queued before it left, and never an entry appended after this call, whatever
     * {@code beforeSeq} says. It runs on the writer thread as transactions of its own, each
     * removing a chunk of the oldest entries sized to take about two milliseconds (fewer while
     * the disk is full, so that compaction can free space on a full disk), and the writes and
     * snapshots queued after it run between those chunks: they wait for one chunk, not for the
     * compaction, and usually complete before it. When nothing has been written for 50 ms,
     * chunks share one transaction for up to 100 ms instead, which a write that arrives ends
     * after the chunk under way: it then waits for that commit (about 10 ms), and a compaction
     * of an idle journal takes a third of the time. Readers may see it half-way, always as a valid
     * journal (with an HMAC key, the signed low-water mark moves with each chunk). The future
     * completes after the last chunk and, on a file with incremental auto-vacuum (every file
     * created by this library), after the pages are given back to the file system and the WAL is
     * truncated. When writes ran beside the compaction, its end copies the WAL to its end
     * instead of truncating it, and the next write starts the WAL over in its file, which
     * keeps its size (SQLite cuts it back to 40 MiB): truncating it held those writes 15 to
     * 35 ms longer. Two compactions run one after the other, in call order. A {@code beforeSeq} of
     * 1 or less removes nothing.
     *
     * <p>{@link #close()} does not wait for a compaction under way: it stops it after its current
     * chunk (committing the chunks that share its transaction), and the future fails with
     * {@link JournalException.Closed}, whose message says how many entries were removed; those
     * stay removed, the rest stay, and a later compaction removes them.
     *
     * @return a future of the number of entries removed; it fails with
     *     {@link JournalException.Storage} if SQLite cannot delete (part-way: the message says
     *     how many entries were removed, and those stay removed), with
     *     {@link JournalException.Integrity} if the signed record does not verify (nothing is
     *     removed), and with {@link JournalException.Closed} when called after {@link #close()}
     *     or stopped by it. Thread-safe; never throws.
     */
    @Override
    public CompletableFuture<Long> compact(long beforeSeq) {
        try {
            ensureWritable("compact");
            return writer.compact(beforeSeq, signedLog);
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
    }

    /**
     * Rebuilds the file without its free pages and switches it to incremental auto-vacuum, so
     * that it gives space back now and {@link #compact(long)} gives it back from then on. This is
     * how a file the Rust crate created (with {@code auto_vacuum=NONE}, which never shrinks) is
     * converted; the Rust crate still reads it afterwards.
     *
     * <p>The vacuum runs on the writer thread, in order with appends, outside any transaction;
     * SQLite makes it atomic, so it never loses an entry, even if the process dies during it.
     * It waits for another process's write transaction to end (up to a minute), and takes time
     * and temporary disk space in proportion to the file. Unlike {@link #compact(long)}, it cannot
     * be cut into chunks (VACUUM is one statement that rewrites the whole file), so the writes
     * queued behind it wait for all of it, and for the checkpoint after it; they run as soon as
     * it is done. Run it when the journal is quiet. Readers are not blocked. Afterwards the WAL is checkpointed and truncated when no reader holds it, so
     * the file shrinks on disk at once; otherwise it shrinks at the next checkpoint.
     *
     * @return a future of the bytes given back: pages before minus pages after, times the page
     *     size (0 in memory and for a file without free pages); it fails with
     *     {@link JournalException.Storage} if SQLite cannot vacuum (the file is left as it was),
     *     if the journal is read-only, and with {@link JournalException.Closed} after
     *     {@link #close()}
     */
    public CompletableFuture<Long> vacuum() {
        try {
            ensureWritable("vacuum");
            return writer.vacuum();
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
    }

    /**
     * Figures about the database file, for inspection tools: its size and its WAL's, pages and
     * free pages, whether compaction shrinks it, and its snapshots.
     *
     * @param fileBytes the size of the database file in bytes (0 in memory)
     * @param walBytes the size of its {@code -wal} file in bytes (0 when there is none)
     * @param pageSize the page size in bytes
     * @param pageCount the number of pages the database holds, free pages included
     * @param freePages the number of pages that hold nothing; compaction on a file that cannot
     *     shrink leaves its pages here, for later entries to reuse
     * @param shrinksOnCompaction whether the file uses auto-vacuum (every file this library
     *     creates does; the Rust crate's files do not until {@link SqliteJournal#vacuum()})
     * @param snapshotCount the number of snapshots stored
     * @param newestSnapshotSeq the seq of the newest snapshot, empty when there is none
     * @param snapshotBytes the bytes the stored snapshots' data takes (both stored forms)
     */
    public record FileInfo(long fileBytes, long walBytes, int pageSize, long pageCount, long freePages,
            boolean shrinksOnCompaction, int snapshotCount, OptionalLong newestSnapshotSeq,
            long snapshotBytes) {

        /**
         * Creates the figures.
         *
         * @param fileBytes the size of the database file in bytes (0 in memory)
         * @param walBytes the size of its {@code -wal} file in bytes (0 when there is none)
         * @param pageSize the page size in bytes
         * @param pageCount the number of pages the database holds, free pages included
         * @param freePages the number of pages that hold nothing
         * @param shrinksOnCompaction whether the file uses auto-vacuum
         * @param snapshotCount the number of snapshots stored
         * @param newestSnapshotSeq the seq of the newest snapshot, empty when there is none
         * @param snapshotBytes the bytes the stored snapshots' data takes
         * @throws NullPointerException if {@code newestSnapshotSeq} is null
         */
        public FileInfo {
            Objects.requireNonNull(newestSnapshotSeq, "newestSnapshotSeq");
        }

        /**
         * The bytes in free pages: space compaction freed that the file still holds.
         *
         * @return {@code freePages * pageSize}
         */
        public long freeBytes() {
            return freePages * pageSize;
        }
    }

    /**
     * Reads the {@link FileInfo figures} of the database. Runs on the calling thread; the
     * returned future is already complete. Also works read-only.
     *
     * @return a future of the figures; it fails with {@link JournalException.Storage} if they
     *     cannot be read and {@link JournalException.Closed} after {@link #close()}
     */
    public CompletableFuture<FileInfo> fileInfo() {
        return read("reading the file figures failed", r -> SqliteFileFigures.read(r, file));
    }

    // ---------------------------------------------------------------- reading

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread; the returned future is already complete. With an HMAC key,
     * every entry returned is verified.
     */
    @Override
    public CompletableFuture<List<JournalEntry>> query(JournalQuery query) {
        try {
            ensureOpen(); // after close every call answers Closed, bad arguments included
            Validation.query(query);
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
        QueryPlan plan = SqliteSchema.plan(query);
        return readEntries("query failed", r -> {
            if (query.maxResults().orElse(-1) == 0) {
                return List.of();
            }
            // A query may run several statements (bounds, then rows): all see one state of the file.
            r.prepare(SqliteSchema.BEGIN_READ).execute();
            try {
                return SqliteQueryRunner.run(r, plan, this::select);
            } finally {
                r.prepare(SqliteSchema.COMMIT).execute();
            }
        });
    }

    /** A {@link SqliteQueryRunner.Rows}: reads, verifies and decodes the rows of a plan. */
    private long select(SqliteReadPool.Reader r, QueryPlan plan, int limit, List<JournalEntry> out)
            throws SQLException {
        SqlSelect select = SqliteSchema.select(plan);
        AddressPattern pattern = plan.query().addressPattern();
        PreparedStatement ps = rows.prepareEntries(r, select.sql());
        // Per statement: the record is then read in the same read transaction as the rows.
        SignedLog.Verifier verifier = rows.verifier(r);
        select.bind(ps);
        long scanned = 0;
        try (ResultSet rs = ps.executeQuery()) {
            SqlRows.Cursor cursor = rows.cursor(r, rs, verifier);
            while (cursor.next()) {
                scanned++;
                // Time bounds and types are in the SQL; the pattern is checked before decoding,
                // so that only entries returned are decoded (and verified). A NULL address (a
                // foreign file) is left for decode to report with its seq.
                if (select.recheck()) {
                    String address = cursor.address();
                    if (address != null && !pattern.matches(address)) {
                        continue;
                    }
                }
                out.add(cursor.entry());
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return scanned;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread; the returned future is already complete. With an HMAC key,
     * every entry returned is verified. Without one, a writable journal keeps its newest entries
     * (about 4,096, those of the file at open and then those it committed) in memory, and answers
     * from them when the file's newest seq is among them and nothing after {@code seq} was
     * compacted, which it checks with one two-seek statement: the same entries reading the rows
     * would return, without decoding them.
     */
    @Override
    public CompletableFuture<List<JournalEntry>> since(long seq, Integer limit) {
        try {
            ensureOpen();
            Validation.limit(limit);
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
        return readEntries("read failed", r -> {
            if (limit != null && limit == 0) {
                return List.of();
            }
            long max = limit == null ? -1L : limit.longValue();
            if (recent != null) {
                List<JournalEntry> kept = recent.since(r, seq, max);
                if (kept != null) {
                    return kept;
                }
            }
            return Collections.unmodifiableList(rows.since(r, seq, max));
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Read from SQLite's {@code sqlite_sequence}, which AUTOINCREMENT maintains, so it does
     * not drop when entries are compacted. Runs on the calling thread.
     */
    @Override
    public CompletableFuture<Long> latestSeq() {
        return readLong(SqliteSchema.LATEST_SEQ);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread; counts the rows, so it takes time in proportion to them.
     */
    @Override
    public CompletableFuture<Long> size() {
        return readLong(SqliteSchema.COUNT);
    }

    private CompletableFuture<Long> readLong(String sql) {
        return read("read failed", r -> {
            try (ResultSet rs = r.prepare(sql).executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Runs a read on the calling thread, with a pooled read connection; never throws. */
    private <T> CompletableFuture<T> read(String what, SqliteReadPool.Read<T> body) {
        JournalException failure;
        try {
            ensureOpen();
            return CompletableFuture.completedFuture(readers.read(body));
        } catch (JournalException e) {
            failure = e;
        } catch (SQLException e) {
            failure = storage(what, e);
        } catch (RuntimeException e) {
            failure = new JournalException.Storage(name + ": " + what + ": " + e, e);
        }
        return stats.failedFuture(failure);
    }

    /** A {@link #read} of entries for a caller, counted in {@link #stats()}. */
    private CompletableFuture<List<JournalEntry>> readEntries(String what,
            SqliteReadPool.Read<List<JournalEntry>> body) {
        return stats.countRead(read(what, body));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The writer's figures are kept on its thread once per transaction; a read-only journal
     * reports reads, failures and rejections only.
     */
    @Override
    public JournalStats stats() {
        return stats.snapshot(writer == null ? 0 : writer.queued());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread. The exact form of the values is used when stored, so bytes
     * and non-finite floats come back unchanged; a snapshot written by the Rust crate comes back
     * as its JSON says.
     */
    @Override
    public CompletableFuture<Optional<List<ParamSnapshot>>> loadSnapshot() {
        return latestSnapshot().thenApply(s -> s.map(Snapshot::params));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread.
     */
    @Override
    public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
        return read("reading the snapshot failed", r -> {
            try (ResultSet rs = r.prepare(SqliteSchema.LATEST_SNAPSHOT).executeQuery()) {
                return SqliteStateAt.snapshot(rs, rows.verifier(r));
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>In one read transaction on one read connection (see {@link SqliteStateAt}).
     */
    @Override
    public CompletableFuture<Snapshot> stateAt(long seq) {
        return read("reading the state failed", r -> SqliteStateAt.fold(r, signedLog, seq));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Taken in the two steps of {@link #snapshot(List)}: a mark among the writes fixes the
     * seq (the latest seq in its batch's write transaction: every write queued before, and all
     * other processes committed to the file); once the mark has committed, the state at that
     * seq is folded on a journal thread, in one read transaction on a read connection (in WAL
     * mode a read sees one commit, which holds every seq up to the mark's), then its row is
     * written in turn with the writes, after the rows of the snapshots taken before. Appends
     * never wait for the fold; on an in-memory database the read holds writes back while it
     * folds. {@link #close()} waits for a checkpoint whose mark it found.
     */
    @Override
    public CompletableFuture<Snapshot> checkpoint() {
        try {
            ensureWritable("take a checkpoint");
            AtomicReference<Snapshot> taken = new AtomicReference<>();
            return writer.checkpoint((seq, createdAt) -> foldCheckpoint(seq, createdAt, taken::set))
                    .thenApply(seq -> taken.get());
        } catch (JournalException e) {
            stats.failed(e);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A checkpoint's fold, on a journal thread (the read pool outlives the writer's last row). */
    private SqlRows.EncodedSnapshot foldCheckpoint(long seq, long createdAt, Consumer<Snapshot> taken) {
        JournalException failure;
        try {
            return SqliteStateAt.checkpoint(readers, signedLog, seq, createdAt, taken);
        } catch (JournalException e) {
            failure = e;
        } catch (SQLException e) {
            failure = storage("taking a checkpoint failed", e);
        }
        stats.failed(failure);
        throw failure;
    }

    /**
     * Checks the whole journal against its HMAC key: the full check for an operator, where a
     * read checks only what it returns. Every entry is checked as a read checks it (each column,
     * its seq and its link to the entry before, so no entry is missing between the first one
     * kept by compaction and the last), the newest seq ever assigned must still have its entry
     * (unless compaction removed it), and every snapshot kept must verify and decode. Entries
     * and snapshots the Rust crate wrote get the Rust crate's check. See the class comment for
     * what no check inside the file can find. With {@link IntegrityMode#ROW}, every entry gets
     * the Rust crate's check and nothing else is checked; snapshots must still decode.
     *
     * <p>Runs on the calling thread, reading page by page (appends go on meanwhile), and takes
     * time in proportion to the file; the returned future is already complete.
     *
     * @return a future with the number of entries checked. It fails with
     *     {@link JournalException.Integrity} naming the first entry that fails (seq 0 when the
     *     integrity record itself fails), {@link JournalException.Snapshot} for a snapshot that
     *     fails, {@link JournalException.Serialization} for an entry that cannot be decoded,
     *     {@link JournalException.InvalidInput} if the journal was opened without a key,
     *     {@link JournalException.Closed} after {@link #close()}, and
     *     {@link JournalException.Storage} if the file cannot be read.
     */
    public CompletableFuture<Long> verifyIntegrity() {
        if (signedLog == null && !lifecycle.isClosed()) {
            return CompletableFuture.failedFuture(new JournalException.InvalidInput(
                    "the journal " + name + " was opened without an HMAC key: there is nothing to verify with"));
        }
        return read("verifying failed", r -> IntegrityScan.run(signedLog, r, r.utf8Text(), () -> { }));
    }

    // ---------------------------------------------------------------- following

    /**
     * {@inheritDoc}
     *
     * <p>Appends made through this journal reach live streams as soon as they commit, straight
     * from the writer, without a read. A stream that is behind reads the file in pages, on a read
     * connection, each page in one read transaction. Entries other processes commit to the file
     * are found by a check every {@link Builder#followPollInterval(Duration) poll interval}
     * (only while something follows), read once for every stream. With an HMAC key, entries read
     * from the file are verified; one that fails ends the stream with
     * {@link JournalException.Integrity}.
     */
    @Override
    public Flow.Publisher<JournalEntry> follow(JournalQuery query, long afterSeq) {
        return followers.publisher(query, afterSeq);
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes the journal: stops accepting calls (later ones fail with
     * {@link JournalException.Closed}), commits or fails every operation already accepted and
     * completes its future, ends every {@link #follow follow} stream with
     * {@link JournalException.Closed}, then stops the writer and closes the database. It never
     * waits for subscribers to return, nor for callbacks chained on those futures (a future
     * whose turn comes after a callback still running is completed on another thread), so
     * closing under a lock that a callback needs cannot deadlock. Safe to call from any thread, including a callback of one of this
     * journal's futures; calling it again has no effect, and a call from another thread while
     * the first is running returns once the first is done.
     */
    @Override
    public void close() {
        // Another thread is closing: return only once it is done, as the contract says. That
        // thread never waits for callbacks, so a callback may wait for it.
        if (!lifecycle.beginClose(true)) {
            return;
        }
        try {
            if (writer != null) {
                writer.close();
            }
            followers.close();
            readers.close();
            if (writer != null) {
                writer.closeStatements();
                SqliteOpener.closeQuietly(writeConnection);
            }
            if (removeWalFilesOnClose) {
                SqliteOpener.removeWalFiles(name);
            }
        } finally {
            lifecycle.closeDone();
        }
    }

    // ---------------------------------------------------------------- helpers

    private void ensureOpen() {
        lifecycle.ensureOpen();
    }

    private void ensureWritable(String what) {
        lifecycle.ensureWritable(writer != null, what, "open it with SqliteJournal.open to write");
    }

    private JournalException.Storage storage(String what, SQLException e) {
        return new JournalException.Storage(name + ": " + what + ": " + e.getMessage(), e);
    }

    /** The read pool (for tests). */
    SqliteReadPool readers() {
        return readers;
    }

    /** The writer's commit counters (for tests). */
    GroupCommitWriter writer() {
        return writer;
    }
}
