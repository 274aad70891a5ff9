package to.clasp.journal.internal.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import to.clasp.journal.internal.sql.IntegrityScan;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SignedLog;
import to.clasp.journal.internal.sql.SqlRows;

/**
 * The entry chain of a signed {@link to.clasp.journal.PostgresJournal}, as its writer ({@link PostgresWriteBackend}) writes it,
 * and the PostgreSQL side of {@link SignedLog}: creating the record at open, signing under the
 * counter lock, moving the low-water mark with each chunk of a compaction, and reading in one
 * state of the database.
 *
 * <h2>Many writers, one chain</h2>
 * Every write transaction on a schema holds the counter row's lock until it ends (see
 * {@link to.clasp.journal.PostgresJournal}), so the writers take turns, and each links its first entry to the
 * newest one committed before it. Reading that link costs a round trip, so a writer remembers
 * where its own last commit left the chain and signs the next group for that head; the group's
 * statement ({@link PostgresSchema#appendGroupChained}) moves the counter only if it is still
 * there. When another journal appended in between, the statement writes nothing, and the
 * group is signed again for the head read under the lock ({@link PostgresSchema#chainHead}).
 * A single writer thus commits a group in two round trips, as without a key.
 *
 * <h2>Failures</h2>
 * What a transaction signed becomes the remembered head only once it committed (or the writer
 * found its rows after an in-doubt COMMIT); after a rollback, a lost connection or a COMMIT
 * whose outcome is unknown, the head is forgotten and read again under the lock. A group that
 * did not commit left no row, and the next one links to whatever is newest then, so no failure
 * leaves a broken chain.
 *
 * <p>The writer's methods run on the writer thread only; {@link #inSnapshot} and
 * {@link #reads} on any thread.
 */
public final class PostgresChain {

    private final SignedLog log;
    private final PostgresSchema schema;
    /** Where the chain stood after this writer's last commit; null when unknown. */
    private SignedLog.Link head;
    /** Where the chain stands inside the open transaction; null when it has signed nothing. */
    private SignedLog.Link pending;

    public PostgresChain(SignedLog log, PostgresSchema schema) {
        this.log = log;
        this.schema = schema;
    }

    SignedLog log() {
        return log;
    }

    // ---------------------------------------------------------------- opening

    /**
     * Finds or creates the integrity record ({@link SignedLog#establishInTransaction}) in one
     * transaction under the counter lock, so that no seq or snapshot id is assigned meanwhile
     * and two journals opening at once do not both create it.
     */
    public static void establish(Connection c, PostgresSchema schema, SignedLog log) throws SQLException {
        PostgresSchema.inTransaction(c, () -> {
            try (Statement st = c.createStatement()) {
                st.executeQuery(schema.lockCounter).close();
            }
            log.establishInTransaction(c);
        });
    }

    // ---------------------------------------------------------------- writing (writer thread)

