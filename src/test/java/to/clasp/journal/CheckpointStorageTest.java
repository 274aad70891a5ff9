package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.postgres.PostgresSchema;
import to.clasp.journal.internal.sql.SqlRows;

/**
 * {@link Journal#checkpoint()} where the backends' storage shows through: read-only journals,
 * signed rows, how many snapshots are kept, and a checkpoint that a newer snapshot of another
 * journal on the same storage overtook (not stored, so that snapshots stay in seq order).
 */
class CheckpointStorageTest {

    private static final long T0 = 1_708_500_000_000_000L;

    private static <T> T done(CompletableFuture<T> future) {
        return future.orTimeout(30, TimeUnit.SECONDS).join();
    }

    private static void appendSets(Journal journal, int n) {
        for (int i = 0; i < n; i++) {
            done(journal.append(JournalEntry.fromSet("/k/" + (i % 7), Value.of(i), i, "w", T0 + i)));
        }
    }

    private static void failsWith(CompletableFuture<?> future, Class<? extends JournalException> type) {
        assertThat(future).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
                .havingCause().isInstanceOf(type);
    }

    @Nested
    class Sqlite {
        @TempDir
        Path dir;

        @Test
        void aReadOnlyJournalFailsWithStorageAndChangesNothing() {
            Path file = dir.resolve("ro.db");
            try (SqliteJournal writer = SqliteJournal.open(file)) {
                appendSets(writer, 10);
            }
            try (SqliteJournal reader = SqliteJournal.openReadOnly(file)) {
                failsWith(reader.checkpoint(), JournalException.Storage.class);
                assertThat(done(reader.latestSnapshot())).isEmpty();
                assertThat(done(reader.fileInfo()).snapshotCount()).isZero();
            }
        }

