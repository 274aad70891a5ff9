package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HMAC signing and verification, and what tampering with a signed file does. */
class SqliteIntegrityTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final Value BYTES = Value.of(new byte[] {1, 2, 3, (byte) 200});

    @TempDir
    Path dir;

    /** seq 1: /a Int(1); seq 2: /b Bytes (has value_exact); seq 3: /c Float(NaN) (has value_exact). */
    private Path signedJournal(byte[] key) {
        Path file = dir.resolve("signed.db");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key).build()) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
            await(journal.append(JournalEntry.fromPublish("/b", SignalType.STREAM, BYTES, "me", T0 + 1)));
            await(journal.append(JournalEntry.fromSet("/c", Value.of(Double.NaN), 2, "me", T0 + 2)));
        }
        return file;
    }

    private static void sql(Path file, String update) throws Exception {
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(update)).isEqualTo(1);
        }
    }

    @Test
    void signedEntriesVerifyWithTheKey() throws Exception {
        Path file = signedJournal(key(9));
        try (Connection c = jdbc(file); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM journal_entries WHERE hmac IS NOT NULL "
                        + "AND (value_exact IS NULL) = (value_exact_hmac IS NULL)")) {
            assertThat(rs.getLong(1)).isEqualTo(3);
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(9)).build()) {
            assertThat(await(journal.since(0, null))).extracting(JournalEntry::value)
                    .containsExactly(Value.of(1), BYTES, Value.of(Double.NaN));
        }
    }

    @Test
    void aWrongKeyFailsOnTheFirstEntryReturned() {
        Path file = signedJournal(key(9));
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(10)).build()) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(1);
            assertThat(assertFails(journal.query(JournalQuery.of("/b")), JournalException.Integrity.class).seq())
                    .isEqualTo(2);
            assertThat(assertFails(journal.query(JournalQuery.of("/**").descending()),
                    JournalException.Integrity.class).seq()).isEqualTo(3);
            assertThat(await(journal.query(JournalQuery.of("/nothing")))).isEmpty();
            assertThat(await(journal.size())).isEqualTo(3);
        }
    }

    @Test
    void aFollowerEndsWithIntegrityAtATamperedEntryAfterDeliveringTheOnesBefore() throws Exception {
        Path file = signedJournal(key(9));
        sql(file, "UPDATE journal_entries SET value_json = '[1,2,3,201]' WHERE seq = 2");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(9)).build()) {
            TestFollower follower = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(follower);
            follower.awaitTerminated(java.time.Duration.ofSeconds(30));

            assertThat(follower.seqs()).containsExactly(1L);
            assertThat(follower.error()).isInstanceOf(JournalException.Integrity.class);
            assertThat(((JournalException.Integrity) follower.error()).seq()).isEqualTo(2);
            // A follower whose pattern skips the tampered entry is not stopped by it.
            TestFollower other = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/c"), 0).subscribe(other);
            other.awaitCount(1, java.time.Duration.ofSeconds(30));
            assertThat(other.seqs()).containsExactly(3L);
            assertThat(other.isTerminated()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "value_json|UPDATE journal_entries SET value_json = '2' WHERE seq = 1|1",
        "value_json of an exact row|UPDATE journal_entries SET value_json = '[1,2,3,201]' WHERE seq = 2|2",
        "value_exact|UPDATE journal_entries SET value_exact = X'4401020305' WHERE seq = 2|2",
        "value_exact removed|UPDATE journal_entries SET value_exact = NULL WHERE seq = 3|3",
        "value_exact_hmac removed|UPDATE journal_entries SET value_exact_hmac = NULL WHERE seq = 2|2",
        "value_exact added|UPDATE journal_entries SET value_exact = X'02' WHERE seq = 1|1",
        "address|UPDATE journal_entries SET address = '/z' WHERE seq = 1|1",
        "timestamp|UPDATE journal_entries SET timestamp = timestamp + 1 WHERE seq = 3|3",
        "hmac|UPDATE journal_entries SET hmac = '0000000000000000000000000000000000000000000000000000000000000000' WHERE seq = 2|2",
        "exact MAC moved to another row|UPDATE journal_entries SET value_exact_hmac = "
                + "(SELECT value_exact_hmac FROM journal_entries WHERE seq = 2) WHERE seq = 3|3",
    })
    void tamperingFailsTheReadNamingTheSeq(String what, String update, long seq) throws Exception {
        Path file = signedJournal(key(9));
        sql(file, update);
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(9)).build()) {
            JournalException.Integrity e = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(seq);
            assertThat(e).hasMessageContaining("seq " + seq);
            assertThat(assertFails(journal.query(JournalQuery.of("/**")), JournalException.Integrity.class).seq())
                    .isEqualTo(seq);
        }
    }

    @Test
    void upperCaseHexIsStillAccepted() throws Exception {
        Path file = signedJournal(key(9));
        sql(file, "UPDATE journal_entries SET hmac = upper(hmac) WHERE seq = 1");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(9)).build()) {
            assertThat(await(journal.since(0, null))).hasSize(3);
        }
    }

    @Test
    void rowsWrittenWithoutAKeyAreAcceptedWithOne() {
        Path file = dir.resolve("mixed.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            await(journal.append(JournalEntry.fromSet("/plain", BYTES, 1, "me", T0)));
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(3)).build()) {
            await(journal.append(JournalEntry.fromSet("/signed", BYTES, 2, "me", T0)));
            List<JournalEntry> all = await(journal.since(0, null));
            assertThat(seqs(all)).containsExactly(1L, 2L);
            assertThat(all).extracting(JournalEntry::value).containsOnly(BYTES);
        }
    }

    @Test
    void withoutAKeyNothingIsVerified() throws Exception {
        Path file = signedJournal(key(9));
        sql(file, "UPDATE journal_entries SET value_json = '2' WHERE seq = 1");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.since(0, 1)).get(0).value()).isEqualTo(Value.of(2));
        }
    }
}
