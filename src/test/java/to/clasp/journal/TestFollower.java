package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A subscriber for tests of {@link Journal#follow}: records what it receives and checks the
 * Reactive Streams rules it can see (onSubscribe first and once, signals one at a time, never
 * more than requested, nothing after a terminal signal).
 */
public class TestFollower implements Flow.Subscriber<JournalEntry> {

    private final long initialRequest;
    private final List<JournalEntry> received = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private volatile boolean completed;
    private volatile Flow.Subscription subscription;
    private long requested;

    /** A follower that requests {@code initialRequest} entries in onSubscribe (0: none). */
    public TestFollower(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    public static TestFollower unbounded() {
        return new TestFollower(Long.MAX_VALUE);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        enter();
        try {
            if (subscription != null) {
                violation("onSubscribe called twice");
            }
            subscription = s;
            subscribed.countDown();
            if (initialRequest > 0) {
                request(initialRequest);
            }
        } finally {
            exit();
        }
    }

    @Override
    public void onNext(JournalEntry entry) {
        enter();
        try {
            synchronized (this) {
                if (subscription == null || isTerminated()) {
                    violation("onNext out of place: " + entry.seq());
                }
                if (received.size() >= requested) {
                    violation("onNext beyond demand: " + received.size() + " >= " + requested);
                }
                received.add(entry);
            }
            onEntry(entry);
        } finally {
            exit();
        }
    }

    /** Called after each entry is recorded; override to sleep, block, request or cancel. */
    void onEntry(JournalEntry entry) {
    }

    @Override
    public void onError(Throwable t) {
        enter();
        try {
            if (isTerminated()) {
                violation("second terminal signal: " + t);
            }
            error.set(t);
            terminated.countDown();
        } finally {
            exit();
        }
    }

    @Override
    public void onComplete() {
        enter();
        try {
            if (isTerminated()) {
                violation("second terminal signal: onComplete");
            }
            completed = true;
            terminated.countDown();
        } finally {
            exit();
        }
    }

    void request(long n) {
        synchronized (this) {
            requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
        }
        subscription.request(n);
    }

    void cancel() {
        subscription.cancel();
    }

    public synchronized List<JournalEntry> received() {
        return List.copyOf(received);
    }

    synchronized List<Long> seqs() {
        return received.stream().map(JournalEntry::seq).toList();
    }

    public synchronized int count() {
        return received.size();
    }

    Throwable error() {
        return error.get();
    }

    boolean completed() {
        return completed;
    }

    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** Waits until {@code n} entries have arrived; fails the test after {@code within}. */
    public TestFollower awaitCount(int n, Duration within) {
        awaitTrue(() -> count() >= n || isTerminated(), within, () -> "entries: " + count() + " of " + n
                + ", error: " + error());
        assertThat(count()).as("entries received (error: %s)", error()).isGreaterThanOrEqualTo(n);
        return this;
    }

    /** Waits for onError or onComplete; fails the test after {@code within}. */
    TestFollower awaitTerminated(Duration within) {
        try {
            assertThat(terminated.await(within.toMillis(), TimeUnit.MILLISECONDS))
                    .as("terminated within %s (received %d)", within, count()).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return this;
    }

    TestFollower awaitSubscribed(Duration within) {
        try {
            assertThat(subscribed.await(within.toMillis(), TimeUnit.MILLISECONDS)).as("onSubscribe").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return this;
    }

    public static void awaitTrue(BooleanSupplier condition, Duration within, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within + ": " + what.get());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private void enter() {
        if (inside.incrementAndGet() != 1) {
            violation("signals overlap");
        }
    }

    private void exit() {
        inside.decrementAndGet();
    }

    private void violation(String what) {
        synchronized (violations) {
            violations.add(what);
        }
    }
}
