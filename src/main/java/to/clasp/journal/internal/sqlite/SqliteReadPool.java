package to.clasp.journal.internal.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.sql.SignedLog;

/**
 * The read connections of a SQLite journal: opened on demand up to a maximum, each used by one
 * thread at a time, each with a small cache of prepared statements.
 *
 * <p>Reads run on the caller's thread. On a file in WAL mode they never wait for the writer: a
 * read sees the last commit before it started. An in-memory database has no WAL; its
 * connections share one cache with table locks, so there every read holds the shared side of
 * a lock whose exclusive side the writer holds around each transaction ({@code readLock},
 * null for files).
 *
 * <p><b>Connections that turned slow.</b> sqlite-jdbc locks a connection's native handle twice
 * for every call (a synchronized block, then a synchronized native method). When HotSpot
 * deoptimizes compiled code while it holds that lock, which happens while the JIT warms up,
 * it inflates the handle's monitor, and from then on every lock of that connection takes the
 * slow path: reads on it took about 45% longer, until HotSpot deflated the idle monitor (up to
 * a minute later, or never on a JVM that does not). A router's first REPLAY answers after a
 * restart run in exactly that window. So while the pool is young ({@link #WATCH_NANOS}), a
 * connection is measured every {@link #CHECK_EVERY} reads against a connection opened for
 * the comparison, a few hundred calls each, alternately; if it is clearly slower
 * ({@link #SLOW_RATIO}) the new connection takes its place. The check runs on the thread
 * that gives the connection back, costs about a millisecond, and a mistaken swap costs only
 * a cold statement cache.
 */
public final class SqliteReadPool {

    /** How long after the pool opens its connections are checked for speed: the JIT's warm-up. */
    static final long WATCH_NANOS = 180_000_000_000L;
    /** Reads between two checks of one connection. */
    public static final int CHECK_EVERY = 1_000;
    /** How much slower than a new connection a connection must be to be replaced. */
    static final double SLOW_RATIO = 1.25;
    /** Calls one measurement makes on a connection: each locks its handle twice. */
    static final int PROBE_CALLS = 256;
    /** Measurements of each connection per check, alternating; the fastest of each counts. */
    static final int PROBE_ROUNDS = 5;

    /** Measures how long a connection takes for a fixed series of calls, in nanoseconds. */
    public interface SpeedProbe {
        long nanos(Connection c) throws SQLException;
    }

    /** Opens one read connection. */
    interface Opener {
        Connection open() throws SQLException;
    }

    /** A read against one borrowed connection. */
    public interface Read<T> {
        T run(Reader reader) throws SQLException;
    }

    /** A read connection with its statement cache; used by one thread at a time. */
    public static final class Reader implements SignedLog.Reads {
        private static final int CACHED_STATEMENTS = 32;

        private final Connection conn;
        private final Map<String, PreparedStatement> statements =
                new LinkedHashMap<>(16, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                        if (size() > CACHED_STATEMENTS) {
                            closeQuietly(eldest.getValue());
                            return true;
                        }
                        return false;
                    }
                };

        private int utf8Text = -1;
        /** Reads since this connection was last checked for speed; owned by its borrower. */
        private int readsSinceCheck;

        public Reader(Connection conn) {
            this.conn = conn;
        }

        /** The connection (for the speed check, and for tests and benchmarks). */
        Connection connection() {
            return conn;
        }

        /**
         * Whether the database keeps text as UTF-8 (SQLite's default, and every journal's), so
         * that a text column read as bytes gives the UTF-8 that {@code getString} would decode.
         * Asked once per connection; a file in UTF-16 is read through {@code getString}.
         */
        public boolean utf8Text() throws SQLException {
            if (utf8Text < 0) {
                try (java.sql.Statement s = conn.createStatement();
                        java.sql.ResultSet rs = s.executeQuery("PRAGMA encoding")) {
                    utf8Text = rs.next() && "UTF-8".equalsIgnoreCase(rs.getString(1)) ? 1 : 0;
                }
            }
            return utf8Text == 1;
        }

