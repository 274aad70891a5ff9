package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SqliteJournal#stats()}: the queue, group commits and failures, seen from outside. */
class SqliteStatsTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private static JournalEntry entry(String address, long i) {
        return JournalEntry.fromPublish(address, SignalType.STREAM, Value.of(i), "t", T0 + i);
    }

    @Test
    void appendsWaitingForALockedFileShowInTheQueueThenCommitAsOneBatch() throws Exception {
        Path file = dir.resolve("j.db");
        int waiting = 200;
        long held = 300;
        try (SqliteJournal journal = SqliteJournal.open(file); Connection other = jdbc(file)) {
            await(journal.append(entry("/warm", 0)));
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            try (Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE"); // another process holds the write lock
                futures.add(journal.append(entry("/first", 0)));
                waitUntilQueued(journal, 0); // the writer took it and waits in BEGIN
                for (int i = 0; i < waiting; i++) {
                    futures.add(journal.append(entry("/queued", i)));
                }
                assertThat(journal.stats().queueDepth()).isEqualTo(waiting);
                Thread.sleep(held);
                s.execute("COMMIT");
            }
            futures.forEach(f -> await(f));

            JournalStats stats = journal.stats();
            assertThat(stats.appends()).isEqualTo(waiting + 2);
            assertThat(stats.queueDepth()).isZero();
            // The warm-up, the append that waited for the lock, then everything queued behind it.
            assertThat(stats.commits()).isEqualTo(3);
            assertThat(stats.largestBatch()).isEqualTo(waiting);
            assertThat(stats.meanBatch()).isEqualTo((waiting + 2) / 3.0);
            // The commit that waited for the lock took at least as long as the lock was held.
            assertThat(stats.commitMax()).isGreaterThanOrEqualTo(Duration.ofMillis(held));
            assertThat(stats.commitP50()).isLessThan(Duration.ofMillis(held));
            assertThat(stats.commitP99()).isLessThanOrEqualTo(stats.commitMax());
            assertThat(stats.commitTimeTotal()).isGreaterThanOrEqualTo(stats.commitMax());
        }
    }

    /** Waits until the writer has taken what was queued but {@code left} operations. */
    private static void waitUntilQueued(SqliteJournal journal, int left) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (journal.stats().queueDepth() != left && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(journal.stats().queueDepth()).isEqualTo(left);
    }

    @Test
    void anAppendSqliteRejectsIsAFailureAndTheRestOfItsBatchStillCounts() throws Exception {
        Path file = dir.resolve("j.db");
        SqliteJournal.open(file).close();
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER reject_bad BEFORE INSERT ON journal_entries WHEN NEW.address = '/bad' "
                    + "BEGIN SELECT RAISE(ABORT, 'bad address rejected'); END");
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(journal.append(entry(i % 10 == 5 ? "/bad" : "/good", i)));
            }
            for (int i = 0; i < 100; i++) {
                if (i % 10 == 5) {
                    assertFails(futures.get(i), JournalException.Storage.class);
                } else {
                    await(futures.get(i));
                }
            }
            JournalStats stats = journal.stats();
            assertThat(stats.failures()).isEqualTo(10);
            assertThat(stats.rejected()).isZero();
            assertThat(stats.appends()).isEqualTo(90);
            assertThat(stats.meanBatch()).isEqualTo(90.0 / stats.commits());
        }
    }

    @Test
    void writesToADeletedFileAreFailures() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            await(journal.append(entry("/a", 1)));
            Files.delete(file);
            assertFails(journal.append(entry("/a", 2)), JournalException.Storage.class);
            assertFails(journal.snapshot(List.of()), JournalException.Storage.class);

            JournalStats stats = journal.stats();
            assertThat(stats.failures()).isEqualTo(2);
            assertThat(stats.appends()).isEqualTo(1);
            assertThat(stats.commits()).isEqualTo(1);
        }
    }

    @Test
    void aReadThatFindsACorruptEntryIsAFailureAndNotARead() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            await(journal.append(entry("/ok", 1)));
            await(journal.append(entry("/bad", 2)));
        }
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.execute("UPDATE journal_entries SET signal_type = 'bogus' WHERE seq = 2");
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertFails(journal.since(0, null), JournalException.Serialization.class);
            assertFails(journal.query(JournalQuery.of("/bad")), JournalException.Serialization.class);
            assertThat(await(journal.query(JournalQuery.of("/ok")))).hasSize(1);

            JournalStats stats = journal.stats();
            assertThat(stats.failures()).isEqualTo(2);
            assertThat(stats.reads()).isEqualTo(1);
            assertThat(stats.entriesRead()).isEqualTo(1);
            assertThat(stats.rejected()).isZero();
        }
    }

    @Test
    void aReadOnlyJournalCountsItsReads() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            for (int i = 0; i < 4; i++) {
                await(journal.append(entry("/r", i)));
            }
        }
        try (SqliteJournal readOnly = SqliteJournal.openReadOnly(file)) {
            assertThat(await(readOnly.since(1, null))).hasSize(3);
            assertFails(readOnly.append(entry("/r", 9)), JournalException.Storage.class);
            JournalStats stats = readOnly.stats();
            assertThat(stats.reads()).isEqualTo(1);
            assertThat(stats.entriesRead()).isEqualTo(3);
            assertThat(stats.appends()).isZero();
            assertThat(stats.failures()).isEqualTo(1);
            assertThat(stats.queueDepth()).isZero();
        }
    }
}
