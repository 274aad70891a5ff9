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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of edit to a file this library signed, made with plain JDBC, is found through the
 * public API: the whole row, the order of entries, the integrity record and snapshots.
 */
class SqliteTamperTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final Value BYTES = Value.of(new byte[] {1, 2, 3, (byte) 200});
    private static final String ALL_BUT_SEQ = "timestamp, author, address, signal_type, value_json, revision, "
            + "msg_type, hmac, value_exact, value_exact_hmac, entry_mac";

    @TempDir
    Path dir;

    /**
     * seq 1 /a SET Int(1) rev 1 by me; seq 2 /b STREAM Bytes (value_exact); seq 3 /c SET NaN
     * (value_exact); seq 4 /a SET Int(4) rev 3 by you; seq 5 /a SET Int(5) rev 4 by me, same
     * timestamp as 4; seq 6 /d EVENT "x"; then a snapshot at seq 6.
     */
    private Path signedJournal() {
        Path file = dir.resolve("signed.db");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(9)).build()) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
            await(journal.append(JournalEntry.fromPublish("/b", SignalType.STREAM, BYTES, "me", T0 + 1)));
            await(journal.append(JournalEntry.fromSet("/c", Value.of(Double.NaN), 2, "me", T0 + 2)));
            await(journal.append(JournalEntry.fromSet("/a", Value.of(4), 3, "you", T0 + 3)));
            await(journal.append(JournalEntry.fromSet("/a", Value.of(5), 4, "me", T0 + 3)));
            await(journal.append(JournalEntry.fromPublish("/d", SignalType.EVENT, Value.of("x"), "me", T0 + 5)));
            assertThat(await(journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(5), 4, "me", T0 + 3),
                    new ParamSnapshot("/b", BYTES, 0, "me", T0 + 1))))).isEqualTo(6);
        }
        return file;
    }

    private static SqliteJournal openSigned(Path file) {
        return SqliteJournal.builder(file).hmacKey(key(9)).build();
    }

    /** Runs statements separated by {@code ;} with plain JDBC, bypassing the journal. */
    private static void sql(Path file, String statements) throws Exception {
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            for (String one : statements.split(";")) {
                if (!one.isBlank()) {
                    s.executeUpdate(one);
                }
            }
        }
    }

    private static long count(Path file, String query) throws Exception {
        try (Connection c = jdbc(file); Statement s = c.createStatement(); var rs = s.executeQuery(query)) {
            return rs.getLong(1);
        }
    }

    @Test
    void anUntouchedSignedJournalVerifiesEveryWayItIsRead() {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            List<JournalEntry> all = await(journal.since(0, null));
            assertThat(seqs(all)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(all).extracting(JournalEntry::value).containsExactly(Value.of(1), BYTES,
                    Value.of(Double.NaN), Value.of(4), Value.of(5), Value.of("x"));
            for (long seq = 0; seq < 6; seq++) {
                assertThat(seqs(await(journal.since(seq, 1)))).containsExactly(seq + 1);
            }
            assertThat(seqs(await(journal.query(JournalQuery.of("/**").descending())))).containsExactly(
                    6L, 5L, 4L, 3L, 2L, 1L);
            assertThat(seqs(await(journal.query(JournalQuery.of("/a"))))).containsExactly(1L, 4L, 5L);
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(6L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // every column of a row
        "timestamp|UPDATE journal_entries SET timestamp = timestamp + 1 WHERE seq = 4|4",
        "author|UPDATE journal_entries SET author = 'me' WHERE seq = 4|4",
        "address|UPDATE journal_entries SET address = '/z' WHERE seq = 4|4",
        "signal_type|UPDATE journal_entries SET signal_type = 'event' WHERE seq = 4|4",
        "value_json|UPDATE journal_entries SET value_json = '5' WHERE seq = 4|4",
        "revision changed|UPDATE journal_entries SET revision = 9 WHERE seq = 4|4",
        "revision set to NULL|UPDATE journal_entries SET revision = NULL WHERE seq = 4|4",
        "revision added|UPDATE journal_entries SET revision = 0 WHERE seq = 2|2",
        "msg_type|UPDATE journal_entries SET msg_type = 32 WHERE seq = 4|4",
        "msg_type beyond 32 bits|UPDATE journal_entries SET msg_type = 33 + 4294967296 WHERE seq = 4|4",
        "value_exact changed|UPDATE journal_entries SET value_exact = X'4401020305' WHERE seq = 2|2",
        "value_exact and its MAC set to NULL|UPDATE journal_entries SET value_exact = NULL, "
                + "value_exact_hmac = NULL WHERE seq = 2|2",
        "value_exact added|UPDATE journal_entries SET value_exact = X'02' WHERE seq = 4|4",
        "value_exact and its MAC copied from another row|UPDATE journal_entries SET (value_exact, "
                + "value_exact_hmac) = (SELECT value_exact, value_exact_hmac FROM journal_entries WHERE seq = 3) "
                + "WHERE seq = 2|2",
        "value_json and hmac copied from a row of the same address and time|UPDATE journal_entries SET "
                + "(value_json, hmac) = (SELECT value_json, hmac FROM journal_entries WHERE seq = 5) WHERE seq = 4|4",
        // its MACs
        "hmac changed|UPDATE journal_entries SET hmac = printf('%s%s', substr(hmac, 2), substr(hmac, 1, 1)) WHERE seq = 4|4",
        "hmac set to NULL|UPDATE journal_entries SET hmac = NULL WHERE seq = 4|4",
        "value_exact_hmac set to NULL|UPDATE journal_entries SET value_exact_hmac = NULL WHERE seq = 2|2",
        "entry_mac changed|UPDATE journal_entries SET entry_mac = printf('%s%s', substr(entry_mac, 2), substr(entry_mac, 1, 1)) WHERE seq = 4|4",
        "entry_mac set to NULL|UPDATE journal_entries SET entry_mac = NULL WHERE seq = 4|4",
        "entry_mac and hmac set to NULL, as if written without a key|UPDATE journal_entries SET "
                + "entry_mac = NULL, hmac = NULL WHERE seq = 4|4",
        "every MAC of a row set to NULL|UPDATE journal_entries SET entry_mac = NULL, hmac = NULL, "
                + "value_exact_hmac = NULL WHERE seq = 2|2",
        "entry_mac moved from another row|UPDATE journal_entries SET entry_mac = "
                + "(SELECT entry_mac FROM journal_entries WHERE seq = 5) WHERE seq = 4|4",
        // whole rows and their order
        "every column copied from the next row|UPDATE journal_entries SET (" + ALL_BUT_SEQ + ") = (SELECT "
                + ALL_BUT_SEQ + " FROM journal_entries WHERE seq = 5) WHERE seq = 4|4",
        "two rows swapped, seqs kept|UPDATE journal_entries SET seq = 100 WHERE seq = 4; "
                + "UPDATE journal_entries SET seq = 4 WHERE seq = 5; UPDATE journal_entries SET seq = 5 WHERE seq = 100|4",
        "a middle row deleted|DELETE FROM journal_entries WHERE seq = 4|5",
        "the first row deleted (not by compaction)|DELETE FROM journal_entries WHERE seq = 1|2",
        "a prefix deleted (not by compaction)|DELETE FROM journal_entries WHERE seq < 4|4",
        "a deleted row replaced by a copy of another|DELETE FROM journal_entries WHERE seq = 4; "
                + "INSERT INTO journal_entries (seq, " + ALL_BUT_SEQ + ") SELECT 4, " + ALL_BUT_SEQ
                + " FROM journal_entries WHERE seq = 1|4",
        "a forged row without MACs appended|INSERT INTO journal_entries (timestamp, author, address, "
                + "signal_type, value_json, revision, msg_type) VALUES (1, 'x', '/evil', 'param', '1', 1, 33)|7",
        "a forged row with a valid Rust hmac appended|INSERT INTO journal_entries (timestamp, author, address, "
                + "signal_type, value_json, revision, msg_type, hmac) SELECT timestamp, 'evil', address, "
                + "'param', value_json, 99, 33, hmac FROM journal_entries WHERE seq = 6|7",
        "a row copied with all its MACs to a new seq|INSERT INTO journal_entries (" + ALL_BUT_SEQ + ") SELECT "
                + ALL_BUT_SEQ + " FROM journal_entries WHERE seq = 6|7",
        "the last row moved to a later seq|UPDATE journal_entries SET seq = 8 WHERE seq = 6|8",
        // the integrity record
        "the integrity record deleted|DELETE FROM journal_integrity|1",
        "the integrity record deleted and a row's MACs set to NULL|DELETE FROM journal_integrity; "
                + "UPDATE journal_entries SET entry_mac = NULL, hmac = NULL WHERE seq = 4|1",
        "keyed_from moved past the end|UPDATE journal_integrity SET keyed_from = 100|1",
        "low_water moved|UPDATE journal_integrity SET low_water = 4|1",
        "the record's MAC set to another record's|UPDATE journal_integrity SET mac = "
                + "(SELECT entry_mac FROM journal_entries WHERE seq = 1)|1",
    })
    void everyEditIsFoundNamingTheFirstEntryItBreaks(String what, String edit, long seq) throws Exception {
        Path file = signedJournal();
        sql(file, edit);
        try (SqliteJournal journal = openSigned(file)) {
            JournalException.Integrity all = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(all.seq()).as(what).isEqualTo(seq);
            assertThat(all).hasMessageContaining("seq " + seq);
            // One entry at a time, as a paging reader such as a verify tool reads.
            assertThat(assertFails(journal.since(seq - 1, 1), JournalException.Integrity.class).seq())
                    .isEqualTo(seq);
            assertThat(assertFails(journal.query(JournalQuery.of("/**")), JournalException.Integrity.class)
                    .seq()).isEqualTo(seq);
            assertThat(assertFails(journal.query(JournalQuery.of("/**").descending()),
                    JournalException.Integrity.class).seq()).isGreaterThanOrEqualTo(seq);
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Integrity.class).seq())
                    .isIn(seq, 0L);
            // The entries before the damage still read.
            int before = (int) count(file, "SELECT count(*) FROM journal_entries WHERE seq < " + seq);
            assertThat(await(journal.since(0, before))).hasSize(before);
        }
    }

    @Test
    void anEditMadeWhileTheJournalIsOpenIsFoundToo() throws Exception {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.since(0, null))).hasSize(6);
            sql(file, "DELETE FROM journal_integrity; UPDATE journal_entries SET entry_mac = NULL, hmac = NULL, "
                    + "author = 'evil' WHERE seq = 4");
            assertThat(assertFails(journal.query(JournalQuery.of("/a").from(T0 + 3).to(T0 + 3)),
                    JournalException.Integrity.class).seq()).isEqualTo(4);
        }
    }

    @Test
    void aQueryFindsADeletedPredecessorOfAnEntryItReturns() throws Exception {
        Path file = signedJournal();
        sql(file, "DELETE FROM journal_entries WHERE seq = 3");
        try (SqliteJournal journal = openSigned(file)) {
            // /a returns seq 1, 4 and 5: seq 4 cannot find seq 3, the entry before it.
            JournalException.Integrity e = assertFails(journal.query(JournalQuery.of("/a")),
                    JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(4);
            assertThat(e).hasMessageContaining("seq 3").hasMessageContaining("missing");
            assertThat(seqs(await(journal.query(JournalQuery.of("/b"))))).containsExactly(2L);
        }
    }

    @Test
    void aRecordCopiedFromAnotherFileWithTheSameKeyIsFound() throws Exception {
        Path file = signedJournal();
        Path other = dir.resolve("other.db");
        try (SqliteJournal journal = SqliteJournal.open(other)) {
            for (int i = 0; i < 10; i++) {
                await(journal.append(JournalEntry.fromSet("/o", Value.of(i), i, "me", T0)));
            }
        }
        SqliteJournal.builder(other).hmacKey(key(9)).build().close(); // signing begins at seq 11
        sql(file, "DELETE FROM journal_integrity; ATTACH DATABASE '" + other.toAbsolutePath() + "' AS other; "
                + "INSERT INTO journal_integrity SELECT * FROM other.journal_integrity; "
                + "UPDATE journal_entries SET entry_mac = NULL, author = 'evil' WHERE seq = 4");
        try (SqliteJournal journal = openSigned(file)) {
            JournalException.Integrity e = assertFails(journal.query(JournalQuery.of("/a").from(T0 + 3).to(T0 + 3)),
                    JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(4);
            assertThat(e).hasMessageContaining("not this file's");
            assertFails(journal.latestSnapshot(), JournalException.Snapshot.class);
        }
    }

    // ---------------------------------------------------------------- snapshots

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "data_json|UPDATE snapshots SET data_json = replace(data_json, '\"revision\":4', '\"revision\":40')",
        "data_exact changed|UPDATE snapshots SET data_exact = substr(data_exact, 1, length(data_exact) - 1)",
        "data_exact set to NULL|UPDATE snapshots SET data_exact = NULL",
        "seq_at moved forward|UPDATE snapshots SET seq_at = seq_at + 1",
        "seq_at moved back|UPDATE snapshots SET seq_at = seq_at - 2",
        "created_at|UPDATE snapshots SET created_at = created_at + 1",
        "data_mac set to NULL|UPDATE snapshots SET data_mac = NULL",
        "data_mac changed|UPDATE snapshots SET data_mac = printf('%s%s', substr(data_mac, 2), substr(data_mac, 1, 1))",
        "a forged newer snapshot without a MAC|INSERT INTO snapshots (created_at, seq_at, data_json) "
                + "VALUES (1, 6, '[]')",
        "a copy with its MAC but another seq_at|INSERT INTO snapshots (created_at, seq_at, data_json, "
                + "data_exact, data_mac) SELECT created_at, 99, data_json, data_exact, data_mac FROM snapshots",
        "the integrity record deleted|DELETE FROM journal_integrity",
        "snapshots_from moved past the end|UPDATE journal_integrity SET snapshots_from = 100",
    })
    void everyEditOfASnapshotFailsLoadingIt(String what, String edit) throws Exception {
        Path file = signedJournal();
        sql(file, edit);
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(assertFails(journal.latestSnapshot(), JournalException.Snapshot.class))
                    .as(what).hasMessageContaining("integrity");
            assertFails(journal.loadSnapshot(), JournalException.Snapshot.class);
            // The full check reads the entries first: a broken record fails them already.
            Class<? extends JournalException> expected = edit.contains("journal_integrity")
                    ? JournalException.Integrity.class : JournalException.Snapshot.class;
            assertFails(journal.verifyIntegrity(), expected);
        }
    }

    @Test
    void anOlderSnapshotEditedIsFoundByTheFullCheckOnly() throws Exception {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            await(journal.snapshot(List.of()));
        }
        sql(file, "UPDATE snapshots SET seq_at = 1 WHERE id = 1");
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::params).asList().isEmpty();
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Snapshot.class))
                    .hasMessageContaining("seq 1");
        }
    }

    // ---------------------------------------------------------------- the full check

    @Test
    void theFullCheckCountsEveryEntryOfAnUntouchedJournal() {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.verifyIntegrity())).isEqualTo(6);
            await(journal.compact(3));
            assertThat(await(journal.verifyIntegrity())).isEqualTo(4);
            await(journal.compact(10));
            assertThat(await(journal.verifyIntegrity())).isZero();
        }
    }

    @Test
    void theFullCheckFindsACutOffTailThatReadsCannotSee() throws Exception {
        Path file = signedJournal();
        sql(file, "DELETE FROM journal_entries WHERE seq >= 5");
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L, 4L);
            JournalException.Integrity e = assertFails(journal.verifyIntegrity(), JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(6);
            assertThat(e).hasMessageContaining("newest entry is missing");
            // The next signed append links to the missing seq 6, so reads find the cut as well.
            assertThat(await(journal.append(JournalEntry.fromSet("/e", Value.of(7), 7, "me", T0)))).isEqualTo(7);
            assertThat(assertFails(journal.since(4, null), JournalException.Integrity.class).seq()).isEqualTo(7);
        }
    }

    @Test
    void theFullCheckReadsPageByPage() throws Exception {
        Path file = dir.resolve("big.db");
        try (SqliteJournal journal = openSigned(file)) {
            List<java.util.concurrent.CompletableFuture<Long>> pending = new java.util.ArrayList<>();
            for (int i = 0; i < 9_000; i++) {
                pending.add(journal.append(JournalEntry.fromSet("/n/" + (i % 10), Value.of(i), i, "me", T0 + i)));
            }
            pending.forEach(SqliteTestSupport::await);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(9_000);
        }
        sql(file, "DELETE FROM journal_entries WHERE seq = 4096"); // the last of the first page
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Integrity.class).seq()).isEqualTo(4097);
            // Compaction deletes in chunks of its own, moving the signed mark with each one.
            assertThat(await(journal.compact(5_000))).isEqualTo(4_998);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(4_001);
            assertThat(seqs(await(journal.since(0, 1)))).containsExactly(5_000L);
        }
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.verifyIntegrity())).isEqualTo(4_001);
        }
    }

    @Test
    void theFullCheckNeedsAKey() {
        Path file = signedJournal();
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.InvalidInput.class))
                    .hasMessageContaining("without an HMAC key");
        }
        SqliteJournal closed = openSigned(file);
        closed.close();
        assertFails(closed.verifyIntegrity(), JournalException.Closed.class);
    }

    @Test
    void theFullCheckOfARustFileGivesItsRowsTheRustCheck() {
        Path file = SqliteTestSupport.copyFixture("journal-hmac.db", dir);
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            assertThat(await(journal.verifyIntegrity())).isEqualTo(3);
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(7)).build()) {
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Integrity.class).seq()).isEqualTo(1);
        }
        Path unsigned = SqliteTestSupport.copyFixture("journal.db", dir);
        try (SqliteJournal journal = SqliteJournal.builder(unsigned).hmacKey(key(42)).build()) {
            assertThat(await(journal.verifyIntegrity())).isEqualTo(26);
        }
    }

    @Test
    void withoutTheKeyAnEditedSnapshotStillLoadsAsBefore() throws Exception {
        Path file = signedJournal();
        sql(file, "UPDATE snapshots SET seq_at = 2");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(2L);
        }
    }

    // ---------------------------------------------------------------- following

    @Test
    void aFollowedSignedJournalDeliversEntriesAndEndsWithIntegrityAtATamperedRow() throws Exception {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            TestFollower live = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(live);
            live.awaitCount(6, Duration.ofSeconds(30));
            await(journal.append(JournalEntry.fromSet("/e", Value.of(7), 5, "me", T0 + 7)));
            live.awaitCount(7, Duration.ofSeconds(30));
            assertThat(live.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(live.received().get(1).value()).isEqualTo(BYTES);
            assertThat(live.isTerminated()).isFalse();

            // Only the author column changes: the Rust hmac still matches, entry_mac does not.
            sql(file, "UPDATE journal_entries SET author = 'evil' WHERE seq = 4");
            TestFollower follower = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(follower);
            follower.awaitTerminated(Duration.ofSeconds(30));
            assertThat(follower.seqs()).containsExactly(1L, 2L, 3L);
            assertThat(follower.error()).isInstanceOf(JournalException.Integrity.class);
            assertThat(((JournalException.Integrity) follower.error()).seq()).isEqualTo(4);
            assertThat(follower.violations()).isEmpty();
        }
    }

    @Test
    void aFollowerFindsAPrefixDeletedOtherThanByCompaction() throws Exception {
        Path file = signedJournal();
        sql(file, "DELETE FROM journal_entries WHERE seq < 3");
        try (SqliteJournal journal = openSigned(file)) {
            TestFollower deleted = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(deleted);
            deleted.awaitTerminated(Duration.ofSeconds(30));
            assertThat(deleted.seqs()).isEmpty();
            assertThat(deleted.error()).isInstanceOf(JournalException.Integrity.class);
            assertThat(((JournalException.Integrity) deleted.error()).seq()).isEqualTo(3);
        }
    }

    @Test
    void aFollowerOfACompactedSignedJournalIsToldItIsTruncated() {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            await(journal.compact(3));
            TestFollower follower = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(follower);
            follower.awaitTerminated(Duration.ofSeconds(30));
            assertThat(follower.error()).isInstanceOf(JournalException.Truncated.class);
            TestFollower after = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 2).subscribe(after);
            after.awaitCount(4, Duration.ofSeconds(30));
            assertThat(after.seqs()).containsExactly(3L, 4L, 5L, 6L);
        }
    }

    // ---------------------------------------------------------------- legal changes

    @Test
    void compactionKeepsASignedJournalVerifiable() throws Exception {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.compact(4))).isEqualTo(3);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(4L, 5L, 6L);
            assertThat(seqs(await(journal.since(3, 1)))).containsExactly(4L);
            assertThat(seqs(await(journal.query(JournalQuery.of("/a"))))).containsExactly(4L, 5L);
            assertThat(await(journal.compact(2))).isZero(); // behind the mark: nothing moves
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(4L, 5L, 6L);
        }
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(4L, 5L, 6L);
            assertThat(await(journal.compact(100))).isEqualTo(3); // everything, and past the end
            assertThat(await(journal.append(JournalEntry.fromSet("/e", Value.of(7), 5, "me", T0 + 7))))
                    .isEqualTo(7);
            assertThat(await(journal.append(JournalEntry.fromSet("/e", Value.of(8), 6, "me", T0 + 8))))
                    .isEqualTo(8);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(7L, 8L);
        }
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(7L, 8L);
            assertThat(seqs(await(journal.since(7, null)))).containsExactly(8L);
            assertThat(await(journal.latestSnapshot())).isPresent();
        }
    }

    @Test
    void afterCompactionTheFirstEntryKeptIsStillGuarded() throws Exception {
        Path file = signedJournal();
        try (SqliteJournal journal = openSigned(file)) {
            await(journal.compact(4));
        }
        sql(file, "DELETE FROM journal_entries WHERE seq = 4");
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(5);
        }
    }

    @Test
    void aCompactedEntryPutBackIsFound() throws Exception {
        Path file = signedJournal();
        sql(file, "CREATE TABLE saved AS SELECT * FROM journal_entries WHERE seq = 3");
        try (SqliteJournal journal = openSigned(file)) {
            await(journal.compact(4));
        }
        sql(file, "INSERT INTO journal_entries SELECT * FROM saved");
        try (SqliteJournal journal = openSigned(file)) {
            JournalException.Integrity e = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(3);
            assertThat(e).hasMessageContaining("compaction");
        }
    }

    @Test
    void compactionRefusesToSignOverATamperedRecord() throws Exception {
        Path file = signedJournal();
        sql(file, "UPDATE journal_integrity SET low_water = 1, keyed_from = 3");
        try (SqliteJournal journal = openSigned(file)) {
            assertFails(journal.compact(3), JournalException.Integrity.class);
            assertThat(await(journal.size())).isEqualTo(6); // nothing deleted
        }
    }

    @Test
    void appendsAcrossBatchesThreadsAndReopeningFormOneChain() throws Exception {
        Path file = dir.resolve("busy.db");
        for (int round = 0; round < 2; round++) {
            try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(9)).maxBatchSize(7).build()) {
                List<Thread> threads = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    Thread writer = new Thread(() -> {
                        List<java.util.concurrent.CompletableFuture<Long>> pending = new java.util.ArrayList<>();
                        for (int i = 0; i < 100; i++) {
                            pending.add(journal.append(JournalEntry.fromSet("/t" + thread, Value.of(i), i,
                                    "me", T0 + i)));
                        }
                        pending.forEach(SqliteTestSupport::await);
                    });
                    writer.start();
                    threads.add(writer);
                }
                for (Thread t : threads) {
                    t.join();
                }
            }
        }
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.since(0, null))).hasSize(800);
            for (long after = 0; after < 800; after += 37) {
                assertThat(await(journal.since(after, 5))).hasSize(5);
            }
            assertThat(await(journal.query(JournalQuery.of("/t2").descending()))).hasSize(200);
        }
    }

    @Test
    void anAppendRejectedInsideABatchLeavesNoGapInTheChain() throws Exception {
        Path file = dir.resolve("trigger.db");
        SqliteJournal.open(file).close();
        try (Connection conn = jdbc(file); Statement s = conn.createStatement()) {
            s.execute("CREATE TRIGGER reject_bad BEFORE INSERT ON journal_entries WHEN NEW.address = '/bad' "
                    + "BEGIN SELECT RAISE(ABORT, 'rejected'); END");
        }
        try (SqliteJournal journal = openSigned(file)) {
            var a = journal.append(JournalEntry.fromSet("/ok", Value.of(1), 1, "me", T0));
            var bad = journal.append(JournalEntry.fromSet("/bad", Value.of(2), 2, "me", T0));
            var c = journal.append(JournalEntry.fromSet("/ok", Value.of(3), 3, "me", T0));
            assertThat(await(a)).isEqualTo(1);
            assertFails(bad, JournalException.Storage.class);
            assertThat(await(c)).isEqualTo(2);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L);
            assertThat(seqs(await(journal.since(1, 1)))).containsExactly(2L);
        }
    }

    // ---------------------------------------------------------------- Rust rows and keys

    @Test
    void rustRowsKeepExactlyTheRustGuarantee() throws Exception {
        Path file = SqliteTestSupport.copyFixture("journal-hmac.db", dir);
        sql(file, "UPDATE journal_entries SET author = 'someone else', revision = 99 WHERE seq = 2");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            // author and revision are outside the Rust crate's hmac: accepted, as Rust accepts them
            assertThat(await(journal.since(1, 1)).get(0).author()).isEqualTo("someone else");
            assertThat(await(journal.append(JournalEntry.fromSet("/ours", Value.of(1), 1, "me", T0))))
                    .isEqualTo(4);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L, 4L);
        }
        sql(file, "UPDATE journal_entries SET value_json = '43' WHERE seq = 2");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(2);
            assertThat(seqs(await(journal.since(3, null)))).containsExactly(4L);
        }
        // Our row 4 is held to the full rule: its author is covered.
        sql(file, "UPDATE journal_entries SET author = 'x' WHERE seq = 4");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            assertThat(assertFails(journal.since(3, null), JournalException.Integrity.class).seq()).isEqualTo(4);
        }
    }

    @Test
    void rustSnapshotsStayUncheckedWhileOursAreSigned() throws Exception {
        Path file = SqliteTestSupport.copyFixture("journal.db", dir); // Rust snapshots with ids 1 and 2
        sql(file, "UPDATE snapshots SET seq_at = 27 WHERE id = 2");
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(27L);
            assertThat(await(journal.snapshot(List.of()))).isEqualTo(28);
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(28L);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(26);
        }
        sql(file, "UPDATE snapshots SET seq_at = 20 WHERE id = 3");
        try (SqliteJournal journal = openSigned(file)) {
            assertFails(journal.latestSnapshot(), JournalException.Snapshot.class);
        }
    }

    @Test
    void openingWithAWrongKeyDoesNotTieTheFileToIt() throws Exception {
        Path file = SqliteTestSupport.copyFixture("journal-hmac.db", dir);
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(7)).build()) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(1);
        }
        try (Connection c = jdbc(file); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM journal_integrity")) {
            assertThat(rs.getLong(1)).isZero();
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L);
            assertThat(await(journal.append(JournalEntry.fromSet("/ours", Value.of(1), 1, "me", T0)))).isEqualTo(4);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L, 4L);
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(7)).build()) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(1);
            assertThat(assertFails(journal.since(3, null), JournalException.Integrity.class).seq()).isEqualTo(4);
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    @Test
    void entriesWrittenWithoutTheKeyAfterSigningBeganFailWithIt() {
        Path file = signedJournal();
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.append(JournalEntry.fromSet("/plain", Value.of(1), 1, "me", T0)))).isEqualTo(7);
            assertThat(await(journal.since(0, null))).hasSize(7); // no key: nothing checked
        }
        try (SqliteJournal journal = openSigned(file)) {
            JournalException.Integrity e = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(7);
            assertThat(e).hasMessageContaining("entry_mac is missing");
        }
    }

    @Test
    void strippingEverythingThisLibraryAddedLeavesTheRustGuaranteeOnly() throws Exception {
        // The documented limit: with the record and every entry_mac and data_mac removed, the file
        // is indistinguishable from one the Rust crate wrote, and gets the Rust crate's check.
        Path file = signedJournal();
        sql(file, "DROP TABLE journal_integrity; UPDATE journal_entries SET entry_mac = NULL; "
                + "UPDATE snapshots SET data_mac = NULL; UPDATE journal_entries SET author = 'x' WHERE seq = 4");
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(await(journal.since(3, 1)).get(0).author()).isEqualTo("x");
        }
        sql(file, "UPDATE journal_entries SET value_json = '7' WHERE seq = 5");
        try (SqliteJournal journal = openSigned(file)) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(5);
        }
    }
}
