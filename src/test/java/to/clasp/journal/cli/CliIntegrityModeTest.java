package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --integrity row} on the file this library signed and the Rust crate then kept writing
 * with the same key ({@code shared/fixtures/rust-keyed-shared}).
 */
class CliIntegrityModeTest {

    /** Where CI lays out the shared data: beside the clone, seen from the project directory. */
    private static final Path FIXTURE = Path.of("..", "shared", "fixtures", "rust-keyed-shared", "journal.db");

    @TempDir
    Path dir;

    private Path file() throws Exception {
        assertThat(FIXTURE).as("the shared fixture (a checkout of shared/ beside the project)").isRegularFile();
        return Files.copy(FIXTURE, dir.resolve("journal.db"));
    }

    @Test
    void verifyInRowModeChecksEveryEntryTheRustCrateChecks() throws Exception {
        Path file = file();
        String key = Cli.key(dir, 42).toString();
        Cli.Result ok = Cli.run("verify", file.toString(), "--key-file", key, "--integrity", "row");
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(ok.out()).startsWith("verified 83 entries of " + file + ": every HMAC matches the key (row mode");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE journal_entries SET timestamp = timestamp + 1 WHERE seq = 77");
        }
        Cli.Result bad = Cli.run("verify", file.toString(), "--key-file", key, "--integrity", "row");
        assertThat(bad.code()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.out()).contains("1 of 83 entries failed the check", "first bad seqs: [77]");
    }

    @Test
    void verifyInChainModeSaysToUseRowMode() throws Exception {
        Path file = file();
        Cli.Result r = Cli.run("verify", file.toString(), "--key-file", Cli.key(dir, 42).toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("first bad seqs: [10, 65, 66").contains("the Rust crate")
                .contains("--integrity row");
    }

    @Test
    void readCommandsTakeRowMode() throws Exception {
        Path file = file();
        String key = Cli.key(dir, 42).toString();
        Cli.Result query = Cli.run("query", file.toString(), "/rust/**", "--key-file", key, "--integrity", "row",
                "--json");
        assertThat(query.code()).as(query.toString()).isZero();
        assertThat(query.out().lines()).hasSize(28);
        Cli.Result since = Cli.run("since", file.toString(), "0", "--key-file", key, "--integrity", "ROW");
        assertThat(since.code()).as(since.toString()).isZero();
        assertThat(since.out()).contains("/rust/r1/nested");
        Cli.Result snapshot = Cli.run("snapshot", file.toString(), "--key-file", key, "--integrity", "row");
        assertThat(snapshot.code()).as(snapshot.toString()).isZero();
        assertThat(snapshot.out()).contains("/rust/r1/fpos0");

        Cli.Result chain = Cli.run("query", file.toString(), "/**", "--key-file", key);
        assertThat(chain.code()).isEqualTo(1);
        assertThat(chain.err()).contains("seq 10", "IntegrityMode.ROW", "add --integrity row");
    }

    @Test
    void integrityTakesChainOrRowWithAKeyOnAFile() throws Exception {
        Path file = file();
        String key = Cli.key(dir, 42).toString();
        Cli.Result other = Cli.run("verify", file.toString(), "--key-file", key, "--integrity", "rows");
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("--integrity takes chain or row, not 'rows'");
        Cli.Result noKey = Cli.run("query", file.toString(), "/**", "--integrity", "row");
        assertThat(noKey.code()).isEqualTo(2);
        assertThat(noKey.err()).contains("--key-file");
        Cli.Result postgres = Cli.run("query", "jdbc:postgresql://localhost:1/none", "/**", "--user", "u",
                "--password", "not-in-messages-9", "--key-file", key, "--integrity", "row");
        assertThat(postgres.code()).isEqualTo(2);
        assertThat(postgres.err()).contains("--integrity applies to a SQLite file only");
    }
}
