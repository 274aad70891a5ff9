package to.clasp.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import to.clasp.journal.internal.sql.EntryMac;
import to.clasp.journal.internal.follow.FollowHub;
import to.clasp.journal.internal.follow.FollowSource;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.internal.sql.JournalLifecycle;
import to.clasp.journal.internal.sql.JournalOptions;
import to.clasp.journal.internal.postgres.PostgresChain;
import to.clasp.journal.internal.postgres.PostgresCheckpoint;
import to.clasp.journal.internal.postgres.PostgresCompaction;
import to.clasp.journal.internal.postgres.PostgresListener;
import to.clasp.journal.internal.postgres.PostgresPools;
import to.clasp.journal.internal.postgres.PostgresSchema;
import to.clasp.journal.internal.postgres.PostgresStateAt;
import to.clasp.journal.internal.postgres.PostgresWriteBackend;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.sql.SqlSelect;
import to.clasp.journal.internal.stats.StatsRecorder;
import to.clasp.journal.internal.util.Validation;

/**
 * A journal in a PostgreSQL database, which several journals (several routers, in several
 * processes on several machines) can share: each appends to the same tables, and each reads
 * what all of them wrote.
 *
 * <pre>{@code
 * try (PostgresJournal journal = PostgresJournal.open(dataSource)) {   // the router's pool
 *     long seq = journal.append(JournalEntry.fromSet("/lights/a", Value.of(0.5), 1, "me", nowMicros)).join();
 * }
 * }</pre>
 *
 * <h2>Seqs across writers</h2>
 * Seqs are unique, dense and increasing across every journal on the same schema, and a reader
 * that follows with {@code since(lastSeen)} never skips an entry that becomes visible later. The
 * trap this avoids: where a seq is taken from a sequence or an identity column, transaction A
 * can take seq 5, transaction B seq 6, and B commit first; a reader then sees 6, remembers it,
 * and never sees 5 when A commits. Here, every write transaction starts by updating the one row
 * of {@code journal_seq} (reserving as many seqs as it has appends) and holds that row lock until
 * it commits or rolls back. So:
 * <ol>
 *   <li>Write transactions that append run one at a time, in the order they take the lock; a
 *       transaction's seqs are all above those of every transaction that committed before it
 *       took the lock, because under READ COMMITTED its UPDATE waits for the lock and then reads
 *       the committed counter.</li>
 *   <li>PostgreSQL marks a transaction committed (visible to new snapshots) before it releases its
 *       locks. So when a transaction holding seqs N.. commits, every lower seq was committed
 *       before it could even take the lock: a snapshot that sees N also sees every seq below N
 *       (unless compacted). A reader never sees N+1 without N, so {@code since} never skips.</li>
 *   <li>A transaction that rolls back undoes its counter update too, so its seqs are taken by
 *       the next one: no gaps. {@code latestSeq()} reads the counter, the highest seq ever
 *       assigned, which compaction never lowers.</li>
 * </ol>
 * The lock is cheap because each journal commits its appends in groups: its writer (the
 * writer thread, or a caller that waits for its append while nothing is being committed, as on
 * SQLite) takes every waiting append (up to {@link Builder#maxBatchSize(int)}) into one
 * transaction, so the lock is taken once per group, held for a few round trips, and a busy
 * router's appends wait for it together.
 *
 * <h2>Writing</h2>
 * An append's future completes once its transaction is committed; callbacks chained to it
 * run on a journal thread, never on the one that committed it. A lost
 * connection or a server restart fails the affected futures with {@link JournalException.Storage}
 * and changes nothing; the writer takes a new connection for the next group, so the journal
 * recovers by itself when the server is back. Should the connection break during COMMIT itself,
 * the writer looks at the seqs the transaction had taken and completes the futures as the rows
 * there say; only if it cannot tell does the failure say that the outcome is unknown. Nothing is retried behind the caller's back, so
 * nothing is written twice. Snapshots are written by the same writer, in call order relative to
 * appends; their state is checked and encoded off the caller's thread. Compaction runs beside the writer, in chunks of {@value #COMPACTION_CHUNK} rows per
 * transaction, each starting where the one before it ended (so that the work per chunk does not
 * grow with the rows deleted before it), and takes no lock that appends wait for.
 *
 * <h2>Reading</h2>
 * Reads take a connection from the data source on the calling thread and their futures are
 * already complete when the method returns. Patterns are pushed into SQL with exactly
 * {@link AddressPattern}'s meaning: an exact address is an equality, a literal prefix a range on
 * the byte-ordered ({@code COLLATE "C"}) address index, never {@code LIKE}, and every candidate
 * of a range is checked with the matcher. Where rows must be checked and a limit may stop early,
 * they are fetched in chunks through a cursor, so the limit stops reading early.
 *
 * <h2>Storage</h2>
 * The SQLite format's columns in a schema of their own (see {@link Builder#schema(String)}),
 * created if absent: {@code value_json} holds the Rust crate's JSON, the exact value sits beside
 * it where that JSON loses something, and {@code hmac} is the Rust crate's MAC; with a key,
 * entries also form the SQLite format's chain and snapshots carry its MACs (see
 * {@link Builder#hmacKey(byte[])} and {@link #verifyIntegrity()}). PostgreSQL text
 * cannot hold the character U+0000, so addresses and authors holding U+0000 or U+0001 are stored
 * with those two escaped, in a way that keeps their order and prefixes (see docs/postgresql.md).
 *
 * <h2>Read-only and existing journals</h2>
 * {@link Builder#readOnly(boolean)} opens a journal for inspection: it creates and changes
 * nothing (not even the counter row), the schema's tables must already exist, and
 * {@link #append}, {@link #snapshot}, {@link #checkpoint} and {@link #compact} fail with
 * {@link JournalException.Storage} saying that the journal is read-only; a database user that
 * may only read the tables can open it. {@link Builder#createIfAbsent(boolean) createIfAbsent(false)}
 * opens an existing journal for writing and creates nothing either. When the tables are missing,
 * opening fails with {@code Storage} whose cause is an {@link java.sql.SQLException} with
 * PostgreSQL's SQLSTATE: {@code 3F000} (no such schema) or {@code 42P01} (no such table).
 *
 * <h2>Errors and threads</h2>
 * The journal is thread-safe. Opening throws {@link JournalException.Storage}; every other method
 * but {@link #close()} reports failures through its future only: {@code Storage} for database
 * failures, {@code Serialization} for an entry that cannot be decoded, {@code Snapshot} for a
 * corrupt snapshot, {@code Integrity}, {@code InvalidInput}, and {@code Closed} after
 * {@link #close()}.
 */
