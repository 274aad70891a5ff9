package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.copyFixture;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vacuum(): a file that never shrank gives space back, without losing an entry. */
class SqliteVacuumTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final String PADDING = "x".repeat(400);

    @TempDir
    Path dir;

    /** A file laid out as the Rust crate creates it: auto_vacuum NONE, its tables, n big rows. */
    private Path rustStyleFile(int n) throws Exception {
        Path file = dir.resolve("rust.db");
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("CREATE TABLE journal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL,"
                    + " author TEXT NOT NULL, address TEXT NOT NULL, signal_type TEXT NOT NULL,"
                    + " value_json TEXT NOT NULL, revision INTEGER, msg_type INTEGER NOT NULL, hmac TEXT)");
            s.execute("CREATE INDEX idx_entries_address ON journal_entries(address)");
            s.execute("CREATE TABLE snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL,"
                    + " seq_at INTEGER NOT NULL, data_json TEXT NOT NULL)");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO journal_entries (timestamp, author, address,"
                    + " signal_type, value_json, revision, msg_type) VALUES (?, 'w', ?, 'param', ?, ?, 33)")) {
                for (int i = 1; i <= n; i++) {
                    ps.setLong(1, T0 + i);
                    ps.setString(2, "/big/" + (i % 50));
                    ps.setString(3, "\"" + PADDING + i + "\"");
                    ps.setLong(4, i);
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
        return file;
    }

    private static long scalar(Path file, String sql) throws Exception {
        try (Connection c = jdbc(file); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.getLong(1);
        }
    }

    @Test
    void convertsAFileThatNeverShrankAndKeepsEveryEntry() throws Exception {
        int n = 3_000;
        Path file = rustStyleFile(n);
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.compact(n - 99))).isEqualTo(n - 100);
            SqliteJournal.FileInfo compacted = await(journal.fileInfo());
            assertThat(compacted.shrinksOnCompaction()).isFalse();
            assertThat(compacted.freePages()).isGreaterThan(100);
            List<JournalEntry> kept = await(journal.since(0, null));
            assertThat(kept).hasSize(100);

            long reclaimed = await(journal.vacuum());
            SqliteJournal.FileInfo vacuumed = await(journal.fileInfo());
            assertThat(reclaimed).isEqualTo((compacted.pageCount() - vacuumed.pageCount()) * compacted.pageSize());
            assertThat(reclaimed).isGreaterThanOrEqualTo(compacted.freeBytes() / 2);
            assertThat(vacuumed.shrinksOnCompaction()).isTrue();
            assertThat(vacuumed.freePages()).isZero();
            assertThat(vacuumed.fileBytes()).isLessThan(compacted.fileBytes() / 5);
            assertThat(await(journal.since(0, null))).isEqualTo(kept);
            assertThat(await(journal.latestSeq())).isEqualTo(n);

            // From now on compaction gives the space back by itself.
            long appended = await(journal.append(JournalEntry.fromSet("/big/0", Value.of(PADDING), 1, "w", T0)));
            assertThat(appended).isEqualTo(n + 1);
            await(journal.compact(n + 1));
            assertThat(await(journal.fileInfo()).freePages()).isZero();
        }
        assertThat(scalar(file, "PRAGMA auto_vacuum")).isEqualTo(2);
    }

    @Test
    void aRustFixtureStaysReadableAfterVacuum() throws Exception {
        Path file = copyFixture("journal.db", dir);
        List<JournalEntry> before;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            before = await(journal.since(0, null));
            assertThat(await(journal.vacuum())).isNotNegative();
            assertThat(await(journal.loadSnapshot())).isPresent();
        }
        try (SqliteJournal journal = SqliteJournal.openReadOnly(file)) {
            assertThat(await(journal.since(0, null))).isEqualTo(before);
            assertThat(await(journal.latestSeq())).isEqualTo(28);
        }
        assertThat(Files.size(file)).isPositive();
    }

    @Test
    void appendsAroundAVacuumAllCommitInOrder() throws Exception {
        Path file = rustStyleFile(500);
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            await(journal.compact(400));
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            CompletableFuture<Long> vacuum = null;
            for (int i = 0; i < 2_000; i++) {
                appends.add(journal.append(JournalEntry.fromSet("/v/" + i, Value.of(i), i, "w", T0 + i)));
                if (i == 1_000) {
                    vacuum = journal.vacuum();
                }
            }
            assertThat(await(vacuum)).isPositive();
            for (int i = 0; i < appends.size(); i++) {
                assertThat(await(appends.get(i))).isEqualTo(501L + i);
            }
            assertThat(await(journal.size())).isEqualTo(101 + 2_000);
        }
    }

    @Test
    void inMemoryVacuumWorks() {
        try (SqliteJournal journal = SqliteJournal.inMemory()) {
            for (int i = 0; i < 100; i++) {
                journal.append(JournalEntry.fromSet("/m", Value.of(PADDING), i, "w", T0));
            }
            await(journal.compact(90));
            assertThat(await(journal.vacuum())).isNotNegative();
            assertThat(await(journal.size())).isEqualTo(11);
            assertThat(await(journal.fileInfo()).fileBytes()).isZero();
        }
    }

    @Test
    void waitsForAnotherWritersLock() throws Exception {
        Path file = rustStyleFile(1_000);
        try (SqliteJournal journal = SqliteJournal.open(file); Connection other = jdbc(file);
                Statement s = other.createStatement()) {
            await(journal.compact(900));
            s.execute("BEGIN IMMEDIATE"); // another process's write transaction
            s.execute("INSERT INTO journal_entries (timestamp, author, address, signal_type, value_json, msg_type)"
                    + " VALUES (1, 'other', '/other', 'event', 'true', 32)");
            CompletableFuture<Long> vacuum = journal.vacuum();
            Thread.sleep(300);
            assertThat(vacuum).isNotDone();
            s.execute("COMMIT");
            assertThat(await(vacuum)).isPositive();
            assertThat(await(journal.size())).isEqualTo(102);
            assertThat(await(journal.latestSeq())).isEqualTo(1_001);
        }
    }
}
