package to.clasp.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The read connections of a SQLite journal: opened on demand up to a maximum, each used by one
 * thread at a time, each with a small cache of prepared statements.
 *
 * <p>Reads run on the caller's thread. On a file in WAL mode they never wait for the writer: a
 * read sees the last commit before it started. An in-memory database has no WAL; its
 * connections share one cache with table locks, so there every read holds the shared side of
 * a lock whose exclusive side the writer holds around each transaction ({@code readLock},
 * null for files).
 */
final class SqliteReadPool {

    /** Opens one read connection. */
    interface Opener {
        Connection open() throws SQLException;
    }

    /** A read against one borrowed connection. */
    interface Read<T> {
        T run(Reader reader) throws SQLException;
    }

    /** A read connection with its statement cache; used by one thread at a time. */
    static final class Reader {
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

        Reader(Connection conn) {
            this.conn = conn;
        }

        /**
         * Whether the database keeps text as UTF-8 (SQLite's default, and every journal's), so
         * that a text column read as bytes gives the UTF-8 that {@code getString} would decode.
         * Asked once per connection; a file in UTF-16 is read through {@code getString}.
         */
        boolean utf8Text() throws SQLException {
            if (utf8Text < 0) {
                try (java.sql.Statement s = conn.createStatement();
                        java.sql.ResultSet rs = s.executeQuery("PRAGMA encoding")) {
                    utf8Text = rs.next() && "UTF-8".equalsIgnoreCase(rs.getString(1)) ? 1 : 0;
                }
            }
            return utf8Text == 1;
        }

        /** A prepared statement for {@code sql}, reused across reads on this connection. */
        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement ps = statements.get(sql);
            if (ps == null) {
                ps = conn.prepareStatement(sql);
                statements.put(sql, ps);
            }
            return ps;
        }

        void close() {
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
    <T> T read(Read<T> read) throws SQLException {
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
            giveBack(reader, broken);
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
    int openConnections() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** Closes idle connections now and busy ones when they come back. Idempotent. */
    void close() {
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