public final class PostgresJournal implements Journal {

    /** Default for {@link Builder#schema(String)}. */
    public static final String DEFAULT_SCHEMA = "clasp_journal";

    /** Default for {@link Builder#snapshotsToKeep(int)}. */
    public static final int DEFAULT_SNAPSHOTS_TO_KEEP = 3;

    /** Default for {@link Builder#maxBatchSize(int)}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 1024;

    /**
     * The largest {@link Builder#maxBatchSize(int)}: 65,536 writes per commit, with up to 64
     * batches' worth waiting (a larger size would overflow the writer's queue capacity).
     */
    public static final int MAX_BATCH_SIZE = 1 << 16;

    /** Rows deleted per transaction by {@link #compact(long)}. */
    static final int COMPACTION_CHUNK = 10_000;

    private final String name;
    private final DataSource dataSource;
    private final AutoCloseable ownedPool;
    private final PostgresSchema schema;
    /**
     * The Rust crate's MACs, checked row by row when there is no {@link #signedLog}: only for a
     * schema older than the chain opened read-only with a key. Null otherwise.
     */
    private final EntryMac mac;
    /** The chain's rules with a key (see docs/integrity.md); null without one. */
    private final SignedLog signedLog;
    private final PostgresCompaction compaction;
    /** Null when read-only. */
    private final GroupCommitWriter writer;
    /** The maintenance thread: compactions and checkpoints, one at a time, off the writer. */
    private final ExecutorService compactor;
    private final FollowHub followers;
    /** Listens for other journals' commits; started by the first {@link #follow}. */
    private PostgresListener listener;
    private final StatsRecorder stats = new StatsRecorder();
    private final JournalLifecycle lifecycle;

