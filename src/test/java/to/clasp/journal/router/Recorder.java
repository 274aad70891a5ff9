package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import to.clasp.journal.JournalEntry;

/** A subscriber that records a follow stream, for the router's tests. */
final class Recorder implements Flow.Subscriber<JournalEntry> {

    private final long initialRequest;
    private final List<JournalEntry> entries = new ArrayList<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Flow.Subscription subscription;
    private volatile Throwable error;
    private volatile boolean completed;
    private volatile boolean outOfOrder;

    Recorder(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (initialRequest > 0) {
            s.request(initialRequest);
        }
    }

    @Override
    public synchronized void onNext(JournalEntry entry) {
        if (subscription == null || terminated.getCount() == 0) {
            outOfOrder = true;
        }
        entries.add(entry);
    }

    @Override
    public void onError(Throwable t) {
        outOfOrder |= subscription == null;
        error = t;
        terminated.countDown();
    }

    @Override
    public void onComplete() {
        completed = true;
        terminated.countDown();
    }

    void request(long n) {
        subscription.request(n);
    }

    void cancel() {
        subscription.cancel();
    }

    synchronized List<JournalEntry> entries() {
        return List.copyOf(entries);
    }

    Throwable error() {
        return error;
    }

    boolean completed() {
        return completed;
    }

    boolean sawSignalsOutOfPlace() {
        return outOfOrder;
    }

    Recorder awaitTerminated() throws InterruptedException {
        assertThat(terminated.await(Await.WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("terminated").isTrue();
        return this;
    }

    Recorder awaitEntries(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Await.WAIT.toNanos();
        while (entries().size() < n && terminated.getCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(entries()).as("entries (error: %s)", error).hasSizeGreaterThanOrEqualTo(n);
        return this;
    }
}
