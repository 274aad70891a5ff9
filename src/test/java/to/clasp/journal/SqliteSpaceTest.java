package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.copyFixture;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots that do not pile up, and compaction that gives space back. */
class SqliteSpaceTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private static long count(Path file, String sql) throws Exception {
        try (Connection c = jdbc(file); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.getLong(1);
        }
    }

    private static List<ParamSnapshot> state(int n) {
        return List.of(new ParamSnapshot("/p", Value.of(n), n, "w", T0 + n));
    }

    @Test
    void onlyTheNewestSnapshotsAreKept() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.builder(file).snapshotsToKeep(2).build()) {
            for (int i = 1; i <= 5; i++) {
                await(journal.append(JournalEntry.fromSet("/p", Value.of(i), i, "w", T0 + i)));
                assertThat(await(journal.snapshot(state(i)))).isEqualTo(i);
            }
            assertThat(await(journal.loadSnapshot())).contains(state(5));
            assertThat(await(journal.latestSnapshot()).orElseThrow().seq()).isEqualTo(5);
        }
        assertThat(count(file, "SELECT count(*) FROM snapshots")).isEqualTo(2);
        assertThat(count(file, "SELECT min(seq_at) FROM snapshots")).isEqualTo(4);

        try (SqliteJournal journal = SqliteJournal.open(file)) {
            for (int i = 6; i <= 10; i++) {
                await(journal.snapshot(state(i)));
            }
        }
        assertThat(count(file, "SELECT count(*) FROM snapshots")).isEqualTo(SqliteJournal.DEFAULT_SNAPSHOTS_TO_KEEP);
    }

    @Test
    void compactionShrinksTheFileAndKeepsLatestSeq() throws Exception {
        Path file = dir.resolve("j.db");
        int n = 4_000;
        String padding = "x".repeat(400);
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(journal.append(JournalEntry.fromSet("/big/" + (i % 50), Value.of(padding + i), i,
                        "w", T0 + i)));
            }
            futures.forEach(CompletableFuture::join);
            long full = checkpointedSize(file);
            assertThat(full).isGreaterThan(n * 400L);

            assertThat(await(journal.compact(n - 9))).isEqualTo(n - 10);
            long compacted = checkpointedSize(file);
            assertThat(compacted).isLessThan(full / 10);
            assertThat(count(file, "PRAGMA freelist_count")).isZero();

            assertThat(await(journal.size())).isEqualTo(10);
            assertThat(await(journal.compact(Long.MAX_VALUE))).isEqualTo(10);
            assertThat(await(journal.latestSeq())).isEqualTo(n);
            assertThat(await(journal.append(JournalEntry.fromSet("/big/0", Value.of(1), 1, "w", T0)))).isEqualTo(n + 1);
        }
    }

    @Test
    void compactionShrinksTheFilePlusItsWalWhileTheJournalStaysOpen() throws Exception {
        Path file = dir.resolve("j.db");
        int n = 20_000;
        String padding = "x".repeat(400);
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(journal.append(JournalEntry.fromSet("/big/" + (i % 50), Value.of(padding + i), i,
                        "w", T0 + i)));
            }
            futures.forEach(CompletableFuture::join);
            long full = diskUse(file);
            assertThat(full).isGreaterThan(n * 400L);

            assertThat(await(journal.compact(n - 9))).isEqualTo(n - 10);
            assertThat(diskUse(file)).isLessThan(full / 20);

            // Writing on keeps the WAL within its limit.
            futures.clear();
            for (int i = 0; i < 2_000; i++) {
                futures.add(journal.append(JournalEntry.fromSet("/small", Value.of(i), i, "w", T0 + i)));
            }
            futures.forEach(CompletableFuture::join);
            assertThat(diskUse(file)).isLessThan(full / 4);
            assertThat(await(journal.size())).isEqualTo(2_010);
        }
    }

    /** The journal's main file plus its WAL, as they are: nothing is checkpointed first. */
    private static long diskUse(Path file) throws Exception {
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        return Files.size(file) + (Files.exists(wal) ? Files.size(wal) : 0);
    }

    /**
     * Checkpoints the WAL into the main file and truncates it, then measures the main file. The
     * journal's own checkpointer may be copying pages at that moment, and SQLite refuses a second
     * checkpoint while one runs: so this tries again for a while.
     */
    private static long checkpointedSize(Path file) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int busy;
        do {
            try (Connection c = jdbc(file); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                busy = rs.getInt(1);
            }
        } while (busy != 0 && System.nanoTime() < deadline);
        assertThat(busy).as("checkpoint not blocked").isZero();
        return Files.size(file);
    }

    @Test
    void compactingARustFileWorksButCannotShrinkIt() throws Exception {
        Path file = copyFixture("journal.db", dir);
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.compact(20))).isEqualTo(17);
            assertThat(await(journal.size())).isEqualTo(9);
            assertThat(await(journal.latestSeq())).isEqualTo(28);
            assertThat(await(journal.append(JournalEntry.fromSet("/x", Value.of(1), 1, "w", T0)))).isEqualTo(29);
        }
        // Files the Rust crate created have auto_vacuum=NONE; that is left as it is.
        assertThat(count(file, "PRAGMA auto_vacuum")).isZero();
    }

    @Test
    void inMemoryCompactionWorks() {
        try (SqliteJournal journal = SqliteJournal.inMemory()) {
            for (int i = 0; i < 100; i++) {
                journal.append(JournalEntry.fromSet("/m", Value.of(i), i, "w", T0));
            }
            assertThat(await(journal.compact(51))).isEqualTo(50);
            assertThat(await(journal.size())).isEqualTo(50);
            assertThat(await(journal.latestSeq())).isEqualTo(100);
        }
    }
}