        /** A prepared statement for {@code sql}, reused across reads on this connection. */
        @Override
        public PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement ps = statements.get(sql);
            if (ps == null) {
                ps = conn.prepareStatement(sql);
                statements.put(sql, ps);
            }
            return ps;
        }

        public void close() {
            for (PreparedStatement ps : statements.values()) {
                closeQuietly(ps);
            }
            statements.clear();
            try {
                conn.close();
            } catch (SQLException ignored) {
                // nothing more to do
            }
        }
    }

    private final Opener opener;
    private final int max;
    private final Lock readLock;
    private final String name;

    private final long openedAt = System.nanoTime();
    /** How connections are measured; {@link #probe} unless a test says otherwise. */
    private volatile SpeedProbe speedProbe = SqliteReadPool::probe;
    /** Whether connections are checked for speed at all while the pool is young. */
    private volatile boolean watching = true;
    /** Connections replaced because they were slow (for tests and benchmarks). */
    private final java.util.concurrent.atomic.AtomicLong replaced = new java.util.concurrent.atomic.AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<Reader> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    SqliteReadPool(Opener opener, int max, Lock readLock, String name) {
        this.opener = opener;
        this.max = max;
        this.readLock = readLock;
        this.name = name;
    }

    /**
     * Runs a read on a pooled connection.
     *
     * @throws JournalException.Closed if the pool is closed
     */
    public <T> T read(Read<T> read) throws SQLException {
        Reader reader = borrow();
        boolean broken = true;
        try {
            if (readLock != null) {
                readLock.lock();
            }
            try {
                T result = read.run(reader);
                broken = false;
                return result;
            } catch (JournalException e) {
                broken = false; // a bad row, not a bad connection
                throw e;
            } finally {
                if (readLock != null) {
                    readLock.unlock();
                }
            }
        } finally {
            if (!broken) {
                reader = checkedForSpeed(reader);
            }
            giveBack(reader, broken);
        }
    }

    /**
     * Every {@link #CHECK_EVERY} reads while the pool is young, measures the reader's connection
     * against a new one and returns the faster (see the class comment); otherwise the reader.
     * Never fails: a check that cannot be made keeps the reader.
     */
    private Reader checkedForSpeed(Reader reader) {
        if (!watching || ++reader.readsSinceCheck < CHECK_EVERY) {
            return reader;
        }
        reader.readsSinceCheck = 0;
        if (System.nanoTime() - openedAt > WATCH_NANOS) {
            watching = false;
            return reader;
        }
        Connection fresh = null;
        try {
            fresh = opener.open();
            SpeedProbe p = speedProbe;
            long old = Long.MAX_VALUE;
            long young = Long.MAX_VALUE;
            for (int round = 0; round < PROBE_ROUNDS; round++) {
                old = Math.min(old, p.nanos(reader.conn));
                young = Math.min(young, p.nanos(fresh));
            }
            if (isSlow(old, young)) {
                Reader replacement = new Reader(fresh);
                fresh = null;
                replaced.incrementAndGet();
                reader.close();
                return replacement;
            }
            return reader;
        } catch (SQLException | RuntimeException e) {
            return reader; // no check this time; the connection itself is as good as before
        } finally {
            if (fresh != null) {
                try {
                    fresh.close();
                } catch (SQLException ignored) {
                    // only a comparison connection
                }
            }
        }
    }

    /** Whether a connection that took {@code old} is clearly slower than one that took {@code young}. */
    public static boolean isSlow(long old, long young) {
        return old > young * SLOW_RATIO;
    }

    /**
     * {@link #PROBE_CALLS} column reads of a one-row result: calls that lock the connection's
     * handle as every read of a row does, and do almost nothing else.
     */
    public static long probe(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1");
                java.sql.ResultSet rs = ps.executeQuery()) {
            rs.next();
            long sum = 0;
            long began = System.nanoTime();
            for (int i = 0; i < PROBE_CALLS; i++) {
                sum += rs.getLong(1);
            }
            long nanos = System.nanoTime() - began;
            return sum == PROBE_CALLS ? nanos : Long.MAX_VALUE;
        }
    }

    /** Replaces how connections are measured (for tests). */
    public void speedProbe(SpeedProbe probe) {
        this.speedProbe = probe;
    }

    /** Turns the speed checks on or off (for tests and benchmarks); on from the start. */
    public void watching(boolean on) {
        this.watching = on;
    }

    /** Connections replaced because they were slow (for tests and benchmarks). */
    public long replacedForSpeed() {
        return replaced.get();
    }

    /** Runs {@code action} on every idle connection (for benchmarks). */
    public void forEachIdle(java.util.function.Consumer<Connection> action) {
        lock.lock();
        try {
            for (Reader r : idle) {
                action.accept(r.conn);
            }
        } finally {
            lock.unlock();
        }
    }

    private Reader borrow() throws SQLException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new JournalException.Closed("the journal " + name + " is closed");
                }
                Reader r = idle.pollFirst();
                if (r != null) {
                    return r;
                }
                if (open < max) {
                    open++;
                    break;
                }
                available.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        try {
            return new Reader(opener.open());
        } catch (SQLException | RuntimeException e) {
            lock.lock();
            try {
                open--;
                available.signal();
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    /** Returns a connection; one that failed a read is closed rather than reused, to be safe. */
    private void giveBack(Reader reader, boolean broken) {
        boolean discard;
        lock.lock();
        try {
            discard = closed || broken;
            if (discard) {
                open--;
            } else {
                idle.addFirst(reader);
            }
            available.signal();
        } finally {
            lock.unlock();
        }
        if (discard) {
            reader.close();
        }
    }

    /** The number of read connections open, each with at most a few cached statements (for tests). */
    public int openConnections() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** Closes idle connections now and busy ones when they come back. Idempotent. */
    public void close() {
        ArrayDeque<Reader> toClose;
        lock.lock();
        try {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            open -= idle.size();
            idle.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
        for (Reader r : toClose) {
            r.close();
        }
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
