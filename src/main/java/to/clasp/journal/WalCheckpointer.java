package to.clasp.journal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Copies committed pages from a journal's WAL into its database file on a thread of its own, so
 * that no commit waits for it.
 *
 * <p>Left to itself, SQLite checkpoints on the connection that commits, once the WAL holds 1,000
 * pages: the commit that crosses the mark also copies those pages and syncs the database file,
 * which takes as long as hundreds of small commits, and a caller waiting for its append waits for
 * all of it. Here the committer tells the checkpointer after each commit how many writes it
 * committed; once about {@link #PAGES_PER_CHECKPOINT} pages may be waiting, or the journal has
 * been quiet for {@link #QUIET_NANOS} with any waiting, this thread runs a {@code PASSIVE}
 * checkpoint on a connection of its own, alongside the commits that go on. A passive checkpoint
 * never blocks a reader or a writer, and never waits for one.
 *
 * <p>The write connection keeps SQLite's own checkpoint, at the higher mark of
 * {@link SqliteSchema#WAL_AUTOCHECKPOINT_BACKSTOP}: it runs should this thread fall behind or fail,
 * and, since it runs between two commits, it is also what lets SQLite start the WAL file over
 * (a checkpoint that runs alongside commits never catches up with the last of them). Most of
 * its pages have been copied by then, so it costs a commit little. Checkpoints are an
 * optimisation only: one that fails loses nothing, the pages stay in the WAL.
 *
 * <p>Thread-safe: {@link #committed} is called by whichever thread commits, {@link #stop} by
 * any; the connection is used by this thread alone.
 */
final class WalCheckpointer {

    /** Pages the WAL may gather before a checkpoint is started: SQLite's own default mark. */
    static final long PAGES_PER_CHECKPOINT = 1_000;
    /** Pages a commit is reckoned to write besides one per write: a table leaf, three index leaves. */
    static final long PAGES_PER_COMMIT = 4;
    /** How long without a commit counts as quiet, when fewer pages than the mark are waiting. */
    static final long QUIET_NANOS = 50_000_000L;

    private final Connection connection;
    /**
     * Held by every checkpoint of this file run in this journal, so that the writer's own
     * checkpoints (after a compaction, a vacuum) wait for a running one instead of being
     * refused by SQLite.
     */
    private final ReentrantLock running = new ReentrantLock();
    /** Pages committed since the last checkpoint began, as reckoned from writes and commits. */
    private final AtomicLong pagesWaiting = new AtomicLong();
    private volatile boolean stopped;
    private final Thread thread;

    /**
     * Starts the checkpointer on a read-write connection to the journal's file, which it uses
     * alone from now on, and closes once stopped.
     */
    WalCheckpointer(Connection connection) {
        this.connection = connection;
        this.thread = new Thread(this::run, "clasp-journal-checkpoint");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Counts a commit of {@code writes} operations; wakes the checkpointer for the first commit
     * after a checkpoint began (to watch for quiet) and when the mark is crossed. Cheap: an
     * atomic add, and a wake-up once or twice per checkpoint.
     */
    void committed(int writes) {
        long pages = PAGES_PER_COMMIT + writes;
        long before = pagesWaiting.getAndAdd(pages);
        if (before == 0 || (before < PAGES_PER_CHECKPOINT && before + pages >= PAGES_PER_CHECKPOINT)) {
            LockSupport.unpark(thread);
        }
    }

    /** The lock every checkpoint of the file in this journal holds while it runs. */
    Lock lock() {
        return running;
    }

    /** Runs no further checkpoint; returns at once (see {@link #stopAndWait}). */
    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /**
     * Runs no further checkpoint, and returns once a running one has ended and the connection
     * is closed.
     *
     * @return whether the caller was interrupted meanwhile (see {@link Threads#joinUninterruptibly})
     */
    boolean stopAndWait() {
        stop();
        return Threads.joinUninterruptibly(thread);
    }

    private void run() {
        try {
            checkpointUntilStopped();
        } finally {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // closing anyway; every checkpoint is done
            }
        }
    }

    private void checkpointUntilStopped() {
        while (!stopped) {
            long waiting = pagesWaiting.get();
            if (waiting == 0) {
                LockSupport.park(this);
                continue;
            }
            if (waiting < PAGES_PER_CHECKPOINT) {
                awaitMarkOrQuiet();
                long now = pagesWaiting.get();
                if (now < PAGES_PER_CHECKPOINT && now != waiting) {
                    continue; // still committing, below the mark: wait for quiet or the mark
                }
                if (stopped) {
                    return;
                }
            }
            pagesWaiting.set(0); // what is committed from here on is for the next checkpoint
            checkpoint();
        }
    }

    /** Waits {@link #QUIET_NANOS}, or less if the mark is reached or the checkpointer stopped. */
    private void awaitMarkOrQuiet() {
        long deadline = System.nanoTime() + QUIET_NANOS;
        while (!stopped && pagesWaiting.get() < PAGES_PER_CHECKPOINT) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, left); // woken early by the commit after a checkpoint, too
        }
    }

    private void checkpoint() {
        running.lock();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(SqliteSchema.CHECKPOINT_PASSIVE)) {
            rs.next();
        } catch (SQLException | RuntimeException e) {
            // Nothing is lost: the pages stay in the WAL, and the write connection's own
            // checkpoint copies them.
        } finally {
            running.unlock();
        }
    }
}
