package to.clasp.journal.internal.util;

import java.util.concurrent.CountDownLatch;

/** Waiting for the journal's own threads to end, as every close does. */
public final class Threads {

    private Threads() {}

    /**
     * Waits until {@code thread} has ended, unless it is the calling thread, going on waiting
     * through interrupts: a close must not return while the thread still uses what is about to
     * be closed.
     *
     * @return whether the caller was interrupted meanwhile; the caller restores the interrupt
     *     once it no longer waits (restoring it at once would turn later waits into spins)
     */
    public static boolean joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    /**
     * Waits until {@code latch} opens, going on waiting through interrupts, and restores the
     * interrupt once it has: a second close returns only once the first is done.
     */
    public static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
