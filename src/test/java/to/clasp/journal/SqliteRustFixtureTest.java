package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.copyFixture;
import static to.clasp.journal.SqliteTestSupport.jdbc;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by the Rust crate read back exactly as the fixtures' README records. */
class SqliteRustFixtureTest {

    private static final long BASE = 1_708_500_000_000_000L;
    private static final List<String> ADDRESSES = List.of("/lights/room1/brightness",
            "/lights/room2/brightness", "/audio/mixer/volume", "/sensors/temp/room1", "/sensors/temp",
            "/a/b/c/d/e");
    private static final List<SignalType> PUBLISH_TYPES = List.of(SignalType.EVENT, SignalType.STREAM,
            SignalType.GESTURE, SignalType.TIMELINE);

    @TempDir
    Path dir;

    /** The values as the Rust file gives them back: no exact column, so Bytes and NaN are lossy. */
    private static List<Value> valuesAsStored() {
        Map<String, Value> rgb = new LinkedHashMap<>();
        rgb.put("r", Value.of(255));
        rgb.put("g", Value.of(0.5));
        return List.of(Value.of(0.75), Value.of(1.0), Value.of(-2.5e-7), Value.of(42),
                Value.of(-9007199254740993L), Value.of(Long.MAX_VALUE), Value.of(true), Value.NULL,
                Value.of("héllo \"quoted\" \n line"),
                Value.of(List.of(Value.of(1), Value.of(2.5), Value.of("x"))), Value.of(rgb),
                Value.of(List.of(Value.of(0), Value.of(1), Value.of(2), Value.of(255))), Value.NULL);
    }

    /** Every entry of journal.db, seq 3 to 28, as the README lists them. */
    static List<JournalEntry> expectedEntries() {
        List<Value> values = valuesAsStored();
        List<JournalEntry> all = new ArrayList<>();
        for (int seq = 1; seq <= 13; seq++) {
            all.add(new JournalEntry(seq, BASE + (seq - 1) * 1000L, "session-abc",
                    ADDRESSES.get((seq - 1) % 6), SignalType.PARAM, values.get(seq - 1),
                    OptionalLong.of(seq), JournalEntry.MSG_SET));
        }
        for (int k = 0; k < 13; k++) {
            int seq = 14 + k;
            all.add(new JournalEntry(seq, BASE + (seq - 1) * 1000L, "session-def",
                    ADDRESSES.get((3 + k) % 6), PUBLISH_TYPES.get(k % 4), values.get(k),
                    OptionalLong.empty(), JournalEntry.MSG_PUBLISH));
        }
        all.add(new JournalEntry(27, BASE + 26_000L, "session-abc", "/lights/room1/brightness",
                SignalType.PARAM, Value.of(0.5), OptionalLong.of(14), JournalEntry.MSG_SET));
        all.add(new JournalEntry(28, BASE + 27_000L, "session-xyz", "/sensors/temp",
                SignalType.EVENT, Value.of(false), OptionalLong.empty(), JournalEntry.MSG_PUBLISH));
        return all.subList(2, all.size()); // compact(3) removed seq 1 and 2
    }

    @Test
    void journalDbReadsBackExactly() {
        try (SqliteJournal journal = SqliteJournal.open(copyFixture("journal.db", dir))) {
            assertThat(await(journal.size())).isEqualTo(26);
            assertThat(await(journal.latestSeq())).isEqualTo(28);
            List<JournalEntry> expected = expectedEntries();
            assertThat(await(journal.since(0, null))).containsExactlyElementsOf(expected);
            assertThat(await(journal.query(JournalQuery.of("/**")))).containsExactlyElementsOf(expected);
            // Map order is the stored JSON's order.
            Value.Map map = (Value.Map) await(journal.since(10, 1)).get(0).value();
            assertThat(map.entries().keySet()).containsExactly("r", "g");
            // Float(1.0) stays a Float
            assertThat(await(journal.since(14, 1)).get(0).value()).isEqualTo(Value.of(1.0));
        }
    }

    @Test
    void journalDbPatternQueriesFollowGlobSemanticsNotLike() {
        try (SqliteJournal journal = SqliteJournal.open(copyFixture("journal.db", dir))) {
            assertThat(seqsOf(journal, JournalQuery.of("/lights/**")))
                    .containsExactly(7L, 8L, 13L, 17L, 18L, 23L, 24L, 27L);
            assertThat(seqsOf(journal, JournalQuery.of("/sensors/*"))).containsExactly(5L, 11L, 15L, 21L, 28L);
            assertThat(seqsOf(journal, JournalQuery.of("/sensors/temp"))).containsExactly(5L, 11L, 15L, 21L, 28L);
            assertThat(seqsOf(journal, JournalQuery.of("/*/*/brightness")))
                    .containsExactly(7L, 8L, 13L, 17L, 18L, 23L, 24L, 27L);
            assertThat(seqsOf(journal, JournalQuery.of("/**").types(SignalType.GESTURE, SignalType.TIMELINE)))
                    .containsExactly(16L, 17L, 20L, 21L, 24L, 25L);
            // The Rust crate's LIKE returned entries here; the glob matches nothing.
            assertThat(seqsOf(journal, JournalQuery.of("/LIGHTS/**"))).isEmpty();
            assertThat(seqsOf(journal, JournalQuery.of("/lights/room_/**"))).isEmpty();
            assertThat(seqsOf(journal, JournalQuery.of("/Sensors/*"))).isEmpty();
            assertThat(seqsOf(journal, JournalQuery.of("/Sensors/temp"))).isEmpty();
        }
    }