        @Test
        void aKeyedJournalSignsTheRowAsASnapshotIsSigned() {
            byte[] key = new byte[32];
            Arrays.fill(key, (byte) 3);
            Path file = dir.resolve("keyed.db");
            Snapshot checkpoint;
            try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key).build()) {
                appendSets(journal, 30);
                checkpoint = done(journal.checkpoint());
                assertThat(done(journal.verifyIntegrity())).isEqualTo(30);
            }
            try (SqliteJournal again = SqliteJournal.builder(file).hmacKey(key).build()) {
                assertThat(done(again.latestSnapshot())).contains(checkpoint);
            }
            // Another key does not verify the row: it was signed.
            byte[] other = key.clone();
            other[0] = 9;
            try (SqliteJournal wrongKey = SqliteJournal.builder(file).hmacKey(other).readOnly(true).build()) {
                failsWith(wrongKey.latestSnapshot(), JournalException.Snapshot.class);
            }
        }

        @Test
        void onlyTheNewestSnapshotsAreKept() {
            try (SqliteJournal journal = SqliteJournal.builder(dir.resolve("kept.db")).snapshotsToKeep(2).build()) {
                for (int i = 0; i < 5; i++) {
                    appendSets(journal, 3);
                    done(journal.checkpoint());
                }
                assertThat(done(journal.fileInfo()).snapshotCount()).isEqualTo(2);
            }
        }

        @Test
        void aCheckpointOvertakenByANewerSnapshotIsNotStored() {
            Path file = dir.resolve("shared.db");
            try (SqliteJournal journal = SqliteJournal.open(file); SqliteJournal other = SqliteJournal.open(file)) {
                appendSets(journal, 10);
                // Between the mark (at seq 10) and the row, another journal on the file appends
                // and stores a snapshot at seq 11: the row at 10 would hide it from recovery.
                CompletableFuture<Long> stored = journal.writer().checkpoint((seq, createdAt) -> {
                    done(other.append(JournalEntry.fromSet("/k/late", Value.of(1), 1, "o", T0)));
                    done(other.snapshot(List.of(new ParamSnapshot("/k/late", Value.of(1), 1, "o", T0))));
                    return SqlRows.encodeSnapshot(List.of(), null);
                });
                assertThat(done(stored)).isEqualTo(10);
                Snapshot newest = done(journal.latestSnapshot()).orElseThrow();
                assertThat(newest.seq()).isEqualTo(11);
                assertThat(done(journal.fileInfo()).snapshotCount()).isEqualTo(1);
            }
        }
    }

    @Nested
    class Postgres {

        @BeforeEach
        void server() {
            PostgresTestSupport.requireServer();
        }

        private PostgresJournal open(String schema, boolean readOnly) {
            return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).readOnly(readOnly)
                    .snapshotsToKeep(2).build();
        }

        @Test
        void aReadOnlyJournalFailsWithStorageAndChangesNothing() {
            String schema = PostgresTestSupport.freshSchema();
            try (PostgresJournal writer = open(schema, false); PostgresJournal reader = open(schema, true)) {
                appendSets(writer, 10);
                failsWith(reader.checkpoint(), JournalException.Storage.class);
                assertThat(done(reader.latestSnapshot())).isEmpty();
            }
        }

        @Test
        void onlyTheNewestSnapshotsAreKept() {
            try (PostgresJournal journal = open(PostgresTestSupport.freshSchema(), false)) {
                for (int i = 0; i < 5; i++) {
                    appendSets(journal, 3);
                    done(journal.checkpoint());
                }
                assertThat(done(journal.tableInfo()).snapshotCount()).isEqualTo(2);
            }
        }

        @Test
        void aCheckpointOvertakenByANewerSnapshotIsNotStored() {
            String schema = PostgresTestSupport.freshSchema();
            try (PostgresJournal journal = open(schema, false); PostgresJournal other = open(schema, false)) {
                appendSets(journal, 10);
                done(other.snapshot(List.of()));
                appendSets(other, 1);
                done(other.snapshot(List.of(new ParamSnapshot("/k/late", Value.of(1), 1, "o", T0))));
                // A checkpoint folded at seq 10 whose row comes after the snapshot at 11.
                assertThat(done(journal.writer().checkpoint(SqlRows.encodeSnapshot(List.of(), null), 10, T0)))
                        .isFalse();
                assertThat(done(journal.latestSnapshot()).orElseThrow().seq()).isEqualTo(11);
                // At the newest seq, or above it, the row is stored.
                assertThat(done(journal.writer().checkpoint(SqlRows.encodeSnapshot(List.of(), null), 11, T0)))
                        .isTrue();
                assertThat(done(journal.latestSnapshot()).orElseThrow().params()).isEmpty();
            }
        }

        @Test
        void checkpointsAndCompactionsWaitForTheSchemasMaintenanceLock() throws Exception {
            String schema = PostgresTestSupport.freshSchema();
            PostgresSchema sql = new PostgresSchema(schema);
            try (PostgresJournal journal = open(schema, false);
                    Connection other = PostgresTestSupport.dataSource().getConnection()) {
                appendSets(journal, 10);
                // Another journal's checkpoint or compaction, as the server sees it.
                try (ResultSet rs = other.createStatement().executeQuery(sql.tryMaintenanceLock)) {
                    assertThat(rs.next() && rs.getBoolean(1)).isTrue();
                }
                CompletableFuture<Snapshot> checkpoint = journal.checkpoint();
                CompletableFuture<Long> compaction = journal.compact(5);
                Thread.sleep(300);
                assertThat(checkpoint).isNotDone();
                assertThat(compaction).isNotDone();
                // Appends do not wait for it.
                appendSets(journal, 1);
                other.createStatement().executeQuery(sql.maintenanceUnlock).close();
                assertThat(done(checkpoint).seq()).isBetween(10L, 11L);
                assertThat(done(compaction)).isEqualTo(4);
            }
        }

        @Test
        void closingStopsACheckpointWaitingForTheLock() throws Exception {
            String schema = PostgresTestSupport.freshSchema();
            PostgresSchema sql = new PostgresSchema(schema);
            try (Connection other = PostgresTestSupport.dataSource().getConnection()) {
                CompletableFuture<Snapshot> checkpoint;
                try (PostgresJournal journal = open(schema, false)) {
                    appendSets(journal, 3);
                    other.createStatement().executeQuery(sql.tryMaintenanceLock).close();
                    checkpoint = journal.checkpoint();
                    Thread.sleep(100);
                }
                failsWith(checkpoint, JournalException.Closed.class);
                other.createStatement().executeQuery(sql.maintenanceUnlock).close();
            }
        }

        @Test
        void aKeyedJournalChecksTheEntriesItFolds() {
            byte[] key = new byte[32];
            Arrays.fill(key, (byte) 5);
            try (PostgresJournal journal = PostgresJournal.builder(PostgresTestSupport.dataSource())
                    .schema(PostgresTestSupport.freshSchema()).hmacKey(key).build()) {
                appendSets(journal, 20);
                Snapshot checkpoint = done(journal.checkpoint());
                assertThat(checkpoint.params()).isEqualTo(done(journal.stateAt(20)).params());
            }
        }
    }
}
