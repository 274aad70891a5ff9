package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.SqliteTestSupport.WAIT;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.util.Threads;

/**
 * A caller waiting for its append with {@code join()} while the writer is idle commits the batch
 * itself: the same order, failures and completion guarantees as when the writer thread does.
 */
class SqliteCallerCommitTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private static JournalEntry entry(String address, long i) {
        return JournalEntry.fromPublish(address, SignalType.STREAM, Value.of(i), "t", T0 + i);
    }

    @Test
    void aLoneCallerWaitingForEachAppendCommitsOnItsOwnThread() throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            for (int i = 0; i < 200; i++) {
                CompletableFuture<Long> seq = journal.append(entry("/own", i));
                assertThat(i % 2 == 0 ? seq.join() : seq.get()).isEqualTo(i + 1L);
            }
            // The writer thread may win the race for a batch now and then; callers run most.
            assertThat(journal.writer().batchesRunByCallers()).isGreaterThan(50);
            assertThat(journal.writer().commits()).isEqualTo(200);
            assertThat(await(journal.size())).isEqualTo(200);
        }
    }

    @Test
    void aCallbackThatBlocksRunsOnAJournalThreadAndStallsNoCaller() throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file);
                Connection other = jdbc(file); Statement lock = other.createStatement()) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<String> callbackThread = new AtomicReference<>();
            AtomicReference<String> callerThread = new AtomicReference<>();
            Future<List<Long>> calls = caller.submit(() -> {
                callerThread.set(Thread.currentThread().getName());
                // Another connection holds the write lock, so the callback is chained before
                // the append completes (on a complete future it would run right here).
                lock.execute("BEGIN IMMEDIATE");
                CompletableFuture<Long> first = journal.append(entry("/blocked", 0));
                first.thenRun(() -> {
                    callbackThread.set(Thread.currentThread().getName());
                    Threads.awaitUninterruptibly(release);
                });
                lock.execute("ROLLBACK");
                List<Long> seqs = new ArrayList<>();
                // Not first.join(): a thread waiting in join() may run a future's callbacks
                // itself (the JDK's CompletableFuture does), and this one never returns.
                while (callbackThread.get() == null) {
                    Thread.sleep(1);
                }
                seqs.add(first.getNow(null));
                for (int i = 1; i <= 100; i++) {
                    seqs.add(journal.append(entry("/other", i)).join());
                }
                return seqs;
            });
            assertThat(calls.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 101).boxed().toList());
            assertThat(callbackThread.get()).startsWith("clasp-journal-complete-")
                    .isNotEqualTo(callerThread.get());
            // A callback that appends and waits while the first one still blocks.
            CompletableFuture<Long> chained = journal.append(entry("/chain", 0))
                    .thenApply(seq -> journal.append(entry("/chained", seq)).join());
            assertThat(await(chained)).isEqualTo(103);
            release.countDown();
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void callersRunningBatchesKeepEachThreadsAppendsInCallOrder() throws Exception {
        // Whether a caller finds nobody committing and nobody else waiting is up to the
        // scheduler: the run is repeated on a fresh file until callers ran batches in it.
        long batchesRunByCallers = 0;
        for (int run = 0; run < 10 && batchesRunByCallers == 0; run++) {
            batchesRunByCallers = appendFromEightThreadsInCallOrder(dir.resolve("j" + run + ".db"));
        }
        assertThat(batchesRunByCallers).isPositive();
    }

    /** Appends from 8 threads, checks each thread's order, and returns the batches callers ran. */
    private long appendFromEightThreadsInCallOrder(Path file) throws Exception {
        int threads = 8;
        int perThread = 300;
        // Small batches, so that a caller's append is often beyond the batch it starts with.
        try (SqliteJournal journal = SqliteJournal.builder(file).maxBatchSize(4).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<Long>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String address = "/order/" + t;
                    results.add(pool.submit(() -> {
                        List<Long> seqs = new ArrayList<>();
                        int i = 0;
                        while (i < perThread) {
                            if (i % 30 == 0) {
                                // A burst, waited for newest first.
                                List<CompletableFuture<Long>> burst = new ArrayList<>();
                                for (int k = 0; k < 10; k++) {
                                    burst.add(journal.append(entry(address, i++)));
                                }
                                burst.get(burst.size() - 1).join();
                                burst.forEach(f -> seqs.add(f.join()));
                            } else {
                                seqs.add(journal.append(entry(address, i++)).join());
                            }
                        }
                        return seqs;
                    }));
                }
                List<Long> all = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    List<Long> seqs = results.get(t).get(60, TimeUnit.SECONDS);
                    assertThat(seqs).hasSize(perThread).isSorted().doesNotHaveDuplicates();
                    // Each seq holds what that call appended.
                    List<JournalEntry> stored = await(journal.query(JournalQuery.of("/order/" + t)));
                    assertThat(stored).extracting(JournalEntry::seq).containsExactlyElementsOf(seqs);
                    assertThat(stored).extracting(JournalEntry::value).containsExactlyElementsOf(
                            LongStream.range(0, perThread).mapToObj(Value::of).toList());
                    all.addAll(seqs);
                }
                assertThat(all).containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, (long) threads * perThread).boxed().toList());
                return journal.writer().batchesRunByCallers();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void anAppendRejectedInABatchACallerRunsFailsAloneAndTheNextOnesCommit() throws Exception {
        Path file = dir.resolve("j.db");
        SqliteJournal.open(file).close();
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER reject_bad BEFORE INSERT ON journal_entries WHEN NEW.address = '/bad' "
                    + "BEGIN SELECT RAISE(ABORT, 'bad address rejected'); END");
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long expected = 1;
            for (int i = 0; i < 60; i++) {
                if (i % 3 == 1) {
                    CompletableFuture<Long> bad = journal.append(entry("/bad", i));
                    assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class)
                            .cause().isInstanceOf(JournalException.Storage.class)
                            .hasMessageContaining("bad address rejected");
                } else {
                    assertThat(journal.append(entry("/good", i)).join()).isEqualTo(expected++);
                }
            }
            assertThat(journal.writer().batchesRunByCallers()).isPositive();
            assertThat(await(journal.size())).isEqualTo(40);
        }
    }

    @Test
    void closeWhileCallersRunBatchesCompletesEveryAcceptedAppend() throws Exception {
        SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"));
        ConcurrentLinkedQueue<CompletableFuture<Long>> futures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String address = "/close/" + t;
                loops.add(pool.submit(() -> {
                    for (int i = 0; ; i++) {
                        CompletableFuture<Long> f = journal.append(entry(address, i));
                        futures.add(f);
                        try {
                            f.join();
                        } catch (CompletionException e) {
                            if (e.getCause() instanceof JournalException.Closed) {
                                return null;
                            }
                            throw e;
                        }
                    }
                }));
            }
            while (futures.size() < 500) {
                Thread.sleep(5);
            }
            journal.close();
            List<CompletableFuture<Long>> accepted = new ArrayList<>(futures);
            assertThat(accepted).allSatisfy(f -> assertThat(f).isDone());
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
            List<Long> committed = futures.stream().filter(f -> !f.isCompletedExceptionally())
                    .map(CompletableFuture::join).sorted().toList();
            assertThat(committed).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, committed.size()).boxed().toList());
            try (SqliteJournal reopened = SqliteJournal.open(dir.resolve("j.db"))) {
                assertThat(await(reopened.size())).isEqualTo(committed.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