    @Test
    void journalDbSnapshotsReadBack() {
        try (SqliteJournal journal = SqliteJournal.open(copyFixture("journal.db", dir))) {
            List<ParamSnapshot> second = List.of(
                    new ParamSnapshot("/a/b/c/d/e",
                            Value.of(List.of(Value.of(0), Value.of(1), Value.of(2), Value.of(255))), 12,
                            "session-abc", 1708500000011000L),
                    new ParamSnapshot("/lights/room1/brightness", Value.NULL, 13, "session-abc",
                            1708500000012000L));
            assertThat(await(journal.loadSnapshot())).contains(second);
            Snapshot latest = await(journal.latestSnapshot()).orElseThrow();
            assertThat(latest.seq()).isEqualTo(28);
            assertThat(latest.createdAt()).isEqualTo(1795694857404327L);
            assertThat(latest.params()).isEqualTo(second);
        }
    }

    @Test
    void hmacDbVerifiesWithItsKey() {
        Path file = copyFixture("journal-hmac.db", dir);
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            assertThat(await(journal.size())).isEqualTo(3);
            assertThat(await(journal.latestSeq())).isEqualTo(3);
            List<JournalEntry> entries = await(journal.query(JournalQuery.of("/**")));
            assertThat(entries).extracting(JournalEntry::value)
                    .containsExactly(Value.of(0.75), Value.of(42), Value.of("héllo"));
            assertThat(seqs(entries)).containsExactly(1L, 2L, 3L);
            assertThat(await(journal.since(0, null))).isEqualTo(entries);
            assertThat(await(journal.loadSnapshot())).isEmpty();
        }
    }

    @Test
    void hmacDbReadsWithoutKey() {
        try (SqliteJournal journal = SqliteJournal.open(copyFixture("journal-hmac.db", dir))) {
            assertThat(await(journal.since(0, null))).extracting(JournalEntry::value)
                    .containsExactly(Value.of(0.75), Value.of(42), Value.of("héllo"));
        }
    }

    @Test
    void hmacDbFailsWithAWrongKey() {
        Path file = copyFixture("journal-hmac.db", dir);
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(7)).build()) {
            assertThat(await(journal.size())).isEqualTo(3);
            assertThat(await(journal.latestSeq())).isEqualTo(3);
            assertThat(assertFails(journal.query(JournalQuery.of("/**")), JournalException.Integrity.class).seq())
                    .isEqualTo(1);
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(1);
            assertThat(assertFails(journal.query(JournalQuery.of("/sensors/*")), JournalException.Integrity.class)
                    .seq()).isEqualTo(3);
            assertThat(assertFails(journal.query(JournalQuery.of("/sensors/temp")),
                    JournalException.Integrity.class).seq()).isEqualTo(3);
            assertThat(await(journal.query(JournalQuery.of("/Sensors/temp")))).isEmpty();
            assertThat(await(journal.loadSnapshot())).isEmpty();
        }
    }

    @Test
    void appendingToARustFileContinuesItsSeqsAndKeepsTheRustColumns() throws Exception {
        Path file = copyFixture("journal.db", dir);
        Value bytes = Value.of(new byte[] {0, 1, 2, (byte) 255});
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.append(JournalEntry.fromSet("/new", Value.of(1.0), 1, "me", BASE))))
                    .isEqualTo(29);
            assertThat(await(journal.append(JournalEntry.fromPublish("/new", SignalType.STREAM, bytes, "me",
                    BASE + 1)))).isEqualTo(30);
            assertThat(await(journal.latestSeq())).isEqualTo(30);
        }
        try (Connection c = jdbc(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, timestamp, author, address, signal_type, "
                        + "value_json, revision, msg_type, hmac FROM journal_entries WHERE seq >= 29 ORDER BY seq")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("value_json")).isEqualTo("1.0");
            assertThat(rs.getString("signal_type")).isEqualTo("param");
            assertThat(rs.getLong("revision")).isEqualTo(1);
            assertThat(rs.getInt("msg_type")).isEqualTo(33);
            assertThat(rs.getString("hmac")).isNull();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("value_json")).isEqualTo("[0,1,2,255]");
            assertThat(rs.getString("signal_type")).isEqualTo("stream");
            assertThat(rs.getObject("revision")).isNull();
            assertThat(rs.getInt("msg_type")).isEqualTo(32);
            assertThat(rs.next()).isFalse();
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<JournalEntry> tail = await(journal.since(28, null));
            assertThat(tail).extracting(JournalEntry::value).containsExactly(Value.of(1.0), bytes);
            assertThat(await(journal.since(0, null))).startsWith(expectedEntries().toArray(new JournalEntry[0]));
        }
    }

    private static List<Long> seqsOf(Journal journal, JournalQuery query) {
        return seqs(await(journal.query(query)));
    }
}
