package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input: one clear line on stderr, exit 2 for usage errors and 1 for failures, nothing changed. */
class CliErrorsTest {

    @TempDir
    Path dir;

    private static void assertOneLine(Cli.Result r, int code, String... fragments) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains(fragments).doesNotContain("\tat ", "Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"stats", "latest", "snapshot", "tail", "export"})
    void aMissingFileIsAUsageErrorAndIsNotCreated(String command) {
        Path missing = dir.resolve("nope.db");
        assertOneLine(Cli.run(command, missing.toString()), 2, "nope.db", "no such file", "nothing was created");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void missingFileForTheOtherReadCommands() throws Exception {
        Path missing = dir.resolve("nope.db");
        assertOneLine(Cli.run("query", missing.toString(), "/**"), 2, "no such file");
        assertOneLine(Cli.run("since", missing.toString(), "0"), 2, "no such file");
        assertOneLine(Cli.run("verify", missing.toString(), "--key-file", Cli.key(dir, 1).toString()), 2,
                "no such file");
        assertOneLine(Cli.run("compact", missing.toString(), "--keep-last", "5"), 2, "no such file");
        assertOneLine(Cli.run("state", missing.toString(), "--seq", "0"), 2, "no such file", "nothing was created");
        assertOneLine(Cli.run("diff", missing.toString(), "--from-seq", "0"), 2, "no such file");
        assertOneLine(Cli.run("plot", missing.toString(), "/**", "--out", dir.resolve("p.png").toString()), 2,
                "no such file");
        assertThat(Files.exists(missing)).isFalse();
    }

    @Test
    void aFileThatIsNotAJournalIsAFailure() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.db"), "these are not the droids\n".repeat(10));
        String before = Cli.sha256(text);
        assertOneLine(Cli.run("stats", text.toString()), 1, "notes.db", "not a SQLite database",
                "give the path of a clasp-journal file");
        assertOneLine(Cli.run("compact", text.toString(), "--before", "3"), 1, "notes.db", "not a SQLite database");
        assertThat(Cli.sha256(text)).isEqualTo(before);
    }

    @Test
    void badPatternsTimesAndNumbersAreUsageErrors() {
        Path file = Cli.fixture("journal.db", dir);
        assertOneLine(Cli.run("query", file.toString(), "lights/**"), 2, "can never match", "'/lights/**'");
        assertOneLine(Cli.run("query", file.toString(), ""), 2, "pattern is empty");
        assertOneLine(Cli.run("query", file.toString(), "/**", "--from", "yesterday"), 2, "'yesterday' is not a time",
                "2024-02-21T07:20:00Z");
        assertOneLine(Cli.run("query", file.toString(), "/**", "--types", "param,blob"), 2, "'blob' is not a signal type");
        assertOneLine(Cli.run("query", file.toString(), "/**", "--limit", "-1"), 2, "--limit must not be negative");
        assertOneLine(Cli.run("query", file.toString(), "/**", "--from", "2000", "--to", "1000"), 2, "--from is after --to");
        assertOneLine(Cli.run("since", file.toString(), "many"), 2, "'many'");
        assertOneLine(Cli.run("frobnicate"), 2, "frobnicate");
        assertOneLine(Cli.run("compact", file.toString()), 2, "--before SEQ, --keep-last N or --older-than AGE");
        assertOneLine(Cli.run("compact", file.toString(), "--before", "3", "--keep-last", "3"), 2, "mutually exclusive");
    }

    @Test
    void keysThatCannotBeUsed() throws Exception {
        Path file = Cli.fixture("journal-hmac.db", dir);
        assertOneLine(Cli.run("verify", file.toString()), 2, "--key-file");
        Path shortKey = Files.writeString(dir.resolve("short.key"), "abc");
        assertOneLine(Cli.run("verify", file.toString(), "--key-file", shortKey.toString()), 2, "32 raw bytes or 64 hex digits");
        assertOneLine(Cli.run("verify", file.toString(), "--key-file", dir.resolve("none.key").toString()), 2,
                "cannot read the key file");
        Cli.Result wrong = Cli.run("since", file.toString(), "0", "--key-file", Cli.key(dir, 7).toString());
        assertOneLine(wrong, 1, "integrity check failed for seq 1", "wrong key");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Path text = dir.resolve("x.db");
        Cli.Result quiet = Cli.run("stats", text.toString());
        Cli.Result verbose = Cli.run("stats", text.toString(), "--verbose");
        assertThat(quiet.err()).doesNotContain("\tat ");
        assertThat(verbose.err()).startsWith(quiet.err()).contains("\tat to.clasp.journal.cli.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "stats", "query", "since", "latest", "snapshot", "state", "diff", "plot", "tail",
        "compact", "verify", "export", "import"})
    void everyCommandHasHelpWithAnExample(String command) {
        Cli.Result r = Cli.run(command, "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: clasp-journal " + command).contains("Example").contains("clasp-journal "
                + command + " ");
        assertThat(Cli.run("help", command).out()).isEqualTo(r.out());
    }

    @Test
    void topLevelHelpListsTheCommands() {
        Cli.Result r = Cli.run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo", "stats", "query", "since", "latest", "snapshot", "state", "diff", "plot",
                "tail", "compact", "verify", "export", "import").doesNotContain("demo-router");
        assertThat(Cli.run().code()).isEqualTo(2);
    }
}
