package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/** compact (with and without --vacuum) and verify. */
class CliCompactVerifyTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final String PADDING = "x".repeat(300);

    @TempDir
    Path dir;

    private static void sql(Path file, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** A file laid out as the Rust crate creates it (auto_vacuum NONE), with n big entries. */
    private Path rustStyleFile(int n) throws Exception {
        Path file = dir.resolve("rust.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("CREATE TABLE journal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL,"
                    + " author TEXT NOT NULL, address TEXT NOT NULL, signal_type TEXT NOT NULL,"
                    + " value_json TEXT NOT NULL, revision INTEGER, msg_type INTEGER NOT NULL, hmac TEXT)");
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

    @Test
    void compactKeepLastOnANewFileGivesSpaceBack() {
        Path file = dir.resolve("j.db");
        try (SqliteJournal j = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> f = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                f.add(j.append(JournalEntry.fromSet("/p/" + i % 10, Value.of(PADDING + i), i, "w", T0 + i)));
            }
            f.forEach(CompletableFuture::join);
        }
        Cli.Result r = Cli.run("compact", file.toString(), "--keep-last", "100");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("removing the entries with a seq below 1901 (latest seq 2000)")
                .contains("removed 1,900 entries; gave back ").doesNotContain("gave back 0 B").doesNotContain("--vacuum");
        Cli.Result latest = Cli.run("latest", file.toString());
        assertThat(latest.out()).contains("latest seq: 2000", "entries:    100 (seqs 1901..2000)");
    }

    @Test
    void aRustFileIsToldToVacuumAndThenShrinks() throws Exception {
        Path file = rustStyleFile(2_000);
        Cli.Result compact = Cli.run("compact", file.toString(), "--before", "1901");
        assertThat(compact.code()).as(compact.toString()).isZero();
        assertThat(compact.out()).contains("removed 1,900 entries; gave back 0 B")
                .contains("this file does not shrink (created by the Rust crate)").contains("add --vacuum");
        assertThat(Cli.run("stats", file.toString()).out()).contains("does not shrink this file");

        Cli.Result vacuum = Cli.run("compact", file.toString(), "--vacuum");
        assertThat(vacuum.code()).as(vacuum.toString()).isZero();
        assertThat(vacuum.out()).contains("converting it to incremental auto-vacuum")
                .contains("and shrinks on compaction").doesNotContain("gave back 0 B");
        assertThat(vacuum.err()).contains("vacuum: started", "vacuum: done");
        Cli.Result stats = Cli.run("stats", file.toString());
        assertThat(stats.out()).contains("shrinks the file (incremental auto-vacuum)", ", 0 free (0 B)",
                "entries       100, seqs 1901..2000");

        Cli.Result again = Cli.run("compact", file.toString(), "--keep-last", "10");
        assertThat(again.out()).contains("removed 90 entries").doesNotContain("gave back 0 B").doesNotContain("does not shrink");
    }

    @Test
    void verifyChecksEveryHmac() throws Exception {
        Path file = Cli.fixture("journal-hmac.db", dir);
        Path right = Cli.key(dir, 42);
        Cli.Result ok = Cli.run("verify", file.toString(), "--key-file", right.toString());
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(ok.out()).isEqualTo("verified 3 entries of " + file + ": every HMAC matches the key\n");

        Cli.Result wrong = Cli.run("verify", file.toString(), "--key-file", Cli.key(dir, 7).toString());
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.out()).contains("3 of 3 entries failed the check (all of them: is it the right key?)",
                "first bad seqs: [1, 2, 3]");

        sql(file, "UPDATE journal_entries SET value_json = '43' WHERE seq = 2");
        Cli.Result tampered = Cli.run("verify", file.toString(), "--key-file", right.toString());
        assertThat(tampered.code()).isEqualTo(1);
        assertThat(tampered.out()).contains("1 of 3 entries failed the check\n", "first bad seqs: [2]",
                "seq 2: HMAC mismatch");
    }

    @Test
    void verifyFindsTheNewestEntriesCutOff() throws Exception {
        Path file = dir.resolve("cut.db");
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 5);
        try (SqliteJournal j = SqliteJournal.builder(file).hmacKey(key).build()) {
            for (int i = 0; i < 10; i++) {
                j.append(JournalEntry.fromSet("/s/" + i, Value.of(i), 1, "w", T0 + i)).join();
            }
        }
        Path keyFile = Cli.key(dir, 5);
        assertThat(Cli.run("verify", file.toString(), "--key-file", keyFile.toString()).code()).isZero();

        sql(file, "DELETE FROM journal_entries WHERE seq >= 9");
        Cli.Result r = Cli.run("verify", file.toString(), "--key-file", keyFile.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("every entry read matches the key, but the file fails its integrity check",
                "seq 10: the newest entry is missing");
    }

    @Test
    void verifyReadsPastBadRowsOnALargeFileWithProgress() throws Exception {
        Path file = dir.resolve("signed.db");
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 5);
        try (SqliteJournal j = SqliteJournal.builder(file).hmacKey(key).build()) {
            List<CompletableFuture<Long>> f = new ArrayList<>();
            for (int i = 0; i < 12_000; i++) {
                f.add(j.append(JournalEntry.fromSet("/s/" + i % 7, Value.of(i), i, "w", T0 + i)));
            }
            f.forEach(CompletableFuture::join);
        }
        sql(file, "UPDATE journal_entries SET value_json = '-1' WHERE seq IN (1, 2001, 2002, 7000, 12000)");
        Cli.Result r = Cli.run("verify", file.toString(), "--key-file", Cli.key(dir, 5).toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("5 of 12,000 entries failed the check\n", "first bad seqs: [1, 2001, 2002, 7000, 12000]");
        assertThat(r.err().lines()).containsExactly("verify: started (12,000 to do)", "verify: 25% (3,000 of 12,000)",
                "verify: 50% (6,000 of 12,000)", "verify: 75% (9,000 of 12,000)", "verify: done (12,000)");
    }
}
