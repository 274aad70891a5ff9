package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction runs in chunks between the writes queued after it: writes do not wait for the
 * whole compaction, yet it removes exactly what it would have removed had it run alone in its
 * place, and a journal closed during it is valid and smaller.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SqliteCompactionInterleaveTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private static JournalEntry entry(long i) {
        return JournalEntry.fromSet("/room" + (i % 100) + "/param" + (i % 7), Value.of((double) i), i + 1, "s1", T0 + i);
    }

    /** Appends n entries, many in flight at a time, and waits until all are committed. */
    private static void fill(Journal journal, int n) {
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            pending.add(journal.append(entry(i)));
            if (pending.size() == 10_000 || i == n) {
                pending.forEach(SqliteTestSupport::await);
                pending.clear();
            }
        }
        assertThat(await(journal.latestSeq())).isEqualTo(n);
    }

    @Test
    void appendsAndSnapshotsDuringALargeCompactionCommitBeforeItEnds() {
        int n = 200_000;
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            fill(journal, n);

            CompletableFuture<Long> compaction = journal.compact(n / 2 + 1);
            // The first append after it waits for one chunk at most, not for 100,000 deletes.
            long first = await(journal.append(entry(n + 1)));
            assertThat(compaction).as("the compaction, when the append after it has committed").isNotDone();
            CompletableFuture<Long> snapshot = journal.snapshot(List.of(new ParamSnapshot("/p", Value.of(1), 1, "s1", T0)));
            assertThat(await(snapshot)).isEqualTo(first);
            List<Long> during = new ArrayList<>(List.of(first));
            while (!compaction.isDone()) {
                during.add(await(journal.append(entry(n + during.size() + 1))));
            }

            assertThat(await(compaction)).isEqualTo(n / 2);
            assertThat(first).isEqualTo(n + 1);
            assertThat(during).isSorted().doesNotHaveDuplicates();
            // Nothing appended after the compaction was called was removed by it.
            long latest = await(journal.latestSeq());
            assertThat(latest).isEqualTo(n + during.size());
            assertThat(await(journal.size())).isEqualTo(n / 2 + during.size());
            assertThat(seqs(await(journal.since(0, 1)))).containsExactly((long) n / 2 + 1);
            assertThat(seqs(await(journal.since(n, null)))).containsExactlyElementsOf(during);
            assertThat(await(journal.latestSnapshot()).orElseThrow().seq()).isEqualTo(first);
        }
    }

    @Test
    void theEndOfACompactionDoesNotWaitForAReaderOfAnOlderState() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            fill(journal, 20_000);
            // Another program reads the file and keeps its read transaction open. The truncating
            // checkpoint at the compaction's end runs on the writer, and appends wait for it: if
            // it waited for this reader (for SQLite's busy timeout, seconds), so would they.
            try (java.sql.Connection reader = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                    java.sql.Statement s = reader.createStatement()) {
                reader.setAutoCommit(false);
                try (java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM journal_entries")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(20_000);
                }
                long began = System.nanoTime();
                assertThat(await(journal.compact(10_001))).isEqualTo(10_000);
                long append = await(journal.append(entry(20_001)));
                long millis = (System.nanoTime() - began) / 1_000_000;
                assertThat(millis).as("the compaction and an append after it, in ms").isLessThan(1_500);
                assertThat(append).isEqualTo(20_001);
                try (java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM journal_entries")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).as("the reader's state, unchanged").isEqualTo(20_000);
                }
                reader.commit();
            }
            assertThat(await(journal.size())).isEqualTo(10_001);
        }
    }

    @Test
    void aCallerThatWaitsForEachAppendDoesNotKeepACompactionFromEnding() {
        int n = 100_000;
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            fill(journal, n);

            CompletableFuture<Long> compaction = journal.compact(Long.MAX_VALUE);
            long appended = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // join() lets a caller commit its own append when the writer is idle: it must not
            // take every turn from the compaction's chunks.
            while (!compaction.isDone() && System.nanoTime() < deadline) {
                assertThat(journal.append(entry(n + appended + 1)).join()).isEqualTo(n + appended + 1);
                appended++;
            }

            assertThat(compaction).as("the compaction, after a minute of appends").isDone();
            assertThat(await(compaction)).isEqualTo(n);
            assertThat(await(journal.size())).isEqualTo(appended);
        }
    }

    @Test
    void theWalStartsOverWhileACompactionRunsBesideAppends() throws Exception {
        Path file = dir.resolve("j.db");
        Path wal = dir.resolve("j.db-wal");
        int n = 300_000;
        // 10,000 addresses, as a router's: each chunk rewrites an address-index leaf per row.
        LongFunction<JournalEntry> spread = i -> JournalEntry.fromSet("/room" + (i % 100) + "/param" + (i / 100 % 100),
                Value.of((double) i), i + 1, "s1", T0 + i);
        // The checkpointer's passes never reach the WAL's end while commits keep coming. Were
        // chunks to run on meanwhile, the WAL would grow to the write connection's backstop
        // (10,000 pages, about 41 MB; 43 to 44 MB in two runs of three before the fix), whose
        // copy then ran inside a chunk's commit, 30 ms: the chunks wait until the writer has
        // finished the copy instead (23 to 27 MB).
        long bound = 9_000L * (4_096 + 24);
        long largest = 0;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> pending = new ArrayList<>();
            for (long i = 1; i <= n; i++) {
                pending.add(journal.append(spread.apply(i)));
                if (pending.size() == 10_000) {
                    pending.forEach(SqliteTestSupport::await);
                    pending.clear();
                }
            }
        }
        // Reopened, the WAL file starts empty: its size is then the most the WAL held (SQLite
        // cuts a longer one back to 40 MiB when it starts over, but no shorter).
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(Files.exists(wal) ? Files.size(wal) : 0).as("the WAL after the reopen").isLessThan(bound / 8);
            long before = Files.size(file);
            CompletableFuture<Long> compaction = journal.compact(n / 2 + 1);
            long appended = 0;
            while (!compaction.isDone()) {
                appended++;
                assertThat(await(journal.append(spread.apply(n + appended)))).isEqualTo(n + appended);
                if (appended % 20 == 0 && Files.exists(wal)) {
                    largest = Math.max(largest, Files.size(wal));
                }
            }
            assertThat(await(compaction)).isEqualTo(n / 2);
            assertThat(largest).as("the WAL's largest size in bytes").isGreaterThan(0).isLessThan(bound);
            assertThat(await(journal.size())).isEqualTo(n / 2 + appended);
            // Its end copied the WAL to its end beside the appends, without truncating it: the
            // pages it freed are given back all the same.
            assertThat(Files.size(file)).as("the file after the compaction, in bytes (was %d)", before)
                    .isLessThan(before * 3 / 4);
        }
    }

    @Test
    void compactionsQueuedBetweenAppendsRemoveWhatTheyWouldHaveRemovedAlone() {
        int n = 60_000;
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            fill(journal, n);

            CompletableFuture<Long> first = journal.compact(20_001);
            CompletableFuture<Long> between = journal.append(entry(n + 1));
            CompletableFuture<Long> all = journal.compact(Long.MAX_VALUE);
            CompletableFuture<Long> after = journal.append(entry(n + 2));
            CompletableFuture<Long> none = journal.compact(10);

            assertThat(await(after)).isEqualTo(n + 2);
            assertThat(await(between)).isEqualTo(n + 1);
            assertThat(await(first)).isEqualTo(20_000);
            // Everything up to the append before it, and not the append after it, even though
            // that one may have committed first.
            assertThat(await(all)).isEqualTo(n - 20_000 + 1);
            assertThat(await(none)).isZero();
            assertThat(seqs(await(journal.since(0, null)))).containsExactly((long) n + 2);
            assertThat(await(journal.latestSeq())).isEqualTo(n + 2);
        }
    }

    @Test
    void aCompactionInMemoryInterleavesToo() {
        int n = 100_000;
        try (SqliteJournal journal = SqliteJournal.inMemory()) {
            fill(journal, n);

            CompletableFuture<Long> compaction = journal.compact(Long.MAX_VALUE);
            long next = await(journal.append(entry(n + 1)));
            assertThat(compaction).as("the compaction, when the append after it has committed").isNotDone();

            assertThat(await(compaction)).isEqualTo(n);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(next);
        }
    }

    @Test
    void closingDuringACompactionStopsItAndLeavesAValidSmallerSignedJournal() {
        int n = 100_000;
        Path file = dir.resolve("signed.db");
        CompletableFuture<Long> compaction;
        CompletableFuture<Long> appended;
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(7)).build()) {
            fill(journal, n);
            compaction = journal.compact(Long.MAX_VALUE);
            appended = journal.append(entry(n + 1));
            assertThat(await(appended)).isEqualTo(n + 1);
            // Close once the compaction has removed something, long before it could be done.
            while (await(journal.since(0, 1)).get(0).seq() == 1) {
                Thread.onSpinWait();
            }
            assertThat(compaction).isNotDone();
        }

        JournalException.Closed closed = assertFails(compaction, JournalException.Closed.class);
        assertThat(closed).hasMessageContaining("during the compaction").hasMessageContaining("removed");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(7)).build()) {
            // A suffix is left, the append after the compaction included, and it all verifies.
            long oldest = await(journal.since(0, 1)).get(0).seq();
            assertThat(oldest).isBetween(2L, (long) n);
            long held = n + 1 - oldest + 1;
            assertThat(await(journal.size())).isEqualTo(held);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(held);
            assertThat(await(journal.latestSeq())).isEqualTo(n + 1);

            // A later compaction removes the rest, and counts it.
            assertThat(await(journal.compact(n + 1))).isEqualTo(n + 1 - oldest);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly((long) n + 1);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(1);
        }
    }

    @Test
    void closingDuringACompactionReportsExactlyTheEntriesItRemoved() {
        int n = 200_000;
        Path file = dir.resolve("count.db");
        CompletableFuture<Long> compaction;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            fill(journal, n);
            compaction = journal.compact(Long.MAX_VALUE);
            while (await(journal.since(0, 1)).get(0).seq() == 1) {
                Thread.onSpinWait();
            }
        }
        JournalException.Closed closed = assertFails(compaction, JournalException.Closed.class);
        java.util.regex.Matcher removed = java.util.regex.Pattern.compile("after it removed (\\d+) entries")
                .matcher(closed.getMessage());
        assertThat(removed.find()).as(closed.getMessage()).isTrue();
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            // Chunks that shared a transaction count once it committed, and not before.
            long oldest = await(journal.since(0, 1)).get(0).seq();
            assertThat(oldest - 1).isEqualTo(Long.parseLong(removed.group(1)));
            assertThat(await(journal.size())).isEqualTo(n - oldest + 1);
        }
    }

    @Test
    void aCompactionWithNothingElseToDoCommitsItsChunksTogether() {
        int n = 100_000;
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("together.db"))) {
            fill(journal, n);
            sleepMillis(100); // past the 50 ms without a write after which chunks share commits
            long commitsBefore = journal.writer().commits();
            long started = System.nanoTime();
            assertThat(await(journal.compact(n + 1L))).isEqualTo(n);
            long millis = (System.nanoTime() - started) / 1_000_000;
            long commits = journal.writer().commits() - commitsBefore;
            // A chunk is sized to about 2 ms, so chunks that commit alone make a commit every
            // 2 ms or so; sharing a transaction for up to 100 ms (less when the checkpointer
            // falls behind) makes ten times fewer at the very least.
            assertThat(commits).as("commits in %d ms", millis).isLessThanOrEqualTo(millis / 20 + 10);
            assertThat(await(journal.size())).isZero();
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void closingRightAfterACompactionEndsItEitherWayAndKeepsTheAppendAfterIt() {
        Path file = dir.resolve("j.db");
        CompletableFuture<Long> compaction;
        CompletableFuture<Long> appended;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            fill(journal, 5_000);
            compaction = journal.compact(Long.MAX_VALUE);
            appended = journal.append(entry(5_001));
            journal.close(); // the writer may not even have taken either yet
            assertThat(appended).isDone(); // close() returns after every accepted write
            assertThat(await(appended)).isEqualTo(5_001);
            assertThat(compaction).isDone();
        }
        // Stopped with Closed, or done before close() reached it: a suffix is left either way.
        long removed = compaction.isCompletedExceptionally() ? -1 : compaction.join();
        if (removed < 0) {
            assertFails(compaction, JournalException.Closed.class);
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<Long> held = seqs(await(journal.since(0, null)));
            assertThat(held).endsWith(5_001L);
            assertThat(held.get(held.size() - 1) - held.get(0) + 1).isEqualTo(held.size());
            if (removed >= 0) {
                assertThat(held).containsExactly(5_001L);
                assertThat(removed).isEqualTo(5_000);
            }
        }
    }
}