    /**
     * Writes a group of appends with their entry_macs, linked to the chain's head, in the
     * writer's open transaction; returns the new {@code last_seq}.
     *
     * @param entries the appends, in order
     * @param columns {@link PostgresSchema#appendGroup}'s ten arrays for them
     */
    long appendGroup(Connection c, List<SqlRows.EncodedEntry> entries, Array[] columns) throws SQLException {
        boolean fresh = head == null;
        SignedLog.Link link = fresh ? lockHead(c) : head;
        int n = entries.size();
        try (PreparedStatement ps = c.prepareStatement(schema.appendGroupChained)) {
            while (true) {
                String[] macs = new String[n];
                SignedLog.Link next = link;
                for (int i = 0; i < n; i++) {
                    macs[i] = SqlRows.entryMac(entries.get(i), next);
                    next = new SignedLog.Link(next.keyedFrom(), next.seq() + 1, macs[i]);
                }
                ps.setInt(1, n);
                ps.setLong(2, link.seq() - 1);
                ps.setInt(3, n);
                for (int i = 0; i < columns.length; i++) {
                    ps.setArray(4 + i, columns[i]);
                }
                ps.setArray(4 + columns.length, c.createArrayOf("text", macs));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        pending = next;
                        return rs.getLong(1);
                    }
                }
                if (fresh) {
                    throw new SQLException("the counter of " + schema.schema()
                            + ".journal_seq moved while this transaction held its lock");
                }
                // Another journal appended since this one's last commit.
                fresh = true;
                link = lockHead(c);
            }
        }
    }

    /**
     * Starts a transaction that writes appends and snapshots in queue order: locks the counter
     * and reads the head, before {@link PostgresSchema#reserve}.
     */
    void beginInOrder(Connection c) throws SQLException {
        pending = lockHead(c);
    }

    /**
     * The entry_mac of the next append of a {@link #beginInOrder} transaction, which the
     * writer stores at {@code seq}.
     *
     * @throws SQLException if {@code seq} is not the one the chain's head comes to
     */
    String nextEntryMac(SqlRows.EncodedEntry entry, long seq) throws SQLException {
        if (pending.seq() != seq) {
            throw new SQLException("the entry chain's head is at seq " + pending.seq() + ", not " + seq);
        }
        String mac = SqlRows.entryMac(entry, pending);
        pending = new SignedLog.Link(pending.keyedFrom(), seq + 1, mac);
        return mac;
    }

    /** The data_mac of a snapshot written in the open transaction. */
    String snapshotMac(Connection c, long createdAt, long seqAt, SqlRows.EncodedSnapshot snapshot)
            throws SQLException {
        return log.mac().snapshotMac(SignedLog.snapshotsFrom(c, schema.integrity), createdAt, seqAt,
                snapshot.dataJson(), snapshot.dataExact());
    }

    /** The open transaction committed (or its rows were found after an in-doubt COMMIT). */
    void committed() {
        if (pending != null) {
            head = pending;
        }
        pending = null;
    }

    /** The open transaction did not commit, or may not have: the head is read again next time. */
    void abandoned() {
        head = null;
        pending = null;
    }

    /** Takes the counter lock, then reads the head (see {@link PostgresSchema#chainHead} for why in two statements). */
    private SignedLog.Link lockHead(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement(schema.lockCounter)) {
            lock.executeQuery().close();
        }
        try (PreparedStatement ps = c.prepareStatement(schema.chainHead)) {
            return SignedLog.nextLink(ps);
        }
    }

    // ---------------------------------------------------------------- compacting

    /**
     * Deletes one chunk of a compaction in a transaction of its own that also moves the
     * low-water mark to the first entry kept, so that what is left still verifies; the record
     * is locked first, so that two compactions move it in turn.
     *
     * @param delete {@link PostgresSchema#compactChunk}, with its parameters bound
     * @return the rows deleted and the highest seq deleted (0 for none)
     * @throws JournalException.Integrity if the record is missing or does not verify
     */
    long[] compactChunk(Connection c, PreparedStatement delete) throws SQLException {
        c.setAutoCommit(false);
        try {
            SignedLog.Record rec = log.recordToMove(c);
            long[] done = new long[2];
            String link;
            try (ResultSet rs = delete.executeQuery()) {
                rs.next();
                done[0] = rs.getLong(1);
                done[1] = rs.getLong(2);
                link = rs.getString(3);
            }
            if (rec != null && done[0] > 0) {
                log.moveLowWater(c, rec, done[1] + 1, link);
            }
            c.commit();
            return done;
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /** Work done on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one REPEATABLE READ, read-only transaction on {@code c}, which is in
     * auto-commit mode, and leaves it so: the integrity record, the rows and the links a
     * verified read checks are then one state of the database, whatever compacts meanwhile.
     * {@code work} may end the transaction itself.
     */
    public static <T> T inSnapshot(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            beginSnapshot(c);
            T result = work.run(c);
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return result;
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** Makes the transaction {@code c} starts next a REPEATABLE READ, read-only one. */
    public static void beginSnapshot(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(PostgresSchema.READ_SNAPSHOT);
        }
    }

    /**
     * A verifier's statements on {@code c}: each is closed with its result set, so a read
     * leaves none behind on a pooled connection.
     */
    public static SignedLog.Reads reads(Connection c) {
        return sql -> {
            PreparedStatement ps = c.prepareStatement(sql);
            ps.closeOnCompletion();
            return ps;
        };
    }

    /** {@link to.clasp.journal.PostgresJournal#verifyIntegrity()}: each page of entries in a state of its own. */
    public static long verify(Connection c, SignedLog log) throws SQLException {
        return inSnapshot(c, conn -> IntegrityScan.run(log, reads(conn), false, () -> {
            conn.commit();
            beginSnapshot(conn);
        }));
    }
}
