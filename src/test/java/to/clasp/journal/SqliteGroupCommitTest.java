package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The writer: group commit, failures that stay alone, order, and where futures complete. */
class SqliteGroupCommitTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private static JournalEntry entry(String address, long i) {
        return JournalEntry.fromPublish(address, SignalType.STREAM, Value.of(i), "t", T0 + i);
    }

    @Test
    void concurrentAppendsShareTransactions() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String address = "/load/" + t;
                    done.add(pool.submit(() -> {
                        List<CompletableFuture<Long>> futures = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            futures.add(journal.append(entry(address, i)));
                        }
                        futures.forEach(CompletableFuture::join);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long appends = (long) threads * perThread;
            assertThat(await(journal.size())).isEqualTo(appends);
            assertThat(journal.writer().committedOps()).isEqualTo(appends);
            assertThat(journal.writer().commits()).isPositive().isLessThan(appends / 4);
        }
    }

    @ParameterizedTest(name = "RAISE({0})")
    @ValueSource(strings = {"ABORT", "FAIL", "ROLLBACK"})
    void anAppendThatSqliteRejectsFailsAloneAndTheRestOfItsBatchCommits(String resolution) throws Exception {
        Path file = dir.resolve("j.db");
        SqliteJournal.open(file).close();
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER reject_bad BEFORE INSERT ON journal_entries WHEN NEW.address = '/bad' "
                    + "BEGIN SELECT RAISE(" + resolution + ", 'bad address rejected'); END");
        }
        int total = 3_000;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                futures.add(journal.append(entry(i % 10 == 5 ? "/bad" : "/good", i)));
            }
            long expectedSeq = 1;
            for (int i = 0; i < total; i++) {
                if (i % 10 == 5) {
                    assertThat(assertFails(futures.get(i), JournalException.Storage.class))
                            .hasMessageContaining("bad address rejected").hasMessageContaining("/bad");
                } else {
                    // Seqs stay dense: a rejected insert gives its number back.
                    assertThat(await(futures.get(i))).isEqualTo(expectedSeq++);
                }
            }
            long good = total - total / 10;
            assertThat(await(journal.size())).isEqualTo(good);
            assertThat(seqs(await(journal.since(0, null))))
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, good).boxed().toList());
            assertThat(journal.writer().commits()).isLessThan(good);
        }
    }

    @Test
    void everyAppendGetsTheSeqOfItsRowWhenAnotherProgramsTriggerInsertsRowsToo() throws Exception {
        Path file = dir.resolve("j.db");
        SqliteJournal.open(file).close();
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            // Each '/twice' row brings a copy of itself, with the next seq: a batch's seqs are then
            // not consecutive, and only the rows can say which seq each append got.
            s.execute("CREATE TRIGGER copy_twice AFTER INSERT ON journal_entries WHEN NEW.address = '/twice' "
                    + "BEGIN INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json,"
                    + " revision, msg_type) VALUES (NEW.timestamp, NEW.author, '/copy', NEW.signal_type,"
                    + " NEW.value_json, NEW.revision, NEW.msg_type); END");
        }
        int total = 2_000;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                futures.add(journal.append(entry(i % 100 == 7 ? "/twice" : "/once", i)));
            }
            futures.forEach(CompletableFuture::join);
            Map<Long, JournalEntry> rows = new HashMap<>();
            for (JournalEntry e : await(journal.since(0, null))) {
                rows.put(e.seq(), e);
            }
            assertThat(rows).hasSize(total + total / 100);
            for (int i = 0; i < total; i++) {
                long seq = await(futures.get(i));
                assertThat(rows.get(seq)).as("the row of append %d", i)
                        .isEqualTo(entry(i % 100 == 7 ? "/twice" : "/once", i).withSeq(seq));
            }
        }
    }

    @Test
    void appendsAfterACompactionAndAReopenContinueTheSeqs() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                futures.add(journal.append(entry("/a", i)));
            }
            futures.forEach(CompletableFuture::join);
            assertThat(await(journal.compact(Long.MAX_VALUE))).isEqualTo(1_000);
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                futures.add(journal.append(entry("/b", i)));
            }
            for (int i = 0; i < 1_000; i++) {
                assertThat(await(futures.get(i))).isEqualTo(1_001L + i);
            }
            assertThat(seqs(await(journal.since(0, null))))
                    .containsExactlyElementsOf(LongStream.rangeClosed(1_001, 2_000).boxed().toList());
        }
    }

    @Test
    void aSnapshotTakesTheSeqOfTheAppendsQueuedBeforeIt() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            List<CompletableFuture<Long>> before = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                before.add(journal.append(entry("/s", i)));
            }
            CompletableFuture<Long> snapshot = journal.snapshot(List.of());
            for (int i = 0; i < 500; i++) {
                journal.append(entry("/s", i));
            }
            assertThat(await(snapshot)).isEqualTo(500);
            assertThat(await(before.get(499))).isEqualTo(500);
        }
    }

    @Test
    void futuresAreNotCompletedOnTheWriterThread() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            for (int i = 0; i < 50; i++) {
                String thread = await(journal.append(entry("/t", i)).thenApply(s -> Thread.currentThread().getName()));
                assertThat(thread).isNotEqualTo("clasp-journal-writer");
            }
        }
    }

    @Test
    void aCallbackMayWaitForAnotherAppend() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            CompletableFuture<Long> chained = journal.append(entry("/first", 1))
                    .thenApply(seq -> journal.append(entry("/second", 2)).join());
            assertThat(await(chained)).isEqualTo(2);
        }
    }

    @Test
    void aProducerFasterThanTheDiskWaitsForRoomInsteadOfFailing() {
        try (SqliteJournal journal = SqliteJournal.builder(dir.resolve("j.db")).maxBatchSize(1).build()) {
            int capacity = journal.writer().queueCapacity();
            assertThat(capacity).isEqualTo(1_024);
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < capacity * 5; i++) {
                futures.add(journal.append(entry("/burst", i)));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(await(futures.get(i))).isEqualTo(i + 1L);
            }
        }
    }

    @Test
    void aSecondCloseReturnsOnlyOnceTheFirstHasCommittedEverything() throws Exception {
        SqliteJournal journal = SqliteJournal.builder(dir.resolve("j.db"))
                .durability(SqliteJournal.Durability.FULL).maxBatchSize(1).build();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(journal.append(entry("/close", i)));
        }
        Thread first = new Thread(journal::close);
        first.start();
        // A read fails once the first close has begun, and adds nothing to the queue.
        while (!journal.latestSeq().isCompletedExceptionally()) {
            Thread.onSpinWait();
        }
        journal.close();

        assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(futures.get(futures.size() - 1).join()).isEqualTo(300);
        first.join(60_000);
        assertThat(first.isAlive()).isFalse();
    }

    @Test
    void closeNeverWaitsForACallbackThatNeedsTheClosingThreadsLock() throws Exception {
        Path file = dir.resolve("j.db");
        SqliteJournal journal = SqliteJournal.open(file);
        Object routerLock = new Object();
        AtomicInteger callbacksRun = new AtomicInteger();
        AtomicBoolean allDoneOnReturn = new AtomicBoolean();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        Connection other = jdbc(file);
        Statement s = other.createStatement();
        // Hold the write lock, so that the callbacks are chained before the appends complete.
        s.execute("BEGIN IMMEDIATE");
        for (int i = 0; i < 50; i++) {
            CompletableFuture<Long> f = journal.append(entry("/cb", i));
            f.thenRun(() -> {
                synchronized (routerLock) {
                    callbacksRun.incrementAndGet();
                }
            });
            futures.add(f);
        }
        // A router that closes the journal under its own lock.
        Thread router = new Thread(() -> {
            synchronized (routerLock) {
                try {
                    s.execute("ROLLBACK");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                journal.close();
                allDoneOnReturn.set(futures.stream().allMatch(CompletableFuture::isDone));
            }
        });
        router.setDaemon(true);
        router.start();
        router.join(30_000);
        try {
            assertThat(router.isAlive()).as("close() returned while a callback waited for its lock").isFalse();
            assertThat(allDoneOnReturn).as("every future completed when close() returned").isTrue();
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).join()).isEqualTo(i + 1L);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (callbacksRun.get() < futures.size() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(callbacksRun).as("callbacks run once the lock is free").hasValue(futures.size());
        } finally {
            s.close();
            other.close();
        }
    }

    @Test
    void inMemoryAppendsAndReadsInterleave() throws Exception {
        try (SqliteJournal journal = SqliteJournal.inMemory()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> tasks = new ArrayList<>();
                List<CompletableFuture<Long>> appends = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int t = 0; t < 2; t++) {
                    tasks.add(pool.submit(() -> {
                        for (int i = 0; i < 2_000; i++) {
                            appends.add(journal.append(entry("/m", i)));
                        }
                        return null;
                    }));
                    tasks.add(pool.submit(() -> {
                        long seen = 0;
                        for (int i = 0; i < 200; i++) {
                            List<JournalEntry> newest = await(journal.query(JournalQuery.of("/m").descending().limit(10)));
                            long latest = await(journal.latestSeq());
                            // Reads see whole commits: the newest entry read is never beyond the
                            // latest seq read after it, and neither goes backwards.
                            if (!newest.isEmpty()) {
                                assertThat(newest.get(0).seq()).isLessThanOrEqualTo(latest);
                                assertThat(seqs(newest)).isSortedAccordingTo(java.util.Comparator.reverseOrder());
                            }
                            assertThat(latest).isGreaterThanOrEqualTo(seen);
                            seen = latest;
                        }
                        return null;
                    }));
                }
                for (Future<?> f : tasks) {
                    f.get(60, TimeUnit.SECONDS);
                }
                for (CompletableFuture<Long> f : appends) {
                    await(f);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(await(journal.size())).isEqualTo(4_000);
            assertThat(seqs(await(journal.since(0, null)))).hasSize(4_000).isSorted().doesNotHaveDuplicates();
        }
    }
}
