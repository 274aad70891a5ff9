package to.clasp.journal.internal.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import to.clasp.journal.internal.util.Threads;

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
 * <p>SQLite starts the WAL file over only at a write that finds it copied to its end, which a
 * checkpoint running beside commits seldom leaves it. So once the WAL is long
 * ({@link #RESTART_PAGES}), a checkpoint makes further passes, each copying only what was
 * committed during the one before, until one ends with nothing new; and compactions, whose
 * chunks write far more than appends, wait while a checkpoint is due or running
 * ({@link #behind}). While commits keep coming, even those passes rarely reach the end: then the
 * writer finishes the copy on its own connection between two batches, when little is left and
 * nothing is queued ({@link #finishDue}, {@link #finish}), and its next write starts the WAL
 * over. The write connection keeps SQLite's own checkpoint, at the higher mark of
 * {@link SqliteSchema#WAL_AUTOCHECKPOINT_BACKSTOP}, should this thread fall behind or fail; run on
 * a commit, it holds that commit for as long as it copies and syncs. Checkpoints are an
 * optimisation only: one that fails loses nothing, the pages stay in the WAL.
 *
 * <p>Thread-safe: {@link #committed} is called by whichever thread commits, {@link #finish} by
 * the writer thread, {@link #stop} by any; this thread's connection is used by it alone.
 */
public final class WalCheckpointer {

    /** Pages the WAL may gather before a checkpoint is started: SQLite's own default mark. */
    static final long PAGES_PER_CHECKPOINT = 1_000;
    /**
     * The mark while a compaction runs. Its chunks rewrite the same few thousand leaves (the
     * front of every address's run in the address index) again and again, so a checkpoint
     * every 1,000 pages copied and synced nearly every page the chunks wrote, and the chunks
     * waited for each one ({@link #behind}): compacting half of 1,000,000 entries took 11 s.
     * Three times the mark copies each leaf once for three times the chunks: 7 to 8 s, with
     * the WAL still well short of the writer's backstop. Four and eight times were faster
     * still, but the larger checkpoints delayed appends beside them past 10 ms (p99).
     */
    static final long COMPACTION_PAGES_PER_CHECKPOINT = 3 * PAGES_PER_CHECKPOINT;
    /** Pages a commit is reckoned to write besides one per write: a table leaf, three index leaves. */
    static final long PAGES_PER_COMMIT = 4;
    /**
     * Marks (see {@link #mark}) of pages committed since the running (or last) checkpoint began
     * beyond which the checkpointer counts as behind, and a compaction waits for it (see
     * {@link #behind}).
     */
    static final long BEHIND_MARKS = 3;
    /**
     * WAL frames from which a checkpoint makes more passes, until it has copied the WAL to its
     * end, so that SQLite starts it over well before the writer's backstop
     * ({@link SqliteSchema#WAL_AUTOCHECKPOINT_BACKSTOP}) would.
     */
    static final long RESTART_PAGES = 2 * PAGES_PER_CHECKPOINT;
    /** The most passes one checkpoint makes (see {@link #checkpoint}). */
    static final int MAX_PASSES = 4;
    /**
     * WAL frames from which, when this thread's passes could not copy the WAL to its end (commits
     * kept coming), the writer finishes the copy between its batches ({@link #finishDue}), so
     * that the WAL starts over. Left to the writer's backstop instead, the copy ran inside
     * whichever commit crossed its mark, and at a steady 3,000 appends a second that was every
     * second or two: a commit that then also copied and synced the pages it had just written, 20
     * to 40 ms when it was a burst's.
     */
    static final long FINISH_PAGES = 4 * PAGES_PER_CHECKPOINT;
    /**
     * The most pages committed since this thread's last pass for which the writer finishes the
     * copy: a few hundred pages copy and sync in a few milliseconds.
     */
    static final long FINISH_MAX_PAGES = PAGES_PER_CHECKPOINT / 2;
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
    /** Pages the WAL may gather before a checkpoint: {@link #PAGES_PER_CHECKPOINT}, or more while compacting. */
    private volatile long mark = PAGES_PER_CHECKPOINT;
    private volatile boolean stopped;
    /** Set by {@link #checkpointSoon}: the next checkpoint starts without waiting for the mark. */
    private volatile boolean urgent;
    /**
     * Whether compactions are held back: from the commit that crosses the mark until the
     * checkpoint it starts has ended (see {@link #behind}). Set by committing threads and this
     * one, cleared by this one.
     */
    private volatile boolean holding;
    /**
     * Set when this thread's passes left a long WAL short of its end (see {@link #FINISH_PAGES});
     * cleared by the writer's pass that finishes the copy ({@link #finish}).
     */
    private volatile boolean finishWanted;
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
        long m = this.mark;
        boolean crossed = before < m && before + pages >= m;
        if (crossed) {
            // Held back from now, not from when this thread wakes: a chunk started in between
            // would add to the WAL that the checkpoint is to copy to its end.
            holding = true;
        }
        if (before == 0 || crossed) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Whether compaction chunks should wait: a checkpoint is due or running, or more than
     * {@link #BEHIND_MARKS} marks of pages were committed since the last one began. A chunk writes a
     * WAL page or so per row it deletes, and the WAL starts over only at a write that finds
     * it copied to its end; chunks that kept coming during checkpoints kept it from ever being
     * so, until it reached the writer's backstop, whose checkpoint then held a commit for 20 to
     * 50 ms, once every 40 chunks or so. Appends do not wait: they add a few pages each, which
     * the checkpoint's later passes copy. Cheap: two volatile reads.
     */
    boolean behind() {
        return !stopped && (holding || pagesWaiting.get() > BEHIND_MARKS * mark);
    }

    /**
     * Sets the mark while a compaction runs ({@link #COMPACTION_PAGES_PER_CHECKPOINT}) or not.
     * Called by the writer thread when its first compaction starts and its last one ends.
     */
    void compacting(boolean on) {
        mark = on ? COMPACTION_PAGES_PER_CHECKPOINT : PAGES_PER_CHECKPOINT;
    }

    /**
     * Has a checkpoint start now, whatever is waiting, and holds compactions back until it ends
     * ({@link #behind}). A compaction's end asks for one (or a few) before its own checkpoint on
     * the writer, which then finds the WAL copied but for its last pages.
     */
    void checkpointSoon() {
        urgent = true;
        holding = true;
        pagesWaiting.accumulateAndGet(1, Math::max);
        LockSupport.unpark(thread);
    }

    /**
     * Whether the writer should finish copying the WAL between its batches: this thread could
     * not, and the writer has work between batches until it has ({@link #finishDue}).
     */
    boolean finishWanted() {
        return finishWanted && !stopped;
    }

    /**
     * Whether finishing the copy on the writer's connection is cheap now: wanted, no checkpoint
     * runs, and at most {@link #FINISH_MAX_PAGES} pages were committed since the last pass began
     * (right after a burst, this thread's next pass copies the burst's pages first). Cheap: two
     * volatile reads and a lock's state.
     */
    boolean finishDue() {
        return finishWanted() && !running.isLocked() && pagesWaiting.get() <= FINISH_MAX_PAGES;
    }

    /**
     * Whether at most {@link #FINISH_MAX_PAGES} pages were committed since the last pass began:
     * a checkpoint on the writer's connection would copy them in a few milliseconds. Cheap: a
     * volatile read.
     */
    boolean littleWaiting() {
        return pagesWaiting.get() <= FINISH_MAX_PAGES;
    }

    /**
     * Has a pass start now if the writer's finish is wanted but not cheap yet (too many pages
     * came in since the last pass) and no checkpoint runs: while compaction chunks wait for the
     * finish, only appends add to the WAL, and this thread's next pass leaves the writer little
     * to copy, instead of waiting for the mark. Cheap: a few volatile reads.
     */
    void catchUpForFinish() {
        if (finishWanted() && !urgent && !running.isLocked() && pagesWaiting.get() > FINISH_MAX_PAGES) {
            checkpointSoon();
        }
    }

    /**
     * Copies the rest of the WAL with a passive checkpoint on the writer's connection, between
     * its batches: no commit comes in meanwhile, so the copy reaches the WAL's end and the next
     * write starts the WAL over. Skips (and stays wanted) if a checkpoint runs. Called by the
     * writer thread only, outside any transaction.
     *
     * @param writeConnection the connection the writer commits on
     * @throws SQLException if the checkpoint fails; nothing is lost, the pages stay in the WAL
     */
    void finish(Connection writeConnection) throws SQLException {
        if (!running.tryLock()) {
            return;
        }
        try (Statement s = writeConnection.createStatement();
                ResultSet rs = s.executeQuery(SqliteSchema.CHECKPOINT_PASSIVE)) {
            if (rs.next() && rs.getInt(1) == 0 && rs.getLong(3) >= rs.getLong(2)) {
                pagesWaiting.set(0); // copied to the end: nothing is waiting for a checkpoint
            }
        } finally {
            finishWanted = false; // this thread asks again after its next passes, if need be
            running.unlock();
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
            if (waiting < mark && !urgent) {
                awaitMarkOrQuiet();
                long now = pagesWaiting.get();
                if (now < mark && now != waiting) {
                    continue; // still committing, below the mark: wait for quiet or the mark
                }
                if (stopped) {
                    return;
                }
            }
            urgent = false;
            pagesWaiting.set(0); // what is committed from here on is for the next checkpoint
            checkpoint();
        }
    }

    /** Waits {@link #QUIET_NANOS}, or less if the mark is reached or the checkpointer stopped. */
    private void awaitMarkOrQuiet() {
        long deadline = System.nanoTime() + QUIET_NANOS;
        while (!stopped && !urgent && pagesWaiting.get() < mark) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, left); // woken early by the commit after a checkpoint, too
        }
    }

    /**
     * Runs a passive checkpoint and, while the WAL is long and commits came in during the pass,
     * another, a few times at most: SQLite starts the WAL over only at a write that finds every
     * frame copied, and a pass that copies thousands of frames rarely ends without a commit
     * behind it. The passes after the first copy only what came in meanwhile, so they are short;
     * meanwhile {@link #behind} holds compactions back, whose chunks would keep the WAL from
     * ever being copied to its end, until the writer's backstop copied it on a commit.
     */
    private void checkpoint() {
        running.lock();
        holding = true;
        try (Statement s = connection.createStatement()) {
            long log = 0;
            boolean toItsEnd = true;
            for (int pass = 0; pass < MAX_PASSES && !stopped; pass++) {
                long copied;
                try (ResultSet rs = s.executeQuery(SqliteSchema.CHECKPOINT_PASSIVE)) {
                    if (!rs.next() || rs.getInt(1) != 0) {
                        break; // busy: the writer's own checkpoint runs, and starts the WAL over
                    }
                    log = rs.getLong(2);
                    copied = rs.getLong(3);
                }
                // The pass copied what was there when it began; a commit since leaves the WAL's
                // end uncopied, and the WAL cannot start over.
                toItsEnd = copied >= log && pagesWaiting.get() == 0;
                if (log < RESTART_PAGES || copied < log || pagesWaiting.getAndSet(0) == 0) {
                    break;
                }
            }
            if (log >= FINISH_PAGES && !toItsEnd) {
                finishWanted = true;
            }
        } catch (SQLException | RuntimeException e) {
            // Nothing is lost: the pages stay in the WAL, and the write connection's own
            // checkpoint copies them.
        } finally {
            holding = false;
            running.unlock();
        }
    }
}
