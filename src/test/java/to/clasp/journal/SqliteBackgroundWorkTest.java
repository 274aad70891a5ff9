package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.sql.GroupCommitWriter;

/**
 * What the writer's threads do without being asked: commit writes nobody waits for, and copy
 * the WAL into the file while the journal is open.
 */
class SqliteBackgroundWorkTest {

    private static final long T0 = 1_708_600_000_000_000L;
    private static final long PATIENCE_NANOS = 10_000_000_000L;

    @TempDir
    Path dir;

    private static JournalEntry entry(long i) {
        return JournalEntry.fromSet("/bg/" + (i % 10), Value.of(i), i + 1, "bg", T0 + i);
    }

    /** Polls {@code done} until it holds or ten seconds pass; never joins or gets a future. */
    private static boolean eventually(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    @Test
    void aWriteNobodyWaitsForIsCommittedWhileWritesKeepComing() throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            for (long i = 0; i < 20; i++) {
                await(journal.append(entry(i)));
            }
            // Right after other writes: the writer is looking at the queue, not woken for this one.
            CompletableFuture<Long> lone = journal.append(entry(20));
            assertThat(eventually(lone::isDone)).as("committed without anyone waiting").isTrue();
            assertThat(lone.join()).isEqualTo(21);
        }
    }

    @Test
    void aWriteNobodyWaitsForIsCommittedAfterTheJournalWasQuiet() throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            await(journal.append(entry(0)));
            // Long enough for the writer to stop looking and sleep until woken.
            Thread.sleep(3 * GroupCommitWriter.POLL_WINDOW_NANOS / 1_000_000);
            CompletableFuture<Long> lone = journal.append(entry(1));
            assertThat(eventually(lone::isDone)).as("committed without anyone waiting").isTrue();
            assertThat(lone.join()).isEqualTo(2);
        }
    }

    @Test
    void manyWritesNobodyWaitsForAreCommittedInOrder() throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (long i = 0; i < 5_000; i++) {
                futures.add(journal.append(entry(i)));
            }
            CompletableFuture<Long> last = futures.get(futures.size() - 1);
            assertThat(eventually(last::isDone)).isTrue();
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).join()).isEqualTo(i + 1L);
            }
        }
    }

    @Test
    void theWalIsCopiedIntoTheFileWhileTheJournalIsOpen() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long before = Files.size(file);
            // Some 400 pages: below SQLite's own checkpoint mark (1,000 pages, 10,000 on the
            // write connection), so only the journal's checkpointer copies them while it is open.
            for (long i = 0; i < 100; i++) {
                await(journal.append(entry(i)));
            }
            assertThat(eventually(() -> size(file) > before))
                    .as("the file grows as the WAL is copied into it (was %d bytes)", before).isTrue();
            assertThat(await(journal.since(0, null))).hasSize(100);
        }
        try (SqliteJournal reopened = SqliteJournal.open(file)) {
            assertThat(await(reopened.latestSeq())).isEqualTo(100);
        }
    }

    @Test
    void theWalStartsOverWhileAppendsKeepComing() throws Exception {
        Path file = dir.resolve("j.db");
        Path wal = dir.resolve("j.db-wal");
        // Commits one after another leave the checkpointer's passes no moment to reach the WAL's
        // end; the write connection's backstop would let the WAL grow to 10,000 pages (about
        // 41 MB) before it copied it inside a commit. The writer finishes the copy between
        // batches long before that.
        long frame = 4_096 + 24;
        long bound = 8_000 * frame;
        long largest = 0;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            for (long i = 0; i < 25_000; i++) {
                await(journal.append(entry(i)));
                if (i % 50 == 0 && Files.exists(wal)) {
                    largest = Math.max(largest, Files.size(wal));
                }
            }
            assertThat(largest).as("the WAL's largest size in bytes").isGreaterThan(0).isLessThan(bound);
            assertThat(await(journal.latestSeq())).isEqualTo(25_000);
        }
    }

    @Test
    void closingEndsTheJournalsThreads() throws Exception {
        long before = liveThreads("clasp-journal-checkpoint");
        SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"));
        try {
            await(journal.append(entry(0)));
            assertThat(liveThreads("clasp-journal-checkpoint")).isEqualTo(before + 1);
        } finally {
            journal.close();
        }
        assertThat(liveThreads("clasp-journal-checkpoint")).isEqualTo(before);
    }

    @Test
    void aJournalInMemoryHasNoCheckpointer() {
        long before = liveThreads("clasp-journal-checkpoint");
        try (SqliteJournal journal = SqliteJournal.inMemory()) {
            await(journal.append(entry(0)));
            assertThat(liveThreads("clasp-journal-checkpoint")).isEqualTo(before);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long liveThreads(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals(name))
                .count();
    }
}
