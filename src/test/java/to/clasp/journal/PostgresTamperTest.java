package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import to.clasp.journal.internal.sql.IntegrityScan;

/**
 * Every kind of edit to a schema a keyed {@link PostgresJournal} wrote, made with plain SQL on
 * the real server, is found through the public API, naming the seq it breaks: the whole row,
 * the order of entries, the integrity record and snapshots (the table of docs/integrity.md).
 */
class PostgresTamperTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final Value BYTES = Value.of(new byte[] {1, 2, 3, (byte) 200});
    private static final String ALL_BUT_SEQ = "timestamp, author, address, signal_type, value_json, revision, "
            + "msg_type, hmac, value_exact, value_exact_hmac, entry_mac";

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    /**
     * A fresh schema holding: seq 1 /a SET Int(1) rev 1 by me; seq 2 /b STREAM Bytes
     * (value_exact); seq 3 /c SET NaN (value_exact); seq 4 /a SET Int(4) rev 3 by you; seq 5
     * /a SET Int(5) rev 4 by me, same timestamp as 4; seq 6 /d EVENT "x"; then a snapshot at
     * seq 6.
     */
    private static String signedJournal() {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = openSigned(schema)) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
            await(journal.append(JournalEntry.fromPublish("/b", SignalType.STREAM, BYTES, "me", T0 + 1)));
            await(journal.append(JournalEntry.fromSet("/c", Value.of(Double.NaN), 2, "me", T0 + 2)));
            await(journal.append(JournalEntry.fromSet("/a", Value.of(4), 3, "you", T0 + 3)));
            await(journal.append(JournalEntry.fromSet("/a", Value.of(5), 4, "me", T0 + 3)));
            await(journal.append(JournalEntry.fromPublish("/d", SignalType.EVENT, Value.of("x"), "me", T0 + 5)));
            assertThat(await(journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(5), 4, "me", T0 + 3),
                    new ParamSnapshot("/b", BYTES, 0, "me", T0 + 1))))).isEqualTo(6);
        }
        return schema;
    }

    private static PostgresJournal openSigned(String schema) {
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).hmacKey(key(9)).build();
    }

    /** Runs statements separated by {@code ;} in the journal's schema, bypassing the journal. */
    static void sql(String schema, String statements) throws Exception {
        try (Connection c = PostgresTestSupport.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try {
                for (String one : statements.split(";")) {
                    if (!one.isBlank()) {
                        s.execute(one);
                    }
                }
            } finally {
                s.execute("RESET search_path");
            }
        }
    }

    private static long count(String schema, String where) throws Exception {
        try (Connection c = PostgresTestSupport.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".journal_entries WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void anUntouchedSignedJournalVerifiesEveryWayItIsRead() {
        String schema = signedJournal();
        try (PostgresJournal journal = openSigned(schema)) {
            List<JournalEntry> all = await(journal.since(0, null));
            assertThat(seqs(all)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(all).extracting(JournalEntry::value).containsExactly(Value.of(1), BYTES,
                    Value.of(Double.NaN), Value.of(4), Value.of(5), Value.of("x"));
            for (long seq = 0; seq < 6; seq++) {
                assertThat(seqs(await(journal.since(seq, 1)))).containsExactly(seq + 1);
            }
            assertThat(seqs(await(journal.query(JournalQuery.of("/**").descending())))).containsExactly(
                    6L, 5L, 4L, 3L, 2L, 1L);
            assertThat(seqs(await(journal.query(JournalQuery.of("/a").limit(2))))).containsExactly(1L, 4L);
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(6L);
            assertThat(await(journal.stateAt(5)).params()).extracting(ParamSnapshot::address).containsExactlyInAnyOrder("/a", "/c");
            assertThat(await(journal.verifyIntegrity())).isEqualTo(6);
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
        "value_exact changed|UPDATE journal_entries SET value_exact = '\\x4401020305'::bytea WHERE seq = 2|2",
        "value_exact and its MAC set to NULL|UPDATE journal_entries SET value_exact = NULL, "
                + "value_exact_hmac = NULL WHERE seq = 2|2",
        "value_exact added|UPDATE journal_entries SET value_exact = '\\x02'::bytea WHERE seq = 4|4",
        "value_json and hmac copied from a row of the same address and time|UPDATE journal_entries SET "
                + "(value_json, hmac) = (SELECT value_json, hmac FROM journal_entries WHERE seq = 5) WHERE seq = 4|4",
        // its MACs
        "hmac changed|UPDATE journal_entries SET hmac = concat(substr(hmac, 2), substr(hmac, 1, 1)) WHERE seq = 4|4",
        "hmac set to NULL|UPDATE journal_entries SET hmac = NULL WHERE seq = 4|4",
        "entry_mac changed|UPDATE journal_entries SET entry_mac = concat(substr(entry_mac, 2), substr(entry_mac, 1, 1)) "
                + "WHERE seq = 4|4",
        "entry_mac set to NULL|UPDATE journal_entries SET entry_mac = NULL WHERE seq = 4|4",
        "every MAC of a row set to NULL, as if written without a key|UPDATE journal_entries SET entry_mac = NULL, "
                + "hmac = NULL, value_exact_hmac = NULL WHERE seq = 2|2",
        "entry_mac moved from another row|UPDATE journal_entries SET entry_mac = "
                + "(SELECT entry_mac FROM journal_entries WHERE seq = 5) WHERE seq = 4|4",
        // whole rows and their order
        "every column copied from the next row|UPDATE journal_entries SET (" + ALL_BUT_SEQ + ") = (SELECT "
                + ALL_BUT_SEQ + " FROM journal_entries WHERE seq = 5) WHERE seq = 4|4",
        "two rows swapped|UPDATE journal_entries SET seq = 100 WHERE seq = 4; "
                + "UPDATE journal_entries SET seq = 4 WHERE seq = 5; UPDATE journal_entries SET seq = 5 WHERE seq = 100|4",
        "a middle row deleted|DELETE FROM journal_entries WHERE seq = 4|5",
        "the first row deleted (not by compaction)|DELETE FROM journal_entries WHERE seq = 1|2",
        "a prefix deleted (not by compaction)|DELETE FROM journal_entries WHERE seq < 4|4",
        "a deleted row replaced by a copy of another|DELETE FROM journal_entries WHERE seq = 4; "
                + "INSERT INTO journal_entries (seq, " + ALL_BUT_SEQ + ") SELECT 4, " + ALL_BUT_SEQ
                + " FROM journal_entries WHERE seq = 1|4",
        "a forged row without MACs appended|INSERT INTO journal_entries (seq, timestamp, author, address, "
                + "signal_type, value_json, revision, msg_type) VALUES (7, 1, 'x', '/evil', 'param', '1', 1, 33); "
                + "UPDATE journal_seq SET last_seq = 7|7",
        "a copy of a row without MACs at a new seq|INSERT INTO journal_entries (seq, timestamp, author, address, "
                + "signal_type, value_json, revision, msg_type) SELECT 1040, timestamp, author, address, signal_type, "
                + "value_json, revision, msg_type FROM journal_entries WHERE seq = 4|1040",
        "a forged row with a valid Rust hmac appended|INSERT INTO journal_entries (seq, timestamp, author, "
                + "address, signal_type, value_json, revision, msg_type, hmac) SELECT 7, timestamp, 'evil', address, "
                + "'param', value_json, 99, 33, hmac FROM journal_entries WHERE seq = 6|7",
        "a row copied with all its MACs to a new seq|INSERT INTO journal_entries (seq, " + ALL_BUT_SEQ + ") SELECT 7, "
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
        String schema = signedJournal();
        sql(schema, edit);
        try (PostgresJournal journal = openSigned(schema)) {
            JournalException.Integrity all = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(all.seq()).as(what).isEqualTo(seq);
            assertThat(all).hasMessageContaining("seq " + seq);
            assertThat(assertFails(journal.since(seq - 1, 1), JournalException.Integrity.class).seq())
                    .isEqualTo(seq);
            assertThat(assertFails(journal.query(JournalQuery.of("/**")), JournalException.Integrity.class)
                    .seq()).isEqualTo(seq);
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Integrity.class).seq())
                    .isIn(seq, 0L);
            // The entries before the damage still read.
            int before = (int) count(schema, "seq < " + seq);
            assertThat(await(journal.since(0, before))).hasSize(before);
        }
    }

    @Test
    void aQueryFindsADeletedPredecessorOfAnEntryItReturns() throws Exception {
        String schema = signedJournal();
        sql(schema, "DELETE FROM journal_entries WHERE seq = 3");
        try (PostgresJournal journal = openSigned(schema)) {
            JournalException.Integrity e = assertFails(journal.query(JournalQuery.of("/a")),
                    JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(4);
            assertThat(e).hasMessageContaining("seq 3").hasMessageContaining("missing");
            assertThat(seqs(await(journal.query(JournalQuery.of("/b"))))).containsExactly(2L);
        }
    }

    @Test
    void anEditMadeWhileTheJournalIsOpenIsFoundToo() throws Exception {
        String schema = signedJournal();
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(await(journal.since(0, null))).hasSize(6);
            sql(schema, "UPDATE journal_entries SET author = 'evil' WHERE seq = 4");
            assertThat(assertFails(journal.query(JournalQuery.of("/a").from(T0 + 3).to(T0 + 3)),
                    JournalException.Integrity.class).seq()).isEqualTo(4);
        }
    }

    // ---------------------------------------------------------------- snapshots

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "data_json|UPDATE snapshots SET data_json = replace(data_json, '\"revision\":4', '\"revision\":40')",
        "an address inside the snapshot|UPDATE snapshots SET data_json = replace(data_json, '\"/a\"', '\"/z\"'), "
                + "data_exact = NULL",
        "data_exact changed|UPDATE snapshots SET data_exact = substring(data_exact FROM 1 FOR length(data_exact) - 1)",
        "data_exact set to NULL|UPDATE snapshots SET data_exact = NULL",
        "seq_at moved forward|UPDATE snapshots SET seq_at = seq_at + 1",
        "seq_at moved back|UPDATE snapshots SET seq_at = seq_at - 2",
        "created_at|UPDATE snapshots SET created_at = created_at + 1",
        "data_mac set to NULL|UPDATE snapshots SET data_mac = NULL",
        "data_mac changed|UPDATE snapshots SET data_mac = concat(substr(data_mac, 2), substr(data_mac, 1, 1))",
        "a forged newer snapshot without a MAC|INSERT INTO snapshots (created_at, seq_at, data_json) "
                + "VALUES (1, 6, '[]')",
        "a copy with its MAC but another seq_at|INSERT INTO snapshots (created_at, seq_at, data_json, "
                + "data_exact, data_mac) SELECT created_at, 99, data_json, data_exact, data_mac FROM snapshots",
        "the integrity record deleted|DELETE FROM journal_integrity",
        "snapshots_from moved past the end|UPDATE journal_integrity SET snapshots_from = 100",
    })
    void everyEditOfASnapshotFailsLoadingIt(String what, String edit) throws Exception {
        String schema = signedJournal();
        sql(schema, edit);
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(assertFails(journal.latestSnapshot(), JournalException.Snapshot.class))
                    .as(what).hasMessageContaining("integrity");
            assertFails(journal.loadSnapshot(), JournalException.Snapshot.class);
            if (!what.contains("forward") && !what.contains("another seq_at")) { // else above seq 6
                assertFails(journal.stateAt(6), JournalException.Snapshot.class);
            }
            Class<? extends JournalException> expected = edit.contains("journal_integrity")
                    ? JournalException.Integrity.class : JournalException.Snapshot.class;
            assertFails(journal.verifyIntegrity(), expected);
        }
    }

    @Test
    void anOlderSnapshotEditedIsFoundByTheFullCheckOnly() throws Exception {
        String schema = signedJournal();
        try (PostgresJournal journal = openSigned(schema)) {
            await(journal.snapshot(List.of()));
        }
        sql(schema, "UPDATE snapshots SET seq_at = 1 WHERE id = (SELECT min(id) FROM snapshots)");
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::params).asList().isEmpty();
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Snapshot.class))
                    .hasMessageContaining("seq 1");
        }
    }

    @Test
    void aCheckpointIsSignedAndNeverSignsATamperedEntry() throws Exception {
        String schema = signedJournal();
        try (PostgresJournal journal = openSigned(schema)) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(7), 9, "me", T0 + 7)));
            Snapshot checkpoint = await(journal.checkpoint());
            assertThat(checkpoint.seq()).isEqualTo(7);
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(7L);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(7);
        }
        sql(schema, "UPDATE snapshots SET seq_at = 6 WHERE seq_at = 7");
        try (PostgresJournal journal = openSigned(schema)) {
            assertFails(journal.latestSnapshot(), JournalException.Snapshot.class);
        }
        // The SET the fold keeps for /a (seq 7, after the snapshot at seq 6) is checked before it is signed.
        String tampered = signedJournal();
        try (PostgresJournal journal = openSigned(tampered)) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(7), 9, "me", T0 + 7)));
        }
        sql(tampered, "UPDATE journal_entries SET value_json = '70', hmac = NULL WHERE seq = 7");
        try (PostgresJournal journal = openSigned(tampered)) {
            assertThat(assertFails(journal.checkpoint(), JournalException.Integrity.class).seq()).isEqualTo(7);
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(6L);
        }
    }

    // ---------------------------------------------------------------- the full check

    @Test
    void theFullCheckFindsACutOffTailThatReadsCannotSee() throws Exception {
        String schema = signedJournal();
        sql(schema, "DELETE FROM journal_entries WHERE seq >= 5");
        try (PostgresJournal journal = openSigned(schema)) {
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
    void theFullCheckReadsPageByPageAndCompactionMovesTheMarkWithEachChunk() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        int n = IntegrityScan.PAGE + 100;
        try (PostgresJournal journal = openSigned(schema)) {
            List<CompletableFuture<Long>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                pending.add(journal.append(JournalEntry.fromSet("/n/" + (i % 10), Value.of(i), i, "me", T0 + i)));
            }
            pending.forEach(SqliteTestSupport::await);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(n);
        }
        sql(schema, "DELETE FROM journal_entries WHERE seq = " + IntegrityScan.PAGE); // the last of the first page
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Integrity.class).seq())
                    .isEqualTo(IntegrityScan.PAGE + 1L);
            assertThat(await(journal.compact(IntegrityScan.PAGE + 50L))).isEqualTo(IntegrityScan.PAGE + 48L);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(51);
            assertThat(seqs(await(journal.since(0, 1)))).containsExactly(IntegrityScan.PAGE + 50L);
        }
    }

    @Test
    void theFullCheckNeedsAKey() {
        String schema = signedJournal();
        try (PostgresJournal journal = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .build()) {
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.InvalidInput.class))
                    .hasMessageContaining("without an HMAC key");
        }
        PostgresJournal closed = openSigned(schema);
        closed.close();
        assertFails(closed.verifyIntegrity(), JournalException.Closed.class);
    }

    // ---------------------------------------------------------------- following and stateAt

    @Test
    void aFollowerEndsWithIntegrityAtATamperedRowAndAtAPrefixDeletedOtherThanByCompaction() throws Exception {
        String schema = signedJournal();
        sql(schema, "UPDATE journal_entries SET author = 'evil' WHERE seq = 4");
        try (PostgresJournal journal = openSigned(schema)) {
            TestFollower follower = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(follower);
            follower.awaitTerminated(Duration.ofSeconds(30));
            assertThat(follower.seqs()).containsExactly(1L, 2L, 3L);
            assertThat(((JournalException.Integrity) follower.error()).seq()).isEqualTo(4);
        }
        sql(schema, "UPDATE journal_entries SET author = 'you' WHERE seq = 4; DELETE FROM journal_entries WHERE seq < 3");
        try (PostgresJournal journal = openSigned(schema)) {
            TestFollower deleted = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(deleted);
            deleted.awaitTerminated(Duration.ofSeconds(30));
            assertThat(deleted.seqs()).isEmpty();
            assertThat(((JournalException.Integrity) deleted.error()).seq()).isEqualTo(3);
            assertThat(assertFails(journal.stateAt(4), JournalException.Integrity.class).seq()).isEqualTo(3);
        }
    }

    @Test
    void aFollowerOfACompactedSignedJournalIsToldItIsTruncated() {
        String schema = signedJournal();
        try (PostgresJournal journal = openSigned(schema)) {
            await(journal.compact(3));
            TestFollower follower = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(follower);
            follower.awaitTerminated(Duration.ofSeconds(30));
            assertThat(follower.error()).isInstanceOf(JournalException.Truncated.class);
            assertFails(journal.stateAt(1), JournalException.Truncated.class);
            TestFollower after = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 2).subscribe(after);
            after.awaitCount(4, Duration.ofSeconds(30));
            assertThat(after.seqs()).containsExactly(3L, 4L, 5L, 6L);
        }
    }

    // ---------------------------------------------------------------- legal changes

    @Test
    void compactionKeepsASignedJournalVerifiable() throws Exception {
        String schema = signedJournal();
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(await(journal.compact(4))).isEqualTo(3);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(4L, 5L, 6L);
            assertThat(seqs(await(journal.since(3, 1)))).containsExactly(4L);
            assertThat(await(journal.compact(2))).isZero(); // behind the mark: nothing moves
            assertThat(await(journal.verifyIntegrity())).isEqualTo(3);
            assertThat(await(journal.compact(100))).isEqualTo(3); // everything, and past the end
            assertThat(await(journal.append(JournalEntry.fromSet("/e", Value.of(7), 5, "me", T0 + 7))))
                    .isEqualTo(7);
        }
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(await(journal.append(JournalEntry.fromSet("/e", Value.of(8), 6, "me", T0 + 8))))
                    .isEqualTo(8);
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(7L, 8L);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(2);
        }
    }

    @Test
    void aCompactedEntryPutBackIsFoundAndTheFirstEntryKeptIsStillGuarded() throws Exception {
        String schema = signedJournal();
        sql(schema, "CREATE TABLE saved AS SELECT * FROM journal_entries WHERE seq = 3");
        try (PostgresJournal journal = openSigned(schema)) {
            await(journal.compact(4));
        }
        sql(schema, "INSERT INTO journal_entries SELECT * FROM saved");
        try (PostgresJournal journal = openSigned(schema)) {
            JournalException.Integrity e = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(3);
            assertThat(e).hasMessageContaining("compaction");
        }
        sql(schema, "DELETE FROM journal_entries WHERE seq <= 4");
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(5);
        }
    }

    @Test
    void compactionRefusesToSignOverATamperedRecord() throws Exception {
        String schema = signedJournal();
        sql(schema, "UPDATE journal_integrity SET low_water = 1, keyed_from = 3");
        try (PostgresJournal journal = openSigned(schema)) {
            assertFails(journal.compact(3), JournalException.Integrity.class);
            assertThat(await(journal.size())).isEqualTo(6); // nothing deleted
        }
    }

    @Test
    void entriesWrittenWithoutTheKeyAfterSigningBeganFailWithIt() {
        String schema = signedJournal();
        try (PostgresJournal journal = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .build()) {
            assertThat(await(journal.append(JournalEntry.fromSet("/plain", Value.of(1), 1, "me", T0)))).isEqualTo(7);
        }
        try (PostgresJournal journal = openSigned(schema)) {
            JournalException.Integrity e = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(e.seq()).isEqualTo(7);
            assertThat(e).hasMessageContaining("entry_mac is missing");
        }
    }

    /** A schema as a version before the chain wrote it with the key: rows with the Rust crate's MACs only. */
    private static String schemaFromBeforeTheChain() throws Exception {
        String schema = signedJournal();
        sql(schema, "ALTER TABLE journal_entries DROP COLUMN entry_mac; ALTER TABLE snapshots DROP COLUMN data_mac; "
                + "DROP TABLE journal_integrity");
        return schema;
    }

    @Test
    void aSchemaFromBeforeTheChainIsMigratedWhenOpenedForWritingAndItsRowsKeepTheRustCheck() throws Exception {
        String schema = schemaFromBeforeTheChain();
        try (PostgresJournal readOnly = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .hmacKey(key(9)).readOnly(true).build()) {
            assertThat(seqs(await(readOnly.since(0, null)))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(assertFails(readOnly.verifyIntegrity(), JournalException.InvalidInput.class))
                    .hasMessageContaining("open it once for writing");
        }
        sql(schema, "UPDATE journal_entries SET value_json = '7' WHERE seq = 5");
        try (PostgresJournal readOnly = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .hmacKey(key(9)).readOnly(true).build()) {
            assertThat(assertFails(readOnly.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(5);
        }
        sql(schema, "UPDATE journal_entries SET value_json = '5' WHERE seq = 5");
        try (PostgresJournal journal = openSigned(schema)) { // adds the columns; signing begins at seq 7
            assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(await(journal.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(6L);
            assertThat(await(journal.append(JournalEntry.fromSet("/e", Value.of(7), 5, "me", T0 + 7)))).isEqualTo(7);
            assertThat(await(journal.snapshot(List.of()))).isEqualTo(7);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(7);
        }
        // Rows from before signing began get the Rust crate's guarantee: the author is outside it.
        sql(schema, "UPDATE journal_entries SET author = 'x' WHERE seq = 4");
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(await(journal.since(3, 1)).get(0).author()).isEqualTo("x");
        }
        sql(schema, "UPDATE journal_entries SET author = 'x' WHERE seq = 7");
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(7);
        }
    }

    @Test
    void openingWithAWrongKeyDoesNotTieTheSchemaToIt() throws Exception {
        String schema = schemaFromBeforeTheChain();
        try (PostgresJournal wrong = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .hmacKey(key(7)).build()) {
            assertThat(assertFails(wrong.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(1);
        }
        try (Connection c = PostgresTestSupport.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".journal_integrity")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        try (PostgresJournal journal = openSigned(schema)) {
            assertThat(await(journal.append(JournalEntry.fromSet("/ours", Value.of(1), 1, "me", T0)))).isEqualTo(7);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(7);
        }
    }
}