    private PostgresJournal(Builder b, DataSource dataSource, AutoCloseable ownedPool) {
        this.schema = new PostgresSchema(b.schema);
        this.name = "postgresql:" + b.schema;
        this.lifecycle = new JournalLifecycle(name);
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        JournalOptions options = b.options;
        EntryMac keyMac = options.hmacKey() == null ? null : new EntryMac(options.hmacKey());
        SignedLog log = null;
        long latest;
        try (Connection c = dataSource.getConnection()) {
            if (options.readOnly() || !b.createIfAbsent) {
                schema.requireTables(c);
            }
            if (!options.readOnly()) {
                schema.create(c);
            }
            if (keyMac != null && schema.hasIntegrityTables(c)) {
                log = new SignedLog(keyMac, IntegrityMode.CHAIN, schema.integrity, PostgresSchema::fromStored);
                if (!options.readOnly()) {
                    PostgresChain.establish(c, schema, log);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(schema.latestSeq); ResultSet rs = ps.executeQuery()) {
                latest = rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException | RuntimeException e) {
            throw new JournalException.Storage(name + ": cannot open the journal: " + e.getMessage(), e);
        }
        this.signedLog = log;
        this.mac = log == null ? keyMac : null;
        PostgresChain chain = log == null || options.readOnly() ? null : new PostgresChain(log, schema);
        this.writer = options.readOnly() ? null : PostgresWriteBackend.start(dataSource, schema, name,
                options.maxBatchSize(), options.snapshotsToKeep(), chain);
        this.compaction = new PostgresCompaction(name, dataSource, schema, chain, COMPACTION_CHUNK, lifecycle::isClosed, stats);
        // Other journals' commits arrive through LISTEN/NOTIFY (changed()), this one's from the writer.
        this.followers = new FollowHub(name, new StorageSource(), latest, null);
        if (writer != null) {
            writer.onCommit(followers::committed);
            writer.recordStatsIn(stats);
        }
        ThreadPoolExecutor c = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "clasp-journal-pg-compact");
                    t.setDaemon(true);
                    return t;
                });
        c.allowCoreThreadTimeOut(true);
        this.compactor = c;
    }

    /**
     * Opens the journal in the default schema ({@value #DEFAULT_SCHEMA}) of the database behind
     * {@code dataSource}, creating its tables if absent. Same as {@code builder(dataSource).build()}.
     *
     * @param dataSource the router's connection pool (HikariCP, say); the journal holds one of
     *     its connections for its writer and borrows others for reads, and never closes it
     * @return the open journal; close it when done
     * @throws NullPointerException if {@code dataSource} is null
     * @throws JournalException.Storage if the database cannot be reached or the tables cannot be
     *     created
     */
    public static PostgresJournal open(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /**
     * Opens the journal in the default schema of the database at {@code jdbcUrl}, with a
     * connection pool of its own (HikariCP when it is on the class path, otherwise the driver's
     * unpooled data source), closed with the journal. Same as
     * {@code builder(jdbcUrl, user, password).build()}.
     *
     * @param jdbcUrl a {@code jdbc:postgresql:} URL
     * @param user the user name, or null to use the URL's
     * @param password the password, or null to use the URL's
     * @return the open journal; close it when done
     * @throws NullPointerException if {@code jdbcUrl} is null
     * @throws JournalException.Storage if the database cannot be reached or the tables cannot be
     *     created
     */
    public static PostgresJournal open(String jdbcUrl, String user, String password) {
        return builder(jdbcUrl, user, password).build();
    }

    /**
     * Starts configuring a journal on a data source the caller owns.
     *
     * @param dataSource as for {@link #open(DataSource)}
     * @return a builder with the default options
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null, null, null);
    }

    /**
     * Starts configuring a journal with a connection pool of its own.
     *
     * @param jdbcUrl as for {@link #open(String, String, String)}
     * @param user the user name, or null
     * @param password the password, or null
     * @return a builder with the default options
     * @throws NullPointerException if {@code jdbcUrl} is null
     */
    public static Builder builder(String jdbcUrl, String user, String password) {
        return new Builder(null, Objects.requireNonNull(jdbcUrl, "jdbcUrl"), user, password);
    }

    /** Options for opening a {@link PostgresJournal}. Not thread-safe; each setter returns this builder. */
    public static final class Builder {
        private final DataSource dataSource;
        private final String jdbcUrl;
        private final String user;
        private final String password;
        private final JournalOptions options =
                new JournalOptions(DEFAULT_SNAPSHOTS_TO_KEEP, DEFAULT_MAX_BATCH_SIZE, MAX_BATCH_SIZE);
        private String schema = DEFAULT_SCHEMA;
        private boolean createIfAbsent = true;

        private Builder(DataSource dataSource, String jdbcUrl, String user, String password) {
            this.dataSource = dataSource;
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.password = password;
        }

        /**
         * Sets the schema that holds the journal's tables; {@value PostgresJournal#DEFAULT_SCHEMA}
         * by default. Journals that share a schema share one journal.
         *
         * @param schema a lowercase identifier: a letter or {@code _}, then letters, digits and
         *     {@code _}, at most 55 characters; not starting with {@code pg_}, not
         *     {@code information_schema} and not a reserved SQL key word such as {@code user}
         * @return this builder
         * @throws IllegalArgumentException if {@code schema} is null or not such a name
         */
        public Builder schema(String schema) {
            if (!PostgresSchema.isValidSchemaName(schema)) {
                throw new IllegalArgumentException("a schema name must be a lowercase identifier of at most"
                        + " 55 characters ([a-z_][a-z0-9_]*): " + schema);
            }
            String reserved = PostgresSchema.reservedSchemaName(schema);
            if (reserved != null) {
                throw new IllegalArgumentException(reserved + ": choose another schema name");
            }
            this.schema = schema;
            return this;
        }

        /**
         * Sets the HMAC-SHA256 key that signs every entry and snapshot written and verifies every
         * one read, as for {@link SqliteJournal.Builder#hmacKey(byte[])}: the Rust crate's MACs,
         * the entry chain, snapshot MACs and the signed record (table {@code journal_integrity}),
         * with the same guarantees (docs/integrity.md). Every journal sharing the schema must use
         * the same key: entries and snapshots written without it once signing began fail the
         * checks. Opening a schema an earlier version created for writing adds the chain's
         * columns; its rows count as written before signing began.
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
         * Sets how many snapshots are kept: each snapshot deletes all but the newest {@code n}
         * (of every journal on the schema). {@value PostgresJournal#DEFAULT_SNAPSHOTS_TO_KEEP}
         * by default.
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
         * {@value PostgresJournal#DEFAULT_MAX_BATCH_SIZE} by default, at most
         * {@value PostgresJournal#MAX_BATCH_SIZE}.
         *
         * @param n from 1 to {@link PostgresJournal#MAX_BATCH_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is out of that range
         */
        public Builder maxBatchSize(int n) {
            options.maxBatchSize(n);
            return this;
        }

        /**
         * Opens the journal for reading only (off by default): opening creates and changes
         * nothing, the schema's tables must exist, and {@code append}, {@code snapshot} and
         * {@code compact} fail with {@link JournalException.Storage}. Reads, an HMAC key's
         * checks and {@link PostgresJournal#follow following} (entries any other journal
         * commits) work as usual. The batch and snapshot options do not apply.
         *
         * @param readOnly whether to open the journal for reading only
         * @return this builder
         */
        public Builder readOnly(boolean readOnly) {
            options.readOnly(readOnly);
            return this;
        }

        /**
         * Sets whether opening creates the schema, tables and indexes when they are absent (the
         * default). With {@code false}, opening a schema that holds no journal fails and creates
         * nothing, so a mistyped schema name or database does not start an empty journal.
         * A {@link #readOnly(boolean) read-only} journal never creates them, whatever this says.
         *
         * @param create whether to create the tables when they are absent
         * @return this builder
         */
        public Builder createIfAbsent(boolean create) {
            this.createIfAbsent = create;
            return this;
        }

        /**
         * Opens the journal, creating its schema, tables and indexes if absent (unless
         * {@link #readOnly(boolean)} or {@link #createIfAbsent(boolean) createIfAbsent(false)}
         * say otherwise).
         *
         * @return the open journal; close it when done
         * @throws JournalException.Storage if the database cannot be reached, the tables cannot
         *     be created, or they are absent and may not be created (a pool opened for a URL is
         *     closed again then)
         */
        public PostgresJournal build() {
            if (dataSource != null) {
                return new PostgresJournal(this, dataSource, null);
            }
            PostgresPools.Pool pool = PostgresPools.open(jdbcUrl, user, password);
            try {
                return new PostgresJournal(this, pool.dataSource(), pool.closer());
            } catch (RuntimeException e) {
                PostgresPools.closeQuietly(pool.closer());
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * {@inheritDoc}
     *
     * <p>The value is encoded on the calling thread; the future completes once the entry is
     * committed, by the writer thread or, if the caller waits for it with {@code join()} or
     * {@code get()} while nothing is being committed, by the caller itself; callbacks chained
     * before then run on a journal thread. It fails with {@link JournalException.Storage} if the
     * database rejects the entry or cannot be reached.
     */
    @Override
    public CompletableFuture<Long> append(JournalEntry entry) {
        try {
            ensureOpen();
            Validation.entry(entry);
            ensureWritable("append");
            return writer.append(SqlRows.encode(entry, signedLog != null ? signedLog.mac() : mac));
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The snapshot takes its place among this journal's writes when this method is called:
     * its seq is read under the counter lock in the transaction of the writes queued before it,
     * so it is exactly the highest seq committed by any journal on the schema by then (this
     * journal's earlier appends included), and never covers an append called after it. The
     * state is copied here (a list the caller changes afterwards changes nothing), then checked
     * and encoded on another thread while the writes queued behind the snapshot go on; its row is
     * written once encoded, so this method returns at once even for a large state. A state that
     * fails the checks fails the future with {@link JournalException.InvalidInput} and writes
     * nothing. Snapshots are stored in call order.
     */
    @Override
    public CompletableFuture<Long> snapshot(List<ParamSnapshot> state) {
        try {
            ensureOpen();
            if (state == null) {
                Validation.snapshot(state); // fails as every backend does for a null state
            }
            ensureWritable("take a snapshot");
            return writer.snapshot(state, signedLog == null ? null : signedLog.mac());
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Ordered with appends: it covers what was committed when this journal's earlier appends
     * were, and never removes an entry committed after that (this journal's later appends
     * among them), whatever {@code beforeSeq} says. Rows are deleted beside later appends, in
     * transactions of {@value #COMPACTION_CHUNK}, none of which holds up an append.
     * {@link #close()} stops a compaction under way after its current transaction: the future
     * then fails with {@link JournalException.Closed}, whose message says how many entries were
     * removed; those stay removed, and a later compaction removes the rest.
     */
    @Override
    public CompletableFuture<Long> compact(long beforeSeq) {
        try {
            ensureWritable("compact");
        } catch (JournalException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Long> result = new CompletableFuture<>();
        writer.barrier().whenComplete((latest, error) -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause instanceof JournalException.Closed) {
                result.completeExceptionally(compaction.closedBeforeStart(beforeSeq));
                return;
            }
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            // Entries committed after the call (this journal's later appends among them) stay.
            long bound = Math.min(beforeSeq, latest + 1);
            try {
                compactor.execute(() -> compaction.run(bound, result));
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(compaction.closedBeforeStart(bound));
            }
        });
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the journal's maintenance thread, which also runs its compactions, under the
     * schema's maintenance lock (an advisory lock, on a connection of its own): checkpoints and
     * compactions of every journal on the schema take turns, so a checkpoint that waited for
     * another's starts from the snapshot that one stored. The fold is one REPEATABLE READ,
     * read-only transaction that reads the counter and the rows: every write transaction holds
     * the counter row's lock from its first statement until it commits, and PostgreSQL makes a
     * transaction visible before it releases its locks, so a snapshot that sees the counter at
     * {@code N} sees every transaction that took a seq up to {@code N}. The server picks, of the
     * SETs after the starting snapshot, the one per address the fold keeps (the highest revision,
     * the first applied of equal ones), so only as many rows as addresses are sent and decoded.
     * The row is then written by the writer in turn with this journal's appends, under the
     * counter lock only for the insert, as a snapshot is. Appends never wait for the fold.
     */
    @Override
    public CompletableFuture<Snapshot> checkpoint() {
        try {
            ensureWritable("take a checkpoint");
        } catch (JournalException e) {
            stats.failed(e);
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Snapshot> result = new CompletableFuture<>();
        try {
            compactor.execute(() -> {
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(true);
                    result.complete(PostgresCheckpoint.take(c, schema, mac, signedLog, writer, lifecycle::isClosed, name));
                } catch (JournalException e) {
                    stats.failed(e);
                    result.completeExceptionally(e);
                } catch (SQLException | RuntimeException e) {
                    JournalException failure = new JournalException.Storage(name + ": the checkpoint failed: "
                            + e.getMessage(), e);
                    stats.failed(failure);
                    result.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new JournalException.Closed("the journal " + name + " is closed"));
        }
        return result;
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
            ensureOpen();
            Validation.query(query);
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
        int limit = query.maxResults().orElse(-1);
        SqlSelect plan = schema.select(PostgresSchema.plan(query));
        String sql = signedLog == null ? plan.sql() : schema.withPreviousMac(plan.sql());
        AddressPattern pattern = query.addressPattern();
        return readEntries("query failed", c -> {
            if (limit == 0) {
                return List.of();
            }
            List<JournalEntry> out = new ArrayList<>();
            // Rows a limit may never need: a cursor (a fetch size inside a transaction) lets the
            // limit stop the scan early. Otherwise every row is needed (or the SQL has the limit).
            boolean cursor = plan.recheck() && limit > 0;
            if (cursor) {
                c.setAutoCommit(false);
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (cursor) {
                    ps.setFetchSize(Math.min(1_000, Math.max(64, limit * 2)));
                }
                plan.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    SqlRows.Cursor rows = rows(rs, verifier(c));
                    while (rows.next()) {
                        if (plan.recheck()) {
                            String address = rows.address();
                            if (address != null && !pattern.matches(address)) {
                                continue;
                            }
                        }
                        out.add(rows.entry());
                        if (out.size() == limit) {
                            break;
                        }
                    }
                }
            } finally {
                if (cursor) {
                    c.commit();
                    c.setAutoCommit(true);
                }
            }
            return Collections.unmodifiableList(out);
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread; the returned future is already complete. Together with the
     * seq design above, {@code since(lastSeen, n)} in a loop sees every entry exactly once.
     */
    @Override
    public CompletableFuture<List<JournalEntry>> since(long seq, Integer limit) {
        try {
            ensureOpen();
            Validation.limit(limit);
        } catch (JournalException e) {
            return stats.failedFuture(e);
        }
        return readEntries("read failed", c -> {
            if (limit != null && limit == 0) {
                return List.of();
            }
            try (PreparedStatement ps = c.prepareStatement(signedLog == null ? schema.since : schema.sinceVerified)) {
                ps.setLong(1, seq);
                if (limit == null) {
                    ps.setNull(2, Types.BIGINT);
                } else {
                    ps.setLong(2, limit);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return Collections.unmodifiableList(rows(rs, verifier(c)).drainInto(new ArrayList<>()));
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Read from the counter row, so it is the highest seq any journal on the schema has
     * committed, and does not drop when entries are compacted. Runs on the calling thread.
     */
    @Override
    public CompletableFuture<Long> latestSeq() {
        return readLong(schema.latestSeq);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread; counts the rows.
     */
    @Override
    public CompletableFuture<Long> size() {
        return readLong(schema.count);
    }

    /**
     * What the journal's tables take on the server, and its snapshots, as the database reports
     * them: figures for inspection (the tool's {@code stats}), not for correctness.
     *
     * @param entriesTableBytes the entries table's size on disk, TOAST included, indexes not
     *     ({@code pg_table_size}); rows compaction deleted keep their space until (auto)vacuum
     *     makes it reusable, and the table only shrinks with {@code VACUUM FULL}
     * @param entriesIndexBytes the size of the entries table's indexes ({@code pg_indexes_size})
     * @param snapshotsTableBytes the snapshots table's size on disk, indexes included
     * @param snapshotCount the number of snapshots stored
     * @param newestSnapshotSeq the seq of the newest snapshot, empty when there is none
     * @param snapshotBytes the bytes the stored snapshots' data takes (both stored forms)
     */
    public record TableInfo(long entriesTableBytes, long entriesIndexBytes, long snapshotsTableBytes,
            long snapshotCount, OptionalLong newestSnapshotSeq, long snapshotBytes) {

        /**
         * Creates the figures.
         *
         * @param entriesTableBytes the entries table's size on disk, indexes not included
         * @param entriesIndexBytes the size of the entries table's indexes
         * @param snapshotsTableBytes the snapshots table's size on disk, indexes included
         * @param snapshotCount the number of snapshots stored
         * @param newestSnapshotSeq the seq of the newest snapshot, empty when there is none
         * @param snapshotBytes the bytes the stored snapshots' data takes
         * @throws NullPointerException if {@code newestSnapshotSeq} is null
         */
        public TableInfo {
            Objects.requireNonNull(newestSnapshotSeq, "newestSnapshotSeq");
        }
    }

    /**
     * Reads the {@link TableInfo figures} of the journal's tables. Runs on the calling thread;
     * the returned future is already complete. Also works read-only.
     *
     * @return a future of the figures; it fails with {@link JournalException.Storage} if they
     *     cannot be read and {@link JournalException.Closed} after {@link #close()}
     */
    public CompletableFuture<TableInfo> tableInfo() {
        return read("reading the table figures failed", c -> {
            try (PreparedStatement ps = c.prepareStatement(schema.tableInfo); ResultSet rs = ps.executeQuery()) {
                rs.next();
                long seq = rs.getLong(5);
                OptionalLong newest = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(seq);
                return new TableInfo(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), newest,
                        rs.getLong(6));
            }
        });
    }

    private CompletableFuture<Long> readLong(String sql) {
        return read("read failed", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs on the calling thread.
     */
    @Override
    public CompletableFuture<Optional<List<ParamSnapshot>>> loadSnapshot() {
        return latestSnapshot().thenApply(s -> s.map(Snapshot::params));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The newest snapshot any journal on the schema took. Runs on the calling thread.
     */
    @Override
    public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
        return readChecked("reading the snapshot failed", c -> {
            try (PreparedStatement ps = c.prepareStatement(schema.latestSnapshot);
                    ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(PostgresStateAt.snapshot(rs, verifier(c))) : Optional.<Snapshot>empty();
            }
        });
    }


    /**
     * {@inheritDoc}
     *
     * <p>In one REPEATABLE READ, read-only transaction (see {@link PostgresStateAt}). Runs on
     * the calling thread.
     */
    @Override
    public CompletableFuture<Snapshot> stateAt(long seq) {
        return read("reading the state failed", c -> PostgresStateAt.fold(c, schema, mac, signedLog, seq));
    }

    /**
     * Checks the whole journal with its key, as {@link SqliteJournal#verifyIntegrity()} checks a
     * file: every entry and the chain, page by page (each page in one REPEATABLE READ
     * transaction, so appends and compactions go on beside it), the integrity record, the
     * newest entry ever assigned (unless compaction removed it) and every snapshot kept. Runs on
     * the calling thread in time proportional to the journal; the returned future is already
     * complete. Also works read-only.
     *
     * @return a future with the number of entries checked. It fails with
     *     {@link JournalException.Integrity} naming the first entry that fails (seq 0 when the
     *     integrity record itself fails), {@link JournalException.Snapshot} for a snapshot that
     *     fails, {@link JournalException.Serialization} for an entry that cannot be decoded,
     *     {@link JournalException.InvalidInput} if the journal was opened without a key (or,
     *     read-only, on a schema a version without the chain wrote and no writer has opened
     *     since), {@link JournalException.Closed} after {@link #close()}, and
     *     {@link JournalException.Storage} if the database cannot be read.
     */
    public CompletableFuture<Long> verifyIntegrity() {
        if (signedLog == null && !lifecycle.isClosed()) {
            return CompletableFuture.failedFuture(new JournalException.InvalidInput("the journal " + name
                    + (mac == null ? " was opened without an HMAC key: there is nothing to verify with"
                            : " is in a schema without the entry chain's columns; open it once for writing"
                                    + " to add them")));
        }
        return read("verifying failed", c -> PostgresChain.verify(c, signedLog));
    }

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs a read on the calling thread with a connection from the data source; never throws. */
    private <T> CompletableFuture<T> read(String what, Read<T> body) {
        try {
            ensureOpen();
            try (Connection c = dataSource.getConnection()) {
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true);
                }
                return CompletableFuture.completedFuture(body.run(c));
            }
        } catch (JournalException e) {
            return stats.failedFuture(e);
        } catch (SQLException | RuntimeException e) {
            JournalException failure = new JournalException.Storage(name + ": " + what + ": " + e.getMessage(), e);
            return stats.failedFuture(failure);
        }
    }

    /**
     * A {@link #read} that, with a key, runs in one REPEATABLE READ transaction, so that the
     * record and the rows checked against it are one state ({@link PostgresChain#inSnapshot}).
     */
    private <T> CompletableFuture<T> readChecked(String what, Read<T> body) {
        return read(what, signedLog == null ? body : c -> PostgresChain.inSnapshot(c, body::run));
    }

    /** The checks of one read on {@code c}: null without a signed log. */
    private SignedLog.Verifier verifier(Connection c) {
        return signedLog == null ? null : signedLog.verifier(PostgresChain.reads(c));
    }

    /** The rows of an entry SELECT, checked by {@code verifier}, or by {@link #mac} row by row. */
    private SqlRows.Cursor rows(ResultSet rs, SignedLog.Verifier verifier) {
        return new SqlRows.Cursor(rs, false, verifier, mac, PostgresSchema::fromStored, null);
    }

    /** A {@link #readChecked} of entries for a caller, counted in {@link #stats()}. */
    private CompletableFuture<List<JournalEntry>> readEntries(String what, Read<List<JournalEntry>> body) {
        return stats.countRead(readChecked(what, body));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Counts this journal's own work only: appends other journals on the schema commit are
     * not in it. The writer keeps its figures on its thread, once per transaction; a read-only
     * journal reports reads, failures and rejections only.
     */
    @Override
    public JournalStats stats() {
        return stats.snapshot(writer == null ? 0 : writer.queued());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Appends made through this journal reach streams as they commit; entries that other
     * journals (other routers, other JVMs) commit to the schema are announced by PostgreSQL's
     * {@code LISTEN/NOTIFY} on a connection this journal takes from the data source at the first
     * call, and read once for all streams. Seqs become visible in seq order (see the class
     * description), so a stream never skips an entry that commits later. Stored entries are read
     * in pages, each in one repeatable-read transaction.
     */
    @Override
    public Flow.Publisher<JournalEntry> follow(JournalQuery query, long afterSeq) {
        synchronized (followers) {
            if (listener == null && !lifecycle.isClosed()) {
                listener = new PostgresListener(dataSource, schema.channel, followers::changed, name);
            }
        }
        return followers.publisher(query, afterSeq);
    }

    /** Reads pages for followers: the bounds and the rows in one consistent snapshot. */
    private final class StorageSource implements FollowSource {
        /** The most rows one read looks at, so that a sparse pattern cannot hold a reader long. */
        private static final int SCAN = 4_096;

        @Override
        public Page read(JournalQuery query, long afterSeq, int max) {
            ensureOpen();
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    PostgresChain.beginSnapshot(c);
                    Page page = page(c, query, afterSeq, max);
                    c.commit();
                    return page;
                } finally {
                    if (!c.getAutoCommit()) {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                }
            } catch (SQLException e) {
                throw new JournalException.Storage(name + ": reading entries to follow failed: "
                        + e.getMessage(), e);
            }
        }

        private Page page(Connection c, JournalQuery query, long afterSeq, int max) throws SQLException {
            long latest;
            long oldest;
            try (PreparedStatement ps = c.prepareStatement(schema.followBounds);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                latest = rs.getLong(1);
                oldest = rs.getLong(2);
                if (rs.wasNull()) {
                    oldest = latest + 1;
                }
            }
            // In the page's transaction: the record is read from the same state as the rows.
            SignedLog.Verifier verifier = verifier(c);
            if (latest > afterSeq && oldest > afterSeq + 1) {
                if (verifier != null) {
                    verifier.checkGap(afterSeq, latest, oldest > latest); // only compaction may cut a signed journal
                }
                throw new JournalException.Truncated(afterSeq + 1, oldest);
            }
            try (PreparedStatement ps = c.prepareStatement(signedLog == null ? schema.since : schema.sinceVerified)) {
                ps.setLong(1, afterSeq);
                ps.setLong(2, SCAN);
                try (ResultSet rs = ps.executeQuery()) {
                    return SqlRows.followPage(rows(rs, verifier), query, afterSeq, max, SCAN, latest);
                }
            }
        }

        @Override
        public long latestSeq() {
            ensureOpen();
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(schema.latestSeq);
                    ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            } catch (SQLException e) {
                throw new JournalException.Storage(name + ": reading the latest seq failed: "
                        + e.getMessage(), e);
            }
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes the journal: stops accepting calls (later ones fail with
     * {@link JournalException.Closed}), commits every append already accepted and completes its
     * future (if the server cannot be reached meanwhile, the appends left fail at once, rather
     * than each group waiting out the pool), stops a running compaction after its current chunk
     * (its future fails with {@link JournalException.Closed} saying how many entries it removed;
     * those stay removed, the rest stay), gives the writer's
     * connection back, and closes the pool if the journal opened it. The data source passed to {@link #open(DataSource)} is
     * left open. Safe to call from any thread, including a callback of one of this journal's
     * futures; calling it again has no effect.
     */
    @Override
    public void close() {
        if (!lifecycle.beginClose(writer == null || !writer.onCompletionThread())) {
            return;
        }
        try {
            if (writer != null) {
                writer.close();
            }
            PostgresListener l;
            synchronized (followers) {
                l = listener;
            }
            if (l != null) {
                l.close();
            }
            followers.close();
            compactor.shutdown();
            boolean interrupted = false;
            while (!compactor.isTerminated()) {
                try {
                    compactor.awaitTermination(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            PostgresPools.closeQuietly(ownedPool);
        } finally {
            lifecycle.closeDone();
        }
    }

    private void ensureOpen() {
        lifecycle.ensureOpen();
    }

    private void ensureWritable(String what) {
        lifecycle.ensureWritable(writer != null, what, "open it without readOnly(true) to write");
    }

    /** The writer's commit counter (for tests). */
    GroupCommitWriter writer() {
        return writer;
    }
}
