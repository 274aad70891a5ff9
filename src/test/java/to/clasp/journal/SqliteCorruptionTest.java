package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Corrupt rows fail the read that returns them, with the right kind of error. */
class SqliteCorruptionTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private Path journal() {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
            await(journal.append(JournalEntry.fromSet("/b", Value.of(new byte[] {9}), 1, "me", T0)));
            await(journal.append(JournalEntry.fromSet("/c", Value.of("ok"), 1, "me", T0)));
            await(journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(1), 1, "me", T0))));
            await(journal.snapshot(List.of(new ParamSnapshot("/b", Value.of(new byte[] {9}), 1, "me", T0))));
        }
        return file;
    }

    private static void sql(Path file, String update) throws Exception {
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.executeUpdate(update);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{not json", "", "[1,", "nul"})
    void corruptValueJsonFailsWithSerializationNamingTheSeq(String json) throws Exception {
        Path file = journal();
        sql(file, "UPDATE journal_entries SET value_json = '" + json + "' WHERE seq = 1");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.since(0, null), JournalException.Serialization.class))
                    .hasMessageContaining("seq 1");
            assertThat(assertFails(journal.query(JournalQuery.of("/a")), JournalException.Serialization.class))
                    .hasMessageContaining("seq 1");
            // Other entries still read.
            assertThat(await(journal.query(JournalQuery.of("/c")))).hasSize(1);
            assertThat(await(journal.since(1, null))).hasSize(2);
        }
    }

    @Test
    void aNullAddressInAForeignFileFailsTheReadThroughTheFuture() throws Exception {
        Path file = dir.resolve("foreign.db");
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            // The Rust shape, but without NOT NULL on address, as a hand-made file might have it.
            s.execute("CREATE TABLE journal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " timestamp INTEGER NOT NULL, author TEXT NOT NULL, address TEXT,"
                    + " signal_type TEXT NOT NULL, value_json TEXT NOT NULL, revision INTEGER,"
                    + " msg_type INTEGER NOT NULL, hmac TEXT)");
            s.execute("INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json,"
                    + " revision, msg_type) VALUES (1, 'me', NULL, 'param', '1', 1, 33)");
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.query(JournalQuery.of("/**")), JournalException.Serialization.class))
                    .hasMessageContaining("seq 1");
            // A range on the address index never meets the row.
            assertThat(await(journal.query(JournalQuery.of("/a/*")))).isEmpty();
            assertThat(assertFails(journal.since(0, null), JournalException.Serialization.class))
                    .hasMessageContaining("seq 1");
        }
    }

    @Test
    void corruptValueExactFailsWithSerializationNamingTheSeq() throws Exception {
        Path file = journal();
        sql(file, "UPDATE journal_entries SET value_exact = X'FFFF00' WHERE seq = 2");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.query(JournalQuery.of("/b")), JournalException.Serialization.class))
                    .hasMessageContaining("seq 2");
        }
    }

    @Test
    void anUnknownSignalTypeFailsWithSerializationNamingTheSeq() throws Exception {
        Path file = journal();
        sql(file, "UPDATE journal_entries SET signal_type = 'Event' WHERE seq = 3");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.since(0, null), JournalException.Serialization.class))
                    .hasMessageContaining("seq 3").hasMessageContaining("Event");
            // A type filter pushed into SQL never sees the row.
            assertThat(await(journal.query(JournalQuery.of("/**").types(SignalType.PARAM)))).hasSize(2);
        }
    }

    @Test
    void aSignalTypeStoredAsABlobIsReadAndFilteredAsItsText() throws Exception {
        Path file = journal();
        sql(file, "UPDATE journal_entries SET signal_type = CAST(signal_type AS BLOB) WHERE seq = 3");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<JournalEntry> all = await(journal.since(0, null));
            assertThat(all).extracting(JournalEntry::signalType).containsOnly(SignalType.PARAM);
            // Every filter agrees with what reads decode: the row is a PARAM to both.
            assertThat(await(journal.query(JournalQuery.of("/**").types(SignalType.PARAM))))
                    .extracting(JournalEntry::seq).containsExactly(1L, 2L, 3L);
            assertThat(await(journal.query(JournalQuery.of("/c").types(SignalType.PARAM))))
                    .extracting(JournalEntry::seq).containsExactly(3L);
            assertThat(await(journal.query(JournalQuery.of("/**").types(SignalType.EVENT)))).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[123, 456]", "{}", "[{\"address\":\"/a\"}]", "null"})
    void aCorruptSnapshotFailsWithSnapshot(String data) throws Exception {
        Path file = journal();
        sql(file, "UPDATE snapshots SET data_json = '" + data + "', data_exact = NULL "
                + "WHERE id = (SELECT max(id) FROM snapshots)");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertFails(journal.loadSnapshot(), JournalException.Snapshot.class);
            assertFails(journal.latestSnapshot(), JournalException.Snapshot.class);
            // Entries are unaffected.
            assertThat(await(journal.since(0, null))).hasSize(3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[{\"address\":\"no-slash\",\"value\":1,\"revision\":1,\"writer\":\"w\",\"timestamp\":1}]",
        "[{\"address\":\"\",\"value\":1,\"revision\":1,\"writer\":\"w\",\"timestamp\":1}]",
        "[{\"address\":\"/a\",\"value\":1,\"revision\":-1,\"writer\":\"w\",\"timestamp\":1}]",
        "[{\"address\":\"/a\",\"value\":1,\"revision\":1,\"writer\":\"w\",\"timestamp\":-1}]"})
    void aSnapshotWithParamsNoAppendWouldAcceptFailsWithSnapshot(String data) throws Exception {
        Path file = journal();
        sql(file, "UPDATE snapshots SET data_json = '" + data + "', data_exact = NULL "
                + "WHERE id = (SELECT max(id) FROM snapshots)");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.latestSnapshot(), JournalException.Snapshot.class))
                    .hasMessageContaining("[0]");
            assertFails(journal.loadSnapshot(), JournalException.Snapshot.class);
        }
    }

    @Test
    void aSnapshotWithANegativeSeqFailsWithSnapshot() throws Exception {
        Path file = journal();
        sql(file, "UPDATE snapshots SET seq_at = -1 WHERE id = (SELECT max(id) FROM snapshots)");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.latestSnapshot(), JournalException.Snapshot.class))
                    .hasMessageContaining("seq_at");
        }
    }

    @Test
    void aCorruptExactSnapshotFailsWithSnapshot() throws Exception {
        Path file = journal();
        sql(file, "UPDATE snapshots SET data_exact = X'FF' WHERE id = (SELECT max(id) FROM snapshots)");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertFails(journal.loadSnapshot(), JournalException.Snapshot.class);
        }
    }
}
