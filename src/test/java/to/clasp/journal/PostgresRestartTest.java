package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server restarts (and, in the second test, stays away for a while) under a stream of
 * appends: the affected futures fail with {@code Storage}, the same journal object works again
 * once the server is back, nothing acknowledged is lost and nothing is written twice. Restarts
 * go through {@code .ci/pg}, so these tests need the cluster it started.
 */
class PostgresRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireRestartableServer();
    }

    /** The appends made and how each ended: value i was appended i-th. */
    private static final class Stream {
        final List<CompletableFuture<Long>> futures = new ArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Semaphore inFlight = new Semaphore(64);
        Thread thread;

        static JournalEntry entry(long i) {
            return JournalEntry.fromSet("/restart/" + (i % 7), Value.of(i), i, "restart-test", 1_708_500_000_000_000L + i);
        }

        void start(Journal journal) {
            thread = new Thread(() -> {
                for (long i = 0; running.get(); i++) {
                    inFlight.acquireUninterruptibly();
                    CompletableFuture<Long> f = journal.append(entry(i));
                    synchronized (futures) {
                        futures.add(f);
                    }
                    f.whenComplete((seq, error) -> inFlight.release());
                }
            });
            thread.start();
        }

        int succeeded() {
            synchronized (futures) {
                return (int) futures.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    private static void awaitSucceeded(Stream stream, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (stream.succeeded() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(stream.succeeded()).as("appends that succeeded").isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aRestartFailsTheAffectedAppendsAndTheJournalRecoversByItself() throws Exception {
        // A short restart may fail no append at all: a batch whose COMMIT it interrupts is
        // resolved by reading its rows back, and later batches wait in the pool (10 s) until the
        // server is back. Which appends fail depends on where the restart lands; that each one
        // that fails is Storage, and that nothing is lost or written twice, does not.
        checkRecovery(() -> PostgresTestSupport.serverControl("restart"), false);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void anOutageLongerThanThePoolWaitsFailsAppendsUntilTheServerIsBack() throws Exception {
        checkRecovery(() -> {
            PostgresTestSupport.serverControl("stop-only");
            // Longer than the pool's connection timeout: appends must fail, not wait.
            Thread.sleep(12_000);
            PostgresTestSupport.serverControl("start-only");
        }, true);
    }

    @FunctionalInterface
    private interface Outage {
        void run() throws Exception;
    }

    /** @param appendsMustFail whether the outage is long enough that some appends must fail */
    private void checkRecovery(Outage outage, boolean appendsMustFail) throws Exception {
        try (PostgresJournal journal = PostgresTestSupport.newJournal()) {
            Stream stream = new Stream();
            stream.start(journal);
            try {
                awaitSucceeded(stream, 500);
                outage.run();
                awaitSucceeded(stream, stream.succeeded() + 500);
            } finally {
                stream.stop();
            }
            List<CompletableFuture<Long>> futures;
            synchronized (stream.futures) {
                futures = List.copyOf(stream.futures);
            }

            Map<Long, Long> acknowledged = new HashMap<>(); // value -> seq
            Set<Long> inDoubt = new HashSet<>();
            int failed = 0;
            for (int i = 0; i < futures.size(); i++) {
                long value = i;
                Throwable error = futures.get(i).handle((seq, e) -> {
                    if (e == null) {
                        acknowledged.put(value, seq);
                    }
                    return e;
                }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (error != null) {
                    failed++;
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    assertThat(cause).as("append %d", i).isInstanceOf(JournalException.Storage.class);
                    if (cause.getMessage().contains("may or may not")) {
                        inDoubt.add(value);
                    }
                }
            }
            if (appendsMustFail) {
                assertThat(failed).as("appends the outage failed").isPositive();
            }

            List<JournalEntry> stored = journal.since(0, null).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long latest = journal.latestSeq().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(stored).extracting(JournalEntry::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, latest).boxed().toList());
            Map<Long, JournalEntry> byValue = new HashMap<>();
            for (JournalEntry e : stored) {
                long value = ((Value.Int) e.value()).value();
                assertThat(byValue.put(value, e)).as("value %d written twice", value).isNull();
                assertThat(acknowledged.containsKey(value) || inDoubt.contains(value))
                        .as("value %d is stored, so its append succeeded or was in doubt", value).isTrue();
            }
            for (Map.Entry<Long, Long> a : acknowledged.entrySet()) {
                assertThat(byValue.get(a.getKey())).as("acknowledged value %d", a.getKey())
                        .isEqualTo(Stream.entry(a.getKey()).withSeq(a.getValue()));
            }
            assertThat(journal.append(Stream.entry(futures.size())).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(latest + 1);
        }
    }
}
