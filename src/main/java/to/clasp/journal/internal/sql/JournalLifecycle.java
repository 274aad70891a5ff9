package to.clasp.journal.internal.sql;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.util.Threads;

/**
 * Whether a SQL journal is open, and its close: the checks every call makes first, and the
 * hand-off that lets a second {@code close()} return only once the first is done. Thread-safe.
 */
public final class JournalLifecycle {

    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Counted down once the first close() is done. */
    private final CountDownLatch closeDone = new CountDownLatch(1);

    /** @param name the journal's name, for error messages */
    public JournalLifecycle(String name) {
        this.name = name;
    }

    /** Whether close() has been called. */
    public boolean isClosed() {
        return closed.get();
    }

    /** @throws JournalException.Closed once close() has been called */
    public void ensureOpen() {
        if (closed.get()) {
            throw new JournalException.Closed("the journal " + name + " is closed");
        }
    }

    /**
     * @param writable whether the journal was opened for writing
     * @param what what the caller asked for, as in "cannot append"
     * @param howToWrite how to open the journal for writing, as advice in the message
     * @throws JournalException.Closed once close() has been called
     * @throws JournalException.Storage when the journal is open read-only
     */
    public void ensureWritable(boolean writable, String what, String howToWrite) {
        ensureOpen();
        if (!writable) {
            throw new JournalException.Storage(name + ": cannot " + what
                    + ": the journal is open read-only; " + howToWrite, null);
        }
    }

    /**
     * Starts closing. The first caller gets true, closes, and then calls {@link #closeDone()};
     * any later caller gets false, after waiting until the first is done if {@code waitForFirst}
     * (through interrupts, which it restores).
     */
    public boolean beginClose(boolean waitForFirst) {
        if (closed.compareAndSet(false, true)) {
            return true;
        }
        if (waitForFirst) {
            Threads.awaitUninterruptibly(closeDone);
        }
        return false;
    }

    /** Says that the first close() is done; later ones return from then on. */
    public void closeDone() {
        closeDone.countDown();
    }
}
