package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.domains.Domain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code since} of the recent past, which a writable SQLite journal without a key answers from
 * the entries it keeps in memory, returns exactly what reading the file returns: compared here
 * with a read-only journal on the same file, which always reads the rows.
 */
class SqliteRecentEntriesTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    @Property(tries = 20)
    @Domain(ValueArbitraries.class)
    void anyValuesReadFromMemoryEqualTheRows(@ForAll @Size(max = 40) List<Value> values) throws Exception {
        Path tmp = Files.createTempDirectory("recent");
        Path file = tmp.resolve("r.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<JournalEntry> appended = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                JournalEntry e = i % 3 == 0
                        ? JournalEntry.fromSet("/p/" + i, values.get(i), i * 1_000_000_007L, "w" + i, T0 + i)
                        : JournalEntry.fromPublish("/e/" + (i % 4), i % 2 == 0 ? SignalType.EVENT : SignalType.STREAM,
                                values.get(i), i % 5 == 0 ? "" : "writer", T0 - i);
                appended.add(e.withSeq(await(journal.append(e))));
            }
            try (SqliteJournal rows = SqliteJournal.builder(file).readOnly(true).build()) {
                for (long after = 0; after <= values.size(); after += 7) {
                    assertThat(await(journal.since(after, null))).isEqualTo(await(rows.since(after, null)))
                            .isEqualTo(appended.subList((int) after, appended.size()));
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void answersAfterAReopenWithTheFilesNewestEntries() {
        Path file = dir.resolve("reopen.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            appendSets(journal, 6_000);
        }
        try (SqliteJournal journal = SqliteJournal.open(file);
                SqliteJournal rows = SqliteJournal.builder(file).readOnly(true).build()) {
            for (long after : new long[] {0, 1_000, 5_000, 5_990, 6_000, 7_000}) {
                assertThat(await(journal.since(after, null))).isEqualTo(await(rows.since(after, null)));
            }
            appendSets(journal, 10);
            assertThat(seqs(await(journal.since(5_995, null)))).isEqualTo(range(5_996, 6_010));
            assertThat(await(journal.since(5_995, null))).isEqualTo(await(rows.since(5_995, null)));
        }
    }

    @Test
    void limitsAndSeqsBeyondTheNewest() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("limits.db"))) {
            appendSets(journal, 100);
            assertThat(seqs(await(journal.since(90, 3)))).containsExactly(91L, 92L, 93L);
            assertThat(await(journal.since(90, 0))).isEmpty();
            assertThat(seqs(await(journal.since(98, 50)))).containsExactly(99L, 100L);
            assertThat(await(journal.since(100, null))).isEmpty();
            assertThat(await(journal.since(1_000, null))).isEmpty();
        }
    }

    @Test
    void leavesOutWhatACompactionRemoved() {
        Path file = dir.resolve("compacted.db");
        try (SqliteJournal journal = SqliteJournal.open(file);
                SqliteJournal rows = SqliteJournal.builder(file).readOnly(true).build()) {
            appendSets(journal, 200);
            assertThat(await(journal.compact(151))).isEqualTo(150L);
            assertThat(seqs(await(journal.since(100, null)))).isEqualTo(range(151, 200));
            assertThat(seqs(await(journal.since(160, 5)))).isEqualTo(range(161, 165));
            assertThat(await(journal.since(100, null))).isEqualTo(await(rows.since(100, null)));
            assertThat(await(journal.compact(1_000))).isEqualTo(50L);
            assertThat(await(journal.since(0, null))).isEmpty();
            appendSets(journal, 3);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(201L, 202L, 203L);
        }
    }

    @Test
    void seesWhatAnotherJournalOnTheFileWrote() {
        Path file = dir.resolve("shared.db");
        try (SqliteJournal a = SqliteJournal.open(file);
                SqliteJournal b = SqliteJournal.open(file);
                SqliteJournal rows = SqliteJournal.builder(file).readOnly(true).build()) {
            for (int round = 0; round < 5; round++) {
                appendSets(a, 3);
                for (SqliteJournal j : List.of(a, b)) {
                    assertThat(await(j.since(0, null))).isEqualTo(await(rows.since(0, null)));
                }
                appendSets(b, 2);
                for (SqliteJournal j : List.of(a, b)) {
                    assertThat(await(j.since(0, null))).isEqualTo(await(rows.since(0, null)));
                    assertThat(await(j.since(round * 5L + 2, 2))).isEqualTo(await(rows.since(round * 5L + 2, 2)));
                }
            }
            assertThat(seqs(await(a.since(0, null)))).isEqualTo(range(1, 25));
        }
    }

    @Test
    void seesRowsAnotherProcessAppendedOrRemoved() throws Exception {
        Path file = dir.resolve("foreign.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            appendSets(journal, 20);
            try (Connection c = SqliteTestSupport.jdbc(file); Statement s = c.createStatement()) {
                // What the Rust crate does to append and to compact.
                s.executeUpdate("INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json,"
                        + " revision, msg_type) VALUES (1, 'rust', '/rust/x', 'param', '7', 1, 1)");
                assertThat(seqs(await(journal.since(15, null)))).isEqualTo(range(16, 21));
                assertThat(await(journal.since(20, null))).singleElement()
                        .satisfies(e -> assertThat(e.author()).isEqualTo("rust"));
                s.executeUpdate("DELETE FROM journal_entries WHERE seq < 18");
            }
            assertThat(seqs(await(journal.since(10, null)))).isEqualTo(range(18, 21));
            appendSets(journal, 2);
            assertThat(seqs(await(journal.since(10, null)))).isEqualTo(range(18, 23));
        }
    }

    @Test
    void readsBesideAppendsAndACompactionSeeEveryAcknowledgedEntryInOrder() throws Exception {
        Path file = dir.resolve("busy.db");
        int total = 20_000;
        ConcurrentHashMap<Long, JournalEntry> appended = new ConcurrentHashMap<>();
        AtomicLong acknowledged = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 1; i <= total; i += 50) {
                        List<CompletableFuture<Long>> batch = new ArrayList<>();
                        List<JournalEntry> entries = new ArrayList<>();
                        for (int k = i; k < i + 50; k++) {
                            JournalEntry e = JournalEntry.fromSet("/busy/" + (k % 37), Value.of(k), k, "w", T0 + k);
                            entries.add(e);
                            batch.add(journal.append(e));
                        }
                        for (int k = 0; k < batch.size(); k++) {
                            long seq = batch.get(k).join();
                            appended.put(seq, entries.get(k).withSeq(seq));
                            acknowledged.accumulateAndGet(seq, Math::max);
                        }
                        if (i % 5_000 == 1 && i > 1) {
                            journal.compact(i - 2_000);
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.set(true);
                }
            });
            writer.start();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread reader = new Thread(() -> {
                    try {
                        while (!done.get()) {
                            long seen = acknowledged.get();
                            if (seen == 0) {
                                Thread.onSpinWait();
                                continue;
                            }
                            long after = Math.max(0, seen - 300);
                            List<JournalEntry> got = journal.since(after, null).join();
                            assertThat(got).isNotEmpty();
                            assertThat(got.get(got.size() - 1).seq()).isGreaterThanOrEqualTo(seen);
                            for (int k = 0; k < got.size(); k++) {
                                JournalEntry e = got.get(k);
                                assertThat(e.seq()).isGreaterThan(after);
                                if (k > 0) {
                                    assertThat(e.seq()).isEqualTo(got.get(k - 1).seq() + 1);
                                }
                                JournalEntry expected = appended.get(e.seq());
                                if (expected != null) {
                                    assertThat(e).isEqualTo(expected);
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        done.set(true);
                    }
                });
                readers.add(reader);
                reader.start();
            }
            writer.join();
            for (Thread reader : readers) {
                reader.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            try (SqliteJournal rows = SqliteJournal.builder(file).readOnly(true).build()) {
                assertThat(await(journal.since(total - 500, null))).isEqualTo(await(rows.since(total - 500, null)))
                        .hasSize(500);
            }
        }
    }

    @Test
    void aKeyedJournalReadsAndVerifiesTheRows() throws Exception {
        Path file = dir.resolve("keyed.db");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(SqliteTestSupport.key(3)).build()) {
            appendSets(journal, 10);
            try (Connection c = SqliteTestSupport.jdbc(file); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE journal_entries SET value_json = '99' WHERE seq = 9");
            }
            SqliteTestSupport.assertFails(journal.since(5, null), JournalException.Integrity.class);
        }
    }

    @Test
    void anUnkeyedJournalAnswersItsNewestEntriesAsItCommittedThem() throws Exception {
        // Without a key nothing checks the rows, and the entries kept in memory are what this
        // journal committed: an edit of a row behind its back (which no writer of this format
        // makes) is not seen by since() while the entry is kept. docs/sqlite.md says so.
        Path file = dir.resolve("edited.db");
        try (SqliteJournal journal = SqliteJournal.open(file);
                SqliteJournal rows = SqliteJournal.builder(file).readOnly(true).build()) {
            appendSets(journal, 10);
            try (Connection c = SqliteTestSupport.jdbc(file); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE journal_entries SET value_json = '99' WHERE seq = 9");
            }
            assertThat(await(journal.since(8, 1))).singleElement()
                    .satisfies(e -> assertThat(e.value()).isEqualTo(Value.of(8)));
            assertThat(await(rows.since(8, 1))).singleElement()
                    .satisfies(e -> assertThat(e.value()).isEqualTo(Value.of(99)));
        }
    }

    private static void appendSets(SqliteJournal journal, int n) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(journal.append(JournalEntry.fromSet("/r/" + (i % 11), Value.of(i), i, "w", T0 + i)));
        }
        futures.forEach(f -> await(f));
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
