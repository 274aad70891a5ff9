package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.sqlite.SqliteSchema;

/**
 * {@link Journal#stateAt(long)} on SQLite configurations the journal contract does not open:
 * with an HMAC key (entries verified with the link to the entry before, which need not be a
 * SET), and keeping more snapshots than the default; {@link Journal#checkpoint()} in both too.
 */
class SqliteStateAtTest {

    private static byte[] key() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        return key;
    }

    @Nested
    class WithAnHmacKey implements StateAtContract, CheckpointContract {
        @TempDir
        Path dir;
        private SqliteJournal journal;

        @Override
        public synchronized Journal journal() {
            if (journal == null) {
                journal = SqliteJournal.builder(dir.resolve("keyed.db")).hmacKey(key()).build();
            }
            return journal;
        }

        @AfterEach
        void close() {
            journal().close();
        }
    }

    @Nested
    class KeepingTenSnapshots implements StateAtContract, CheckpointContract {
        @TempDir
        Path dir;
        private SqliteJournal journal;

        @Override
        public synchronized Journal journal() {
            if (journal == null) {
                journal = SqliteJournal.builder(dir.resolve("ten.db")).snapshotsToKeep(10).build();
            }
            return journal;
        }

        @Override
        public int snapshotsKept() {
            return 10;
        }

        @AfterEach
        void close() {
            journal().close();
        }
    }

    @TempDir
    Path dir;

    @Test
    void aStateRecoveredFromAReadOnlyOpeningIsTheWritersState() {
        Path file = dir.resolve("ro.db");
        Snapshot written;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "w", 10)).join();
            journal.snapshot(List.of(new ParamSnapshot("/b", Value.of(2), 5, "w", 11))).join();
            journal.append(JournalEntry.fromSet("/a", Value.of(3), 2, "w", 12)).join();
            written = journal.stateAt(2).join();
        }
        try (SqliteJournal readOnly = SqliteJournal.openReadOnly(file)) {
            assertThat(readOnly.stateAt(2).join()).isEqualTo(written);
            assertThat(written.params()).containsExactly(
                    new ParamSnapshot("/a", Value.of(3), 2, "w", 12),
                    new ParamSnapshot("/b", Value.of(2), 5, "w", 11));
        }
    }

    /** What SQLite plans for {@code sql}, with every parameter bound to 1. */
    private static String explain(Path file, String sql) throws Exception {
        StringBuilder details = new StringBuilder();
        try (Connection c = SqliteTestSupport.jdbc(file);
                PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                ps.setLong(i, 1);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    details.append(rs.getString("detail")).append('\n');
                }
            }
        }
        return details.toString();
    }

    @Test
    void theSetsArePagedThroughARangeOfThePrimaryKey() throws Exception {
        Path file = dir.resolve("plan.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "w", 10)).join();
        }
        for (String sql : List.of(SqliteSchema.SETS_BETWEEN, SqliteSchema.withPreviousMac(SqliteSchema.SETS_BETWEEN),
                SqliteSchema.withUsualColumns(SqliteSchema.SETS_BETWEEN))) {
            assertThat(explain(file, sql)).as(sql)
                    .contains("USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")
                    .doesNotContain("SCAN").doesNotContain("TEMP B-TREE");
        }
    }

    private static void sql(Path file, String statement) throws Exception {
        try (Connection c = SqliteTestSupport.jdbc(file); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    @Test
    void aCorruptStartingSnapshotFailsAsSnapshotAndSeqsBeforeItAreStillFolded() throws Exception {
        Path file = dir.resolve("corrupt.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "w", 10)).join();
            journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(1), 1, "w", 10))).join();
            journal.append(JournalEntry.fromSet("/a", Value.of(2), 2, "w", 11)).join();
        }
        sql(file, "UPDATE snapshots SET data_json = 'not json', data_exact = NULL");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            for (long seq : new long[] {1, 2}) {
                assertThat(journal.stateAt(seq)).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                        .havingCause().isInstanceOf(JournalException.Snapshot.class);
            }
            assertThat(journal.stateAt(0).join()).isEqualTo(new Snapshot(0, 0, List.of()));
        }
    }

    @Test
    void withAKeyEntriesDeletedOtherwiseThanByCompactionFailAsIntegrityNotTruncated() throws Exception {
        Path file = dir.resolve("cut.db");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key()).build()) {
            for (int i = 1; i <= 6; i++) {
                journal.append(JournalEntry.fromSet("/a", Value.of(i), i, "w", 10 + i)).join();
            }
            journal.compact(2).join();
            // Compaction's own gap is a truncation.
            assertThat(journal.stateAt(3)).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                    .havingCause().isInstanceOf(JournalException.Truncated.class);
        }
        sql(file, "DELETE FROM journal_entries WHERE seq < 4");
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key()).build()) {
            assertThat(journal.stateAt(5)).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                    .havingCause().isInstanceOf(JournalException.Integrity.class);
        }
    }
}
