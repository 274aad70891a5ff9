package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.copyFixture;
import static to.clasp.journal.SqliteTestSupport.jdbc;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;
import static to.clasp.journal.SqliteTestSupport.sha256;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.sqlite.SqliteSchema;

/** Opening a journal file for inspection: nothing is created, migrated or changed. */
class SqliteReadOnlyTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void readsARustFileWithoutMigratingIt() throws Exception {
        Path file = copyFixture("journal.db", dir);
        String before = sha256(file);
        Path reference = Files.createDirectory(dir.resolve("ref"));
        List<JournalEntry> expected;
        try (SqliteJournal migrated = SqliteJournal.open(copyFixture("journal.db", reference))) {
            expected = await(migrated.since(0, null));
        }
        try (SqliteJournal journal = SqliteJournal.openReadOnly(file)) {
            assertThat(await(journal.since(0, null))).isEqualTo(expected);
            assertThat(seqs(await(journal.query(JournalQuery.of("/lights/**"))))).containsExactly(7L, 8L, 13L, 17L,
                    18L, 23L, 24L, 27L);
            assertThat(await(journal.latestSeq())).isEqualTo(28);
            assertThat(await(journal.size())).isEqualTo(26);
            assertThat(await(journal.latestSnapshot()).orElseThrow().seq()).isEqualTo(28);
            SqliteJournal.FileInfo info = await(journal.fileInfo());
            assertThat(info.snapshotCount()).isEqualTo(2);
            assertThat(info.newestSnapshotSeq()).isEqualTo(OptionalLong.of(28));
            assertThat(info.snapshotBytes()).isPositive();
            assertThat(info.shrinksOnCompaction()).isFalse();
            assertThat(info.pageSize()).isEqualTo(4096);
            assertThat(info.fileBytes()).isEqualTo(Files.size(file));
            assertThat(info.pageCount() * info.pageSize()).isEqualTo(info.fileBytes());
        }
        assertThat(sha256(file)).isEqualTo(before);
        try (Connection c = jdbc(file)) {
            assertThat(SqliteSchema.columns(c, "journal_entries")).doesNotContain("value_exact", "value_exact_hmac");
            assertThat(SqliteSchema.columns(c, "snapshots")).doesNotContain("data_exact");
        }
    }

    @Test
    void everyWriteFailsAndChangesNothing() {
        Path file = copyFixture("journal.db", dir);
        String before = sha256(file);
        try (SqliteJournal journal = SqliteJournal.openReadOnly(file)) {
            JournalEntry entry = JournalEntry.fromSet("/a", Value.of(1), 1, "w", T0);
            assertThat(assertFails(journal.append(entry), JournalException.Storage.class))
                    .hasMessageContaining("read-only").hasMessageContaining(file.getFileName().toString());
            assertThat(assertFails(journal.snapshot(List.of()), JournalException.Storage.class))
                    .hasMessageContaining("read-only");
            assertThat(assertFails(journal.compact(100), JournalException.Storage.class))
                    .hasMessageContaining("read-only");
            assertThat(assertFails(journal.vacuum(), JournalException.Storage.class))
                    .hasMessageContaining("read-only");
            assertThat(await(journal.size())).isEqualTo(26);
            assertThat(await(journal.latestSeq())).isEqualTo(28);
        }
        assertThat(sha256(file)).isEqualTo(before);
    }

    @Test
    void aMissingFileIsNotCreated() {
        Path file = dir.resolve("missing.db");
        assertThatThrownBy(() -> SqliteJournal.openReadOnly(file))
                .isInstanceOf(JournalException.Storage.class)
                .hasMessageContaining("missing.db").hasMessageContaining("no such file");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void filesThatAreNotJournalsAreRejectedUnchanged() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.db"));
        assertThatThrownBy(() -> SqliteJournal.openReadOnly(empty))
                .isInstanceOf(JournalException.Storage.class).hasMessageContaining("empty");
        assertThat(empty).isEmptyFile();

        Path text = Files.writeString(dir.resolve("notes.txt"), "x".repeat(200));
        assertThatThrownBy(() -> SqliteJournal.openReadOnly(text))
                .isInstanceOf(JournalException.Storage.class).hasMessageContaining("not a SQLite database");

        Path other = dir.resolve("other.db");
        try (Connection c = jdbc(other); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x)");
        }
        String before = sha256(other);
        assertThatThrownBy(() -> SqliteJournal.openReadOnly(other))
                .isInstanceOf(JournalException.Storage.class).hasMessageContaining("not a journal");
        assertThat(sha256(other)).isEqualTo(before);
        try (Connection c = jdbc(other)) {
            assertThat(SqliteSchema.columns(c, "journal_entries")).isEmpty();
        }
    }

    @Test
    void seesWhatAWriterCommitsMeanwhile() {
        Path file = dir.resolve("live.db");
        try (SqliteJournal writer = SqliteJournal.open(file);
                SqliteJournal reader = SqliteJournal.openReadOnly(file)) {
            assertThat(await(reader.latestSeq())).isZero();
            for (int i = 1; i <= 3; i++) {
                await(writer.append(JournalEntry.fromSet("/a/" + i, Value.of(i), i, "w", T0 + i)));
            }
            assertThat(seqs(await(reader.since(0, null)))).containsExactly(1L, 2L, 3L);
            await(writer.snapshot(List.of(new ParamSnapshot("/a/1", Value.of(1), 1, "w", T0))));
            assertThat(await(reader.latestSnapshot()).orElseThrow().seq()).isEqualTo(3);
            assertThat(await(reader.fileInfo()).shrinksOnCompaction()).isTrue();
        }
    }

    @Test
    void verifiesWithAKey() {
        Path file = copyFixture("journal-hmac.db", dir);
        try (SqliteJournal good = SqliteJournal.builder(file).readOnly(true).hmacKey(key(42)).build()) {
            assertThat(seqs(await(good.since(0, null)))).containsExactly(1L, 2L, 3L);
        }
        try (SqliteJournal wrong = SqliteJournal.builder(file).readOnly(true).hmacKey(key(7)).build()) {
            assertThat(assertFails(wrong.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(1);
        }
    }

    @Test
    void closedMeansClosed() {
        Path file = copyFixture("journal.db", dir);
        SqliteJournal journal = SqliteJournal.openReadOnly(file);
        journal.close();
        journal.close();
        assertFails(journal.since(0, null), JournalException.Closed.class);
        assertFails(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "w", T0)),
                JournalException.Closed.class);
    }

    /**
     * The file names of the examples, in a test directory: a local variable {@code InDir Path} makes
     * the examples' {@code Path.of("journal.db")} (a variable's method, which Java resolves before the
     * type's) name a file there instead of the working directory.
     */
    record InDir(Path dir) {
        Path of(String name) {
            return dir.resolve(name);
        }
    }

    /** The read-only, fileInfo and vacuum examples of docs/sqlite.md, as written there. */
    @Test
    void readmeExamples() throws Exception {
        Path file = copyFixture("journal.db", dir);
        Path signedDir = Files.createDirectory(dir.resolve("signed"));
        Files.move(copyFixture("journal-hmac.db", signedDir), signedDir.resolve("journal.db"));
        byte[] key32 = key(42);
        String before = sha256(file);
        List<JournalEntry> read;
        {
            InDir Path = new InDir(dir);
            try (SqliteJournal journal = SqliteJournal.openReadOnly(Path.of("journal.db"))) {
                List<JournalEntry> entries = journal.since(0, 100).join();
                read = entries;
            }
        }
        assertThat(read).hasSize(26);
        {
            InDir Path = new InDir(signedDir);
            // With a key: every entry read is verified.
            SqliteJournal signed = SqliteJournal.builder(Path.of("journal.db")).readOnly(true).hmacKey(key32).build();
            assertThat(await(signed.since(0, null))).hasSize(3);
            signed.close();
        }
        try (SqliteJournal journal = SqliteJournal.openReadOnly(file)) {
            SqliteJournal.FileInfo info = journal.fileInfo().join();
            System.out.println(info.fileBytes() + " bytes, " + info.freeBytes() + " free, "
                    + (info.shrinksOnCompaction() ? "shrinks" : "does not shrink") + " on compaction");
            String line = info.fileBytes() + " bytes, " + info.freeBytes() + " free, "
                    + (info.shrinksOnCompaction() ? "shrinks" : "does not shrink") + " on compaction";
            assertThat(line).isEqualTo("28672 bytes, 0 free, does not shrink on compaction");
        }
        assertThat(sha256(file)).isEqualTo(before);
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long reclaimed = journal.vacuum().join();
            assertThat(reclaimed).isNotNegative();
            assertThat(await(journal.fileInfo()).shrinksOnCompaction()).isTrue();
        }
    }
}
