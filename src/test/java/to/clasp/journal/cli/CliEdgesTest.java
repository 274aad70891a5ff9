package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/**
 * The tool's edges: a writing command never writes where it must not, a refused command leaves
 * every file as it was, no message shows a password, an export always imports, and arguments
 * that make no sense are usage errors.
 */
class CliEdgesTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final String PASSWORD = "hunter2";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- the three kinds of file

    /** A SQLite database of someone else's: one table, no journal. */
    private Path notAJournal(String name) throws SQLException {
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)");
            s.execute("INSERT INTO customers(name) VALUES ('Ada')");
        }
        return file;
    }

    /** A journal file of this library with five entries, closed. */
    private Path ourJournal(String name) {
        Path file = dir.resolve(name);
        try (SqliteJournal j = SqliteJournal.open(file)) {
            for (int i = 1; i <= 5; i++) {
                j.append(JournalEntry.fromSet("/lights/" + i, Value.of(i), i, "s", T0 + i)).join();
            }
        }
        return file;
    }

    /** Every file in the test directory with its SHA-256: what "nothing changed" compares. */
    private Map<String, String> snapshotOfDirectory() {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(Files::isRegularFile).forEach(f -> files.put(f.getFileName().toString(), Cli.sha256(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private Path jsonl(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private static String entryLine(long seq, String address) {
        return "{\"seq\":" + seq + ",\"timestamp\":" + T0 + ",\"author\":\"a\",\"address\":\"" + address
                + "\",\"signal_type\":\"param\",\"value\":1,\"revision\":1,\"msg_type\":33}";
    }

    private static void assertFails(Cli.Result r, int code, String... fragments) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).contains(fragments).doesNotContain("\tat ", "Exception");
    }

    // ---------------------------------------------------------------- 1. no journal in a foreign file

    @Test
    void writingCommandsRefuseASqliteFileThatHoldsNoJournalAndLeaveItAsItWas() throws Exception {
        Path db = notAJournal("c.db");
        Path one = jsonl("one.jsonl", entryLine(1, "/a"));
        Map<String, String> before = snapshotOfDirectory();

        assertFails(Cli.run("compact", db.toString(), "--before", "5"), 1, "c.db", "not a journal");
        assertFails(Cli.run("compact", db.toString(), "--keep-last", "0"), 1, "not a journal");
        assertFails(Cli.run("compact", db.toString(), "--vacuum"), 1, "not a journal");
        assertFails(Cli.run("import", db.toString(), "--in", one.toString()), 1, "c.db", "not a journal");
        assertFails(Cli.run("import", db.toString(), "--in", one.toString(), "--seq-map",
                dir.resolve("map.txt").toString()), 1, "not a journal");

        assertThat(snapshotOfDirectory()).isEqualTo(before);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT group_concat(name) FROM sqlite_master")) {
            assertThat(rs.getString(1)).isEqualTo("customers");
        }
    }

    @Test
    void importCreatesAJournalOnlyInAFileThatDoesNotExistOrIsEmpty() throws Exception {
        Path one = jsonl("one.jsonl", entryLine(1, "/a"));
        Path absent = dir.resolve("new.db");
        Path empty = Files.createFile(dir.resolve("empty.db"));
        for (Path target : List.of(absent, empty)) {
            Cli.Result r = Cli.run("import", target.toString(), "--in", one.toString());
            assertThat(r.code()).as(r.toString()).isZero();
            try (SqliteJournal j = SqliteJournal.openReadOnly(target)) {
                assertThat(j.since(0, null).join()).extracting(JournalEntry::address).containsExactly("/a");
            }
        }
    }

    // ---------------------------------------------------------------- 2. a refusal changes nothing

    @ParameterizedTest
    @ValueSource(strings = {"rust", "ours", "foreign"})
    void everyRefusedWritingCommandLeavesEveryFileByteIdentical(String kind) throws Exception {
        Path file = switch (kind) {
            case "rust" -> Cli.fixture("journal.db", dir);
            case "ours" -> ourJournal("ours.db");
            default -> notAJournal("foreign.db");
        };
        Path starting = jsonl("at-1.jsonl", entryLine(1, "/x"), entryLine(2, "/y"));
        Path badLine = jsonl("bad.jsonl", entryLine(100, "/x"), "{\"seq\":101,\"timestamp\":-5}");
        Path mapDir = Files.createDirectory(dir.resolve("map-dir"));
        Map<String, String> before = snapshotOfDirectory();

        List<String[]> refused = List.of(
                new String[] {"import", file.toString(), "--in", starting.toString(), "--keep-seqs"},
                new String[] {"import", file.toString(), "--in", badLine.toString()},
                new String[] {"import", file.toString(), "--in", starting.toString(), "--seq-map", mapDir.toString()},
                new String[] {"import", file.toString(), "--in", starting.toString(), "--seq-map",
                    dir.resolve("no-such-dir").resolve("map.txt").toString()},
                new String[] {"compact", file.toString(), "--before", "-1"},
                new String[] {"compact", file.toString(), "--keep-last", "-1"},
                new String[] {"compact", file.toString(), "--before", "3", "--vacuum", "--schema", "s"});
        for (String[] args : refused) {
            Cli.Result r = Cli.run(args);
            assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isIn(1, 2);
            assertThat(r.err().lines()).as(r.toString()).hasSize(1);
            assertThat(snapshotOfDirectory()).as(String.join(" ", args)).isEqualTo(before);
        }
        if (!kind.equals("foreign")) {
            // A compaction with nothing to remove and an import of nothing change nothing either.
            Cli.Result nothing = Cli.run("compact", file.toString(), "--before", "1");
            assertThat(nothing.code()).as(nothing.toString()).isZero();
            assertThat(nothing.out()).contains("nothing to remove", "not changed");
            Cli.Result emptyImport = Cli.run("import", file.toString(), "--in",
                    Files.writeString(dir.resolve("none.jsonl"), "").toString());
            assertThat(emptyImport.code()).as(emptyImport.toString()).isZero();
            Files.delete(dir.resolve("none.jsonl"));
            assertThat(snapshotOfDirectory()).isEqualTo(before);
        }
    }

    @Test
    void aRustFileIsMigratedOnlyWhenSomethingIsWritten() throws Exception {
        Path rust = Cli.fixture("journal.db", dir);
        String original = Cli.sha256(rust);
        long latest;
        try (SqliteJournal j = SqliteJournal.openReadOnly(rust)) {
            latest = j.latestSeq().join();
        }
        Path next = jsonl("next.jsonl", entryLine(latest + 1, "/next"));
        Cli.Result r = Cli.run("import", rust.toString(), "--in", next.toString(), "--keep-seqs");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("seqs kept");
        assertThat(Cli.sha256(rust)).isNotEqualTo(original);
        try (SqliteJournal j = SqliteJournal.openReadOnly(rust)) {
            assertThat(j.latestSeq().join()).isEqualTo(latest + 1);
        }
    }

    // ---------------------------------------------------------------- 3. outputs checked first

    @Test
    void aSeqMapThatCannotBeWrittenIsRefusedBeforeAnyEntryIsWritten() throws Exception {
        Path journal = ourJournal("j.db");
        Path input = jsonl("in.jsonl", entryLine(100, "/m/1"), entryLine(101, "/m/2"));
        Path mapDir = Files.createDirectory(dir.resolve("maps"));

        assertFails(Cli.run("import", journal.toString(), "--in", input.toString(), "--seq-map", mapDir.toString()),
                2, "--seq-map", "is a directory", "nothing was written");
        try (SqliteJournal j = SqliteJournal.openReadOnly(journal)) {
            assertThat(j.latestSeq().join()).isEqualTo(5);
        }

        // Run again with a good map: the entries go in once, and the map says where.
        Path map = mapDir.resolve("map.txt");
        Cli.Result ok = Cli.run("import", journal.toString(), "--in", input.toString(), "--seq-map", map.toString());
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(Files.readAllLines(map)).containsExactly("100 6", "101 7");
        try (Stream<Path> left = Files.list(mapDir)) {
            assertThat(left).containsExactly(map); // no partial file left beside it
        }
        try (SqliteJournal j = SqliteJournal.openReadOnly(journal)) {
            assertThat(j.since(0, null).join()).extracting(JournalEntry::address)
                    .containsExactly("/lights/1", "/lights/2", "/lights/3", "/lights/4", "/lights/5", "/m/1", "/m/2");
        }
    }

    @Test
    void aRefusedImportLeavesAnEarlierSeqMapAsItWas() throws Exception {
        Path journal = ourJournal("j.db");
        Path map = Files.writeString(dir.resolve("map.txt"), "1 1\n");
        Path input = jsonl("in.jsonl", entryLine(1, "/m/1"));
        Cli.Result r = Cli.run("import", journal.toString(), "--in", input.toString(), "--keep-seqs",
                "--seq-map", map.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("nothing was written");
        assertThat(Files.readString(map)).isEqualTo("1 1\n");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain(
                    "map.txt.partial").noneMatch(n -> n.endsWith(".partial"));
        }
    }

    // ---------------------------------------------------------------- 4. no password in any message

    /** Every command that takes a JOURNAL, with what else it needs, for a URL. */
    private List<String[]> everyCommandOn(String url) throws IOException {
        Path input = jsonl("one.jsonl", entryLine(1, "/a"));
        return List.of(
                new String[] {"stats", url}, new String[] {"query", url, "/**"}, new String[] {"since", url, "0"},
                new String[] {"latest", url}, new String[] {"snapshot", url}, new String[] {"tail", url},
                new String[] {"state", url, "--seq", "0"}, new String[] {"diff", url, "--from-seq", "0"},
                new String[] {"plot", url, "/**", "--out", dir.resolve("p.png").toString()},
                new String[] {"compact", url, "--before", "5"}, new String[] {"verify", url},
                new String[] {"export", url}, new String[] {"import", url, "--in", input.toString()});
    }

    private static void assertNoPassword(Cli.Result r, String what) {
        assertThat(r.code()).as(what + "\n" + r).isIn(1, 2);
        assertThat(r.err()).as(what + "\n" + r).isNotBlank();
        assertThat(r.out() + r.err()).as(what + "\n" + r).doesNotContain(PASSWORD);
    }

    @Test
    void noCommandEchoesThePasswordOfAUrlOrOfTheEnvironment() throws Exception {
        // Port 1 on the loopback interface: the connection is refused at once.
        Map<String, String> env = Map.of("PGUSER", "u", "PGPASSWORD", PASSWORD);
        for (String url : List.of("postgres://u:" + PASSWORD + "@127.0.0.1:1/db",
                "jdbc:postgresql://u:" + PASSWORD + "@127.0.0.1:1/db")) {
            for (String[] args : everyCommandOn(url)) {
                List<String> verbose = new ArrayList<>(List.of(args));
                verbose.add("--verbose");
                assertNoPassword(Cli.runWithEnv(env, verbose.toArray(String[]::new)), String.join(" ", verbose));
            }
        }
    }

    @Test
    void noFormOfPasswordIsEchoedEvenWithVerbose() {
        String url = "jdbc:postgresql://127.0.0.1:1/db";
        List<String[]> forms = List.of(
                new String[] {"stats", url + "?user=u&password=" + PASSWORD},
                new String[] {"stats", url + "?password=" + PASSWORD + "&user=u", "--schema", "Bad-Name"},
                new String[] {"stats", "postgresql://127.0.0.1:1/db?password=" + PASSWORD},
                new String[] {"stats", "jdbc:postgresql://u:" + PASSWORD + "@h:notaport/db"},
                new String[] {"stats", url, "--user", "u", "--password", PASSWORD},
                new String[] {"stats", url, "--user", "u", "--password=" + PASSWORD},
                new String[] {"stats", url, "--password", PASSWORD, "--no-such-option"},
                new String[] {"stats", "postgres://u:" + PASSWORD + "@127.0.0.1:1/db", "surplus"});
        for (String[] form : forms) {
            List<String> args = new ArrayList<>(List.of(form));
            args.add("--verbose");
            assertNoPassword(Cli.runWithEnv(Map.of(), args.toArray(String[]::new)), String.join(" ", args));
        }
    }

    @Test
    void redactedUrlsKeepTheirUserAndHostButNotThePassword() {
        assertThat(PostgresTarget.redacted("postgres://u:" + PASSWORD + "@h:5432/db"))
                .isEqualTo("postgres://u:***@h:5432/db");
        assertThat(PostgresTarget.redacted("jdbc:postgresql://h/db?user=u&password=" + PASSWORD))
                .isEqualTo("jdbc:postgresql://h/db?...");
        assertThat(PostgresTarget.redacted("jdbc:postgresql://u@h/db")).isEqualTo("jdbc:postgresql://u@h/db");
        assertThat(PostgresTarget.passwordsIn("postgresql://u:a%2Fb@h/db?sslmode=require&Password=c%26d"))
                .containsExactlyInAnyOrder("a%2Fb", "a/b", "c%26d", "c&d");
    }

    // ---------------------------------------------------------------- 5. whatever is stored is carried

    @Test
    void anExportOfAStringLongerThanJacksonsDefaultLimitImports() throws Exception {
        Path source = dir.resolve("big.db");
        String big = "x".repeat(21_000_000);
        try (SqliteJournal j = SqliteJournal.open(source)) {
            j.append(JournalEntry.fromSet("/big", Value.of(big), 1, "s", T0)).join();
        }
        Path export = dir.resolve("big.jsonl");
        Cli.Result exported = Cli.run("export", source.toString(), "--out", export.toString());
        assertThat(exported.code()).as(exported.toString()).isZero();

        Path copy = dir.resolve("copy.db");
        Cli.Result imported = Cli.run("import", copy.toString(), "--in", export.toString(), "--keep-seqs");
        assertThat(imported.code()).as(imported.toString()).isZero();
        try (SqliteJournal j = SqliteJournal.openReadOnly(copy)) {
            assertThat(j.since(0, null).join()).singleElement()
                    .satisfies(e -> assertThat(e.value()).isEqualTo(Value.of(big)));
        }
    }

    @Test
    void aValueOverALimitIsCalledThatAndNotInvalidJson() throws Exception {
        String deep = "[".repeat(1_200) + "]".repeat(1_200);
        Path input = jsonl("deep.jsonl", entryLine(1, "/a").replace("\"value\":1", "\"value\":" + deep));
        Path target = dir.resolve("t.db");
        Cli.Result r = Cli.run("import", target.toString(), "--in", input.toString());
        assertFails(r, 1, "line 1", "over a limit", "nesting depth", "nothing was written");
        assertThat(r.err()).doesNotContain("not valid JSON");
        assertThat(target).doesNotExist();
    }

    // ---------------------------------------------------------------- 6, 7. arguments that make no sense

    @Test
    void numbersOutOfRangeAreUsageErrors() {
        Path file = ourJournal("j.db");
        String before = Cli.sha256(file);
        assertFails(Cli.run("stats", file.toString(), "--buckets", "0"), 2, "--buckets must be from 1 to 100: 0");
        assertFails(Cli.run("stats", file.toString(), "--buckets", "101"), 2, "--buckets must be from 1 to 100");
        assertFails(Cli.run("stats", file.toString(), "--top", "-1"), 2, "--top must not be negative: -1");
        assertFails(Cli.run("compact", file.toString(), "--before", "-1"), 2, "--before must not be negative: -1");
        assertThat(Cli.sha256(file)).isEqualTo(before);
        Cli.Result top0 = Cli.run("stats", file.toString(), "--top", "0", "--buckets", "1");
        assertThat(top0.code()).as(top0.toString()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg_temp", "pg_catalog", "pg_toast", "information_schema", "user", "table"})
    void aSchemaPostgresReservesIsAUsageError(String schema) {
        Cli.Result r = Cli.runWithEnv(Map.of(), "stats", "jdbc:postgresql://127.0.0.1:1/db", "--schema", schema);
        assertFails(r, 2, "--schema " + schema);
        assertThat(r.err()).containsAnyOf("reserved for PostgreSQL's own schemas", "reserved SQL key word");
    }

    // ---------------------------------------------------------------- 8. tail -f on a file that goes away

    @Test
    void tailFollowingADeletedFileSaysSoAndFails() throws Exception {
        Path file = ourJournal("gone.db");
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread tail = new Thread(() -> code.set(ClaspJournalCli.run(new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true), false, "tail", file.toString(), "-f", "--poll-ms", "20")));
        tail.start();
        Thread.sleep(300); // following
        assertThat(tail.isAlive()).isTrue();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
        }
        tail.join(Duration.ofSeconds(10).toMillis());
        assertThat(tail.isAlive()).as("tail -f still running after its file was deleted").isFalse();
        assertThat(code.get()).isEqualTo(1);
        assertThat(err.toString()).contains("gone.db", "was deleted", "stopped following");
    }

    @Test
    void tailFollowingAFileReplacedByAnotherSaysSoAndFails() throws Exception {
        Path file = ourJournal("rotated.db");
        Path other = ourJournal("other.db");
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread tail = new Thread(() -> code.set(ClaspJournalCli.run(new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true), false, "tail", file.toString(), "-f", "--poll-ms", "20")));
        tail.start();
        Thread.sleep(300);
        Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        tail.join(Duration.ofSeconds(10).toMillis());
        assertThat(tail.isAlive()).as("tail -f still running after its file was replaced").isFalse();
        assertThat(code.get()).isEqualTo(1);
        assertThat(err.toString()).contains("rotated.db", "replaced");
    }
}
