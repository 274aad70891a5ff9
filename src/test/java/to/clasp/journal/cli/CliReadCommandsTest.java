package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stats, query, since, latest and snapshot on a file the Rust crate wrote: output, exit codes, no change. */
class CliReadCommandsTest {

    @TempDir
    Path dir;

    Path rust;
    String hash;

    @BeforeEach
    void copyFixture() {
        rust = Cli.fixture("journal.db", dir);
        hash = Cli.sha256(rust);
    }

    private void assertUnchanged() throws Exception {
        assertThat(Cli.sha256(rust)).as("the file's bytes").isEqualTo(hash);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + rust);
                ResultSet rs = c.createStatement().executeQuery("PRAGMA table_info(journal_entries)")) {
            List<String> columns = new ArrayList<>();
            while (rs.next()) {
                columns.add(rs.getString("name"));
            }
            assertThat(columns).as("not migrated").doesNotContain("value_exact");
        }
    }

    private static List<String> lines(String s) {
        return s.lines().toList();
    }

    @Test
    void statsSummarisesTheFile() throws Exception {
        Cli.Result r = Cli.run("stats", rust.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains("entries       26, seqs 3..28 (latest seq ever assigned: 28)")
                .contains("time          2024-02-21T07:20:00.002000Z .. 2024-02-21T07:20:00.027000Z (25.0 ms)")
                .contains("signal types  param 12, event 5, stream 3, gesture 3, timeline 3")
                .contains("messages      SET 12, PUBLISH 14")
                .contains("snapshots     2, newest at seq 28")
                .contains("does not shrink this file")
                .contains("0 free")
                .contains("/lights/room1/**  5  19.2%")
                .contains("entries over time (12 bars of");
        long bars = lines(r.out()).stream().filter(l -> l.startsWith("  2024-02-21T07:20:00.")).count();
        assertThat(bars).isEqualTo(12);
        assertUnchanged();
    }

    @Test
    void queryPrintsAnAlignedTable() throws Exception {
        Cli.Result r = Cli.run("query", rust.toString(), "/lights/**", "--limit", "3");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(lines(r.out())).containsExactly(
                "   SEQ  TIME (UTC)                   TYPE   ADDRESS                   VALUE  REV  AUTHOR",
                "     7  2024-02-21T07:20:00.006000Z  param  /lights/room1/brightness  true     7  session-abc",
                "     8  2024-02-21T07:20:00.007000Z  param  /lights/room2/brightness  null     8  session-abc",
                "    13  2024-02-21T07:20:00.012000Z  param  /lights/room1/brightness  null    13  session-abc");
        assertUnchanged();
    }

    @Test
    void queryFiltersByTimeTypeAndOrder() {
        Cli.Result r = Cli.run("query", rust.toString(), "/**", "--from", "2024-02-21T07:20:00.015Z",
                "--to", "1708500000020000", "--types", "gesture,timeline", "--desc", "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(lines(r.out())).containsExactly(
                "{\"seq\":21,\"timestamp\":1708500000020000,\"author\":\"session-def\",\"address\":\"/sensors/temp\","
                        + "\"signal_type\":\"timeline\",\"value\":null,\"revision\":null,\"msg_type\":32}",
                "{\"seq\":20,\"timestamp\":1708500000019000,\"author\":\"session-def\",\"address\":\"/sensors/temp/room1\","
                        + "\"signal_type\":\"gesture\",\"value\":true,\"revision\":null,\"msg_type\":32}",
                "{\"seq\":17,\"timestamp\":1708500000016000,\"author\":\"session-def\",\"address\":\"/lights/room1/brightness\","
                        + "\"signal_type\":\"timeline\",\"value\":42,\"revision\":null,\"msg_type\":32}",
                "{\"seq\":16,\"timestamp\":1708500000015000,\"author\":\"session-def\",\"address\":\"/a/b/c/d/e\","
                        + "\"signal_type\":\"gesture\",\"value\":-2.5E-7,\"revision\":null,\"msg_type\":32}");
    }

    @Test
    void queryIsCaseSensitiveUnlikeTheRustSqliteBackend() {
        Cli.Result r = Cli.run("query", rust.toString(), "/LIGHTS/**");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("(no entries)\n");
    }

    @Test
    void sinceReadsAfterASeq() throws Exception {
        Cli.Result r = Cli.run("since", rust.toString(), "25", "--limit", "2");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(lines(r.out())).hasSize(3);
        assertThat(lines(r.out()).get(1)).startsWith("    26  ").contains("/sensors/temp/room1");
        assertThat(lines(r.out()).get(2)).startsWith("    27  ").contains("0.5").contains("   14  session-abc");
        assertUnchanged();
    }

    @Test
    void latestSaysTheSeqThatNeverGoesDown() throws Exception {
        Cli.Result r = Cli.run("latest", rust.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(lines(r.out())).containsExactly(
                "latest seq: 28",
                "entries:    26 (seqs 3..28)",
                "newest:     seq 28 at 2024-02-21T07:20:00.027000Z: event /sensors/temp = false by session-xyz");
        assertUnchanged();
    }

    @Test
    void snapshotShowsTheLatestOne() throws Exception {
        Cli.Result r = Cli.run("snapshot", rust.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(lines(r.out())).hasSize(4);
        assertThat(lines(r.out()).get(0)).startsWith("snapshot at seq 28, taken ").endsWith(", 2 params");
        assertThat(lines(r.out()).get(2)).isEqualTo(
                "/a/b/c/d/e                [0,1,2,255]  12   session-abc  2024-02-21T07:20:00.011000Z");

        Cli.Result json = Cli.run("snapshot", rust.toString(), "--json");
        assertThat(json.out()).startsWith("{\"seq\":28,\"created_at\":")
                .contains("\"params\":[{\"address\":\"/a/b/c/d/e\",\"value\":[0,1,2,255],\"revision\":12,"
                        + "\"writer\":\"session-abc\",\"timestamp\":1708500000011000},");
        assertUnchanged();
    }

    @Test
    void hmacFileReadsWithTheRightKey() throws Exception {
        Path file = Cli.fixture("journal-hmac.db", dir);
        Cli.Result r = Cli.run("since", file.toString(), "0", "--key-file", Cli.key(dir, 42).toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"héllo\"").contains("0.75").contains("42");
    }

    @Test
    void anEmptyJournal() throws Exception {
        Path empty = dir.resolve("empty.db");
        to.clasp.journal.SqliteJournal.open(empty).close();
        Cli.Result stats = Cli.run("stats", empty.toString());
        assertThat(stats.code()).as(stats.toString()).isZero();
        assertThat(stats.out()).contains("entries     0\n", "snapshots   none", "shrinks the file")
                .doesNotContain("busiest");
        assertThat(Cli.run("latest", empty.toString()).out()).isEqualTo("latest seq: 0\nentries:    0\n");
        assertThat(Cli.run("snapshot", empty.toString()).out()).contains("holds no snapshot");
        assertThat(Cli.run("snapshot", empty.toString(), "--json").out()).isEqualTo("null\n");
        assertThat(Cli.run("tail", empty.toString()).out().lines()).hasSize(1);
    }

    @Test
    void statsAndVerifyGoOnPastRowsThatCannotBeRead() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + rust)) {
            c.createStatement().execute("UPDATE journal_entries SET signal_type = 'hologram' WHERE seq IN (5, 17)");
        }
        Cli.Result stats = Cli.run("stats", rust.toString());
        assertThat(stats.code()).as(stats.toString()).isZero();
        assertThat(stats.out()).contains("entries       24, seqs 3..28", "unreadable    2 entries could not be read, first seqs [5, 17]");

        Cli.Result query = Cli.run("since", rust.toString(), "0");
        assertThat(query.code()).isEqualTo(1);
        assertThat(query.err().lines()).hasSize(1);
        assertThat(query.err()).contains("seq 5");
    }

    @Test
    void timesTakeEveryFormTheHelpNames() {
        String micros = Cli.run("query", rust.toString(), "/**", "--from", "1708500000015000", "--json").out();
        assertThat(micros.lines()).hasSize(13);
        assertThat(Cli.run("query", rust.toString(), "/**", "--from", "2024-02-21T07:20:00.015Z", "--json").out())
                .isEqualTo(micros);
        assertThat(Cli.run("query", rust.toString(), "/**", "--from", "2024-02-21T08:20:00.015+01:00", "--json").out())
                .isEqualTo(micros);
        assertThat(Cli.run("query", rust.toString(), "/**", "--from", "2024-02-21", "--to", "2024-02-22", "--json")
                .out().lines()).hasSize(26);
        assertThat(Cli.run("query", rust.toString(), "/**", "--to", "2024-02-21", "--json").out()).isEmpty();
    }
}
