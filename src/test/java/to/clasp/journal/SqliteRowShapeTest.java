package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows another program wrote, of every shape the columns allow: reads return what each column
 * holds, whether or not the row has the usual shape that reads fetch in one column.
 */
class SqliteRowShapeTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private Path journalWith(String... valuesRows) throws Exception {
        Path file = dir.resolve("j.db");
        SqliteJournal.open(file).close();
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            for (String values : valuesRows) {
                s.execute("INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json, revision,"
                        + " msg_type) VALUES (" + values + ")");
            }
        }
        return file;
    }

    private static JournalEntry entry(long seq, String address, SignalType type, Value value, OptionalLong revision,
            int msgType) {
        return new JournalEntry(seq, T0 + seq, "w" + seq, address, type, value, revision, msgType);
    }

    private static List<JournalEntry> reversed(List<JournalEntry> entries) {
        List<JournalEntry> copy = new java.util.ArrayList<>(entries);
        java.util.Collections.reverse(copy);
        return copy;
    }

    @Test
    void everyShapeOfRowReadsAsItsColumnsSay() throws Exception {
        Path file = journalWith(
                T0 + 1 + ", 'w1', '/a/1', 'param', '1.5', 7, 33",
                T0 + 2 + ", 'w2', '/a/2', 'event', '2', NULL, 32",
                T0 + 3 + ", 'w3', '/a/3', 'stream', 'true', 4503599627370495, 33",
                T0 + 4 + ", 'w4', '/a/4', 'gesture', 'null', 4503599627370496, 33",
                T0 + 5 + ", 'w5', '/a/5', 'timeline', '[1]', -5, 32",
                T0 + 6 + ", 'w6', '/a/6', 'param', '3', 2.5, 33",
                T0 + 7 + ", 'w7', '/a/7', 'param', '4', 9, 7",
                T0 + 8 + ", 'w8', '/a/8', 'param', '5', 9, 32.0",
                T0 + 9 + ", 'w9', '/a/9', 'param', '\"x\"', 9223372036854775807, 33",
                T0 + 10 + ", 'w10', '/a/10', CAST('event' AS BLOB), '-0', 0, 32",
                T0 + 11 + ", 'w11', '/a/11', 'param', '1e2', 0, 33");
        List<JournalEntry> expected = List.of(
                entry(1, "/a/1", SignalType.PARAM, Value.of(1.5), OptionalLong.of(7), 33),
                entry(2, "/a/2", SignalType.EVENT, Value.of(2L), OptionalLong.empty(), 32),
                entry(3, "/a/3", SignalType.STREAM, Value.of(true), OptionalLong.of(4503599627370495L), 33),
                entry(4, "/a/4", SignalType.GESTURE, Value.NULL, OptionalLong.of(4503599627370496L), 33),
                entry(5, "/a/5", SignalType.TIMELINE, Value.of(List.of(Value.of(1L))), OptionalLong.of(-5), 32),
                entry(6, "/a/6", SignalType.PARAM, Value.of(3L), OptionalLong.of(2), 33),
                entry(7, "/a/7", SignalType.PARAM, Value.of(4L), OptionalLong.of(9), 7),
                entry(8, "/a/8", SignalType.PARAM, Value.of(5L), OptionalLong.of(9), 32),
                entry(9, "/a/9", SignalType.PARAM, Value.of("x"), OptionalLong.of(Long.MAX_VALUE), 33),
                entry(10, "/a/10", SignalType.EVENT, Value.of(-0.0), OptionalLong.of(0), 32),
                entry(11, "/a/11", SignalType.PARAM, Value.of(100.0), OptionalLong.of(0), 33));
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.since(0, null))).containsExactlyElementsOf(expected);
            assertThat(await(journal.query(JournalQuery.of("/**")))).containsExactlyElementsOf(expected);
            assertThat(await(journal.query(JournalQuery.of("/a/*").descending())))
                    .containsExactlyElementsOf(reversed(expected));
            assertThat(await(journal.query(JournalQuery.of("/a/1*")))).containsExactly(
                    expected.get(0), expected.get(9), expected.get(10));
            assertThat(await(journal.query(JournalQuery.of("/a/*").types(SignalType.STREAM, SignalType.GESTURE))))
                    .containsExactly(expected.get(2), expected.get(3));
        }
        try (SqliteJournal readOnly = SqliteJournal.openReadOnly(file)) {
            assertThat(await(readOnly.since(0, null))).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void textHoldingNulCharactersOrAnEmptyAuthorReadsAsStored() throws Exception {
        // Reads fetch address, value_json and author joined by NULs; these rows cannot be split.
        Path file = journalWith(
                T0 + 1 + ", 'w' || char(0) || '1', '/a/1', 'param', '1', 1, 33",
                T0 + 2 + ", 'w2', '/a/' || char(0) || '2', 'param', '2', 2, 33",
                T0 + 3 + ", char(0) || char(0), '/a/3', 'event', '\"x\"', NULL, 32",
                T0 + 4 + ", '', '/a/4', 'param', '4', 4, 33",
                T0 + 5 + ", 'w5', '/a/5', 'param', '5', 5, 33");
        List<JournalEntry> expected = List.of(
                new JournalEntry(1, T0 + 1, "w\u00001", "/a/1", SignalType.PARAM, Value.of(1L), OptionalLong.of(1), 33),
                new JournalEntry(2, T0 + 2, "w2", "/a/\u00002", SignalType.PARAM, Value.of(2L), OptionalLong.of(2), 33),
                new JournalEntry(3, T0 + 3, "\u0000\u0000", "/a/3", SignalType.EVENT, Value.of("x"),
                        OptionalLong.empty(), 32),
                new JournalEntry(4, T0 + 4, "", "/a/4", SignalType.PARAM, Value.of(4L), OptionalLong.of(4), 33),
                new JournalEntry(5, T0 + 5, "w5", "/a/5", SignalType.PARAM, Value.of(5L), OptionalLong.of(5), 33));
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.since(0, null))).containsExactlyElementsOf(expected);
            assertThat(await(journal.query(JournalQuery.of("/**").descending())))
                    .containsExactlyElementsOf(reversed(expected));
            assertThat(await(journal.query(JournalQuery.of("/a/3")))).containsExactly(expected.get(2));
        }
    }

    @Test
    void anUnknownSignalTypeOrANullColumnIsReportedWithItsSeq() throws Exception {
        Path file = journalWith(T0 + ", 'w', '/a', 'param', '1', 1, 33", T0 + ", 'w', '/a', 'bogus', '1', 1, 33");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(assertFails(journal.since(0, null), JournalException.Serialization.class))
                    .hasMessageContaining("seq 2").hasMessageContaining("unknown signal_type 'bogus'");
            assertThat(await(journal.since(0, 1))).extracting(JournalEntry::seq).containsExactly(1L);
        }
    }
}
