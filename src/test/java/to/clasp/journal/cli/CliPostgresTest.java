package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.PostgresTestSupport;
import to.clasp.journal.SignalType;
import to.clasp.journal.Value;

/** The commands on a journal in PostgreSQL, named by its JDBC URL, against a real server. */
class CliPostgresTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    private static String url() {
        return System.getenv(PostgresTestSupport.URL);
    }

    /** The password from PGPASSWORD, the user from --user: as an operator would run it. */
    private static Cli.Result run(String schema, String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command, url(), "--user", System.getenv(PostgresTestSupport.USER),
                "--schema", schema));
        args.addAll(List.of(more));
        return Cli.runWithEnv(Map.of("PGPASSWORD", System.getenv(PostgresTestSupport.PASSWORD)),
                args.toArray(new String[0]));
    }

    private static PostgresJournal journal(String schema, byte[] key) {
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).hmacKey(key).build();
    }

    /** 30 entries: params under /lights and /sensors, events under /cues; a snapshot at seq 20. */
    private static void fill(PostgresJournal j) {
        List<CompletableFuture<Long>> f = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            if (i % 3 == 0) {
                f.add(j.append(JournalEntry.fromPublish("/cues/" + i, SignalType.EVENT, Value.of("go " + i), "desk",
                        T0 + i * 1_000_000L)));
            } else {
                f.add(j.append(JournalEntry.fromSet((i % 2 == 0 ? "/lights/room" : "/sensors/t") + (i % 4), Value.of(i),
                        i, "router-a", T0 + i * 1_000_000L)));
            }
            if (i == 20) {
                f.forEach(CompletableFuture::join);
                j.snapshot(List.of(new ParamSnapshot("/lights/room2", Value.of(20), 20, "router-a", T0))).join();
            }
        }
        f.forEach(CompletableFuture::join);
    }

    private static boolean schemaExists(String schema) throws Exception {
        try (Connection c = PostgresTestSupport.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    @Test
    void readCommandsShowTheJournal() {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal j = journal(schema, null)) {
            fill(j);
        }
        Cli.Result stats = run(schema, "stats");
        assertThat(stats.code()).as(stats.toString()).isZero();
        assertThat(stats.out()).contains("journal", url(), "(schema " + schema + ")",
                "entries       30, seqs 1..30 (latest seq ever assigned: 30)",
                "param 20, event 10", "snapshots     1, newest at seq 20", "tables        entries ",
                "(on the server)", "/lights/**", "entries over time");

        Cli.Result query = run(schema, "query", "/lights/*", "--json");
        assertThat(query.code()).as(query.toString()).isZero();
        assertThat(query.out().lines()).hasSize(10).allMatch(l -> l.contains("\"address\":\"/lights/room"));

        Cli.Result since = run(schema, "since", "27", "--json");
        assertThat(since.code()).as(since.toString()).isZero();
        assertThat(since.out().lines().map(l -> l.substring(0, l.indexOf(','))).toList())
                .containsExactly("{\"seq\":28", "{\"seq\":29", "{\"seq\":30");

        Cli.Result latest = run(schema, "latest");
        assertThat(latest.out()).as(latest.toString()).contains("latest seq: 30", "entries:    30 (seqs 1..30)",
                "newest:     seq 30");
        Cli.Result snapshot = run(schema, "snapshot");
        assertThat(snapshot.out()).as(snapshot.toString()).contains("snapshot at seq 20", "/lights/room2");
    }

    @Test
    void stateDiffAndPlotReadTheJournal() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal j = journal(schema, null)) {
            fill(j);
        }
        // At seq 19 every SET so far counts; the snapshot at seq 20 holds /lights/room2 alone.
        Cli.Result before = run(schema, "state", "--at", Long.toString(T0 + 19_500_000L));
        assertThat(before.code()).as(before.toString()).isZero();
        assertThat(before.out().lines()).hasSize(6).first().asString()
                .contains("at seq 19, the last entry at or before").endsWith(": 4 params");
        assertThat(before.out()).contains("/lights/room0  16     16   router-a", "/lights/room2  14     14",
                "/sensors/t1    17", "/sensors/t3    19");

        Cli.Result diff = run(schema, "diff", "--from-seq", "19", "--to-seq", "20");
        assertThat(diff.code()).as(diff.toString()).isZero();
        assertThat(diff.out().lines()).containsExactly(
                "diff of " + url() + " (schema " + schema + ") from seq 19 to seq 20: 1 changed, 0 added, 3 removed",
                "ADDRESS        CHANGE   FROM  TO        REV",
                "/lights/room0  removed  16    (absent)  16 -> -",
                "/lights/room2  changed  14    20        14 -> 20",
                "/sensors/t1    removed  17    (absent)  17 -> -",
                "/sensors/t3    removed  19    (absent)  19 -> -");

        Cli.Result json = run(schema, "state", "--seq", "30", "--json");
        assertThat(json.code()).as(json.toString()).isZero();
        Path jsonl = Files.writeString(dir.resolve("state.jsonl"), json.out());
        Path copy = dir.resolve("copy.db");
        assertThat(Cli.run("import", copy.toString(), "--in", jsonl.toString()).code()).isZero();
        assertThat(Cli.run("state", copy.toString(), "--seq", "4", "--json").out()).isEqualTo(json.out());
        assertThat(json.out().lines().map(EntryJson::parseEntry).map(e -> e.address() + "=" + e.value()))
                .containsExactly("/lights/room0=Int[value=28]", "/lights/room2=Int[value=26]",
                        "/sensors/t1=Int[value=29]", "/sensors/t3=Int[value=23]");

        Cli.Result above = run(schema, "state", "--seq", "31");
        assertThat(above.code()).isEqualTo(2);
        assertThat(above.err()).contains("seq 31 is above the latest seq 30 of " + url() + " (schema " + schema + ")");

        Path png = dir.resolve("lights.png");
        Cli.Result plot = run(schema, "plot", "/lights/**", "--from", Long.toString(T0 + 19_500_000L), "--out",
                png.toString());
        assertThat(plot.code()).as(plot.toString()).isZero();
        // From the state at seq 19 (room0 16, room2 14), then the SETs 20, 22, 26 and 28.
        assertThat(plot.out().lines()).containsExactly("plotted 2 params (6 values) of " + url() + " (schema " + schema
                + ") matching /lights/**, " + Args.iso(T0 + 19_500_000L) + " .. " + Args.iso(T0 + 30_000_000L)
                + ", into " + png + " (PNG, 1000x500)");
        assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(1000);
    }

    @Test
    void theUrlMayHoldTheCredentials() {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal j = journal(schema, null)) {
            fill(j);
        }
        String withCredentials = url() + (url().contains("?") ? "&" : "?") + "user="
                + System.getenv(PostgresTestSupport.USER) + "&password=" + System.getenv(PostgresTestSupport.PASSWORD);
        Cli.Result r = Cli.runWithEnv(Map.of("PGUSER", "nobody", "PGPASSWORD", "wrong"),
                "latest", withCredentials, "--schema", schema);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("latest seq: 30");
    }

    @Test
    void readOnlyCommandsOnAMissingSchemaFailAndCreateNothing() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        List<String[]> commands = List.of(new String[] {"stats"}, new String[] {"query", "/**"},
                new String[] {"since", "0"}, new String[] {"latest"}, new String[] {"snapshot"},
                new String[] {"tail"}, new String[] {"export"}, new String[] {"compact", "--before", "5"},
                new String[] {"verify", "--key-file", Cli.key(dir, 1).toString()},
                new String[] {"state", "--seq", "0"}, new String[] {"diff", "--from-seq", "0"},
                new String[] {"plot", "/**", "--out", dir.resolve("p.png").toString()});
        for (String[] c : commands) {
            String[] more = java.util.Arrays.copyOfRange(c, 1, c.length);
            Cli.Result r = run(schema, c[0], more);
            assertThat(r.code()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).doesNotContain("\n")
                    .contains("holds no schema " + schema, "nothing was created", "--schema");
        }
        assertThat(schemaExists(schema)).isFalse();
    }

    @Test
    void aWrongPasswordIsAUsageError() {
        String schema = PostgresTestSupport.freshSchema();
        Cli.Result r = Cli.runWithEnv(Map.of("PGPASSWORD", "not-the-password"), "stats", url(),
                "--user", System.getenv(PostgresTestSupport.USER), "--schema", schema);
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("the server refused the login", "PGPASSWORD");
    }

    @Test
    void tailFollowSeesWhatAnotherJournalAppends() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal writer = journal(schema, null)) {
            fill(writer);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            AtomicInteger code = new AtomicInteger(-1);
            Thread tail = new Thread(() -> code.set(ClaspJournalCli.run(new PrintWriter(out, true),
                    new PrintWriter(err, true), false,
                    Map.of("PGUSER", System.getenv(PostgresTestSupport.USER),
                            "PGPASSWORD", System.getenv(PostgresTestSupport.PASSWORD)),
                    "tail", url(), "/lights/**", "--schema", schema, "-n", "2", "-f", "--json")));
            tail.start();
            Cli.waitUntil(Duration.ofSeconds(30), () -> out.toString().lines().count() == 2);
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String address = i % 3 == 0 ? "/audio/" + i : "/lights/new/" + i;
                long seq = writer.append(JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(i), "b",
                        T0 + 100_000_000L + i)).join();
                if (i % 3 != 0) {
                    expected.add(seq);
                }
            }
            Cli.waitUntil(Duration.ofSeconds(30), () -> out.toString().lines().count() == 2 + 40);
            Thread.sleep(200); // nothing more may come
            tail.interrupt();
            tail.join(30_000);
            assertThat(tail.isAlive()).isFalse();
            assertThat(code.get()).as(err.toString()).isZero();
            List<Long> seqs = out.toString().lines()
                    .map(l -> Long.parseLong(l.substring("{\"seq\":".length(), l.indexOf(','))))
                    .toList();
            List<Long> want = new ArrayList<>(List.of(26L, 28L));
            want.addAll(expected);
            assertThat(seqs).containsExactlyElementsOf(want);
        }
    }

    @Test
    void compactRemovesOldEntriesAndRefusesVacuum() {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal j = journal(schema, null)) {
            fill(j);
        }
        Cli.Result vacuum = run(schema, "compact", "--keep-last", "5", "--vacuum");
        assertThat(vacuum.code()).as(vacuum.toString()).isEqualTo(2);
        assertThat(vacuum.err()).contains("--vacuum rewrites a SQLite file");

        Cli.Result r = run(schema, "compact", "--keep-last", "10");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("removing the entries with a seq below 21 (latest seq 30)",
                "removed 20 entries", "VACUUM FULL").doesNotContain("gave back");
        Cli.Result latest = run(schema, "latest");
        assertThat(latest.out()).contains("latest seq: 30", "entries:    10 (seqs 21..30)");
    }

    @Test
    void verifyFindsATamperedRowAndPassesAnIntactJournal() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        Path key = Cli.key(dir, 7);
        try (PostgresJournal j = journal(schema, Files.readAllBytes(key))) {
            fill(j);
        }
        Cli.Result good = run(schema, "verify", "--key-file", key.toString());
        assertThat(good.code()).as(good.toString()).isZero();
        assertThat(good.out()).contains("verified 30 entries", "every HMAC matches the key")
                .doesNotContain("per-row MACs only");

        Cli.Result wrongKey = run(schema, "verify", "--key-file", Cli.key(dir, 8).toString());
        assertThat(wrongKey.code()).as(wrongKey.toString()).isEqualTo(1);
        assertThat(wrongKey.out()).contains("30 of 30 entries failed the check (all of them: is it the right key?)");

        PostgresTestSupport.execute("UPDATE " + schema + ".journal_entries SET value_json = '99' WHERE seq = 7");
        Cli.Result bad = run(schema, "verify", "--key-file", key.toString());
        assertThat(bad.code()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.out()).contains("1 of 30 entries failed the check", "first bad seqs: [7]",
                "seq 7: HMAC mismatch");
        Cli.Result noKey = run(schema, "verify");
        assertThat(noKey.code()).isEqualTo(2);
    }

    @Test
    void verifyChecksTheWholeJournalAsOnAFile() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        Path key = Cli.key(dir, 7);
        try (PostgresJournal j = journal(schema, Files.readAllBytes(key))) {
            fill(j);
        }
        PostgresTestSupport.execute("UPDATE " + schema + ".snapshots SET seq_at = 5");
        Cli.Result snapshot = run(schema, "verify", "--key-file", key.toString());
        assertThat(snapshot.code()).as(snapshot.toString()).isEqualTo(1);
        assertThat(snapshot.out()).contains("every entry read matches the key, but the journal fails its integrity"
                + " check", "the snapshot at seq 5", "data_mac mismatch");
        PostgresTestSupport.execute("UPDATE " + schema + ".snapshots SET seq_at = 20"); // as it was signed

        PostgresTestSupport.execute("UPDATE " + schema + ".journal_entries SET author = 'evil' WHERE seq = 12");
        Cli.Result author = run(schema, "verify", "--key-file", key.toString());
        assertThat(author.code()).as(author.toString()).isEqualTo(1);
        assertThat(author.out()).contains("1 of 30 entries failed the check", "first bad seqs: [12]");

        PostgresTestSupport.execute("DELETE FROM " + schema + ".journal_entries WHERE seq = 12");
        Cli.Result deleted = run(schema, "verify", "--key-file", key.toString());
        assertThat(deleted.code()).as(deleted.toString()).isEqualTo(1);
        assertThat(deleted.out()).contains("first bad seqs: [13]");

        PostgresTestSupport.execute("DELETE FROM " + schema + ".journal_entries WHERE seq >= 12");
        Cli.Result tail = run(schema, "verify", "--key-file", key.toString());
        assertThat(tail.code()).as(tail.toString()).isEqualTo(1);
        assertThat(tail.out()).contains("but the journal fails its integrity check",
                "seq 30", "newest entry is missing");
    }

    @Test
    void exportAndImportRoundTripThroughAnotherSchema() throws Exception {
        String from = PostgresTestSupport.freshSchema();
        String to = PostgresTestSupport.freshSchema();
        try (PostgresJournal j = journal(from, null)) {
            fill(j);
            j.append(JournalEntry.fromSet("/odd/values", Value.of(new byte[] {0, 1, (byte) 255}), 1, "r", T0)).join();
            j.append(JournalEntry.fromSet("/odd/nan", Value.of(Double.NaN), 1, "r", T0)).join();
            j.append(JournalEntry.fromSet("/odd/long", Value.of(Long.MAX_VALUE), 1, "r", T0)).join();
        }
        Path export = dir.resolve("a.jsonl");
        Cli.Result out = run(from, "export", "--out", export.toString());
        assertThat(out.code()).as(out.toString()).isZero();
        assertThat(out.err()).contains("exported 33 entries (seqs 1..33)");
        assertThat(schemaExists(to)).isFalse();

        Cli.Result in = run(to, "import", "--in", export.toString(), "--keep-seqs");
        assertThat(in.code()).as(in.toString()).isZero();
        assertThat(in.out()).contains("imported 33 entries into", "(schema " + to + ")", "seqs kept (1..33)");

        Path again = dir.resolve("b.jsonl");
        assertThat(run(to, "export", "--out", again.toString()).code()).isZero();
        assertThat(Files.readString(again)).isEqualTo(Files.readString(export));

        // A file and a server journal take each other's exports.
        Path file = dir.resolve("copy.db");
        Cli.Result toFile = Cli.run("import", file.toString(), "--in", export.toString(), "--keep-seqs");
        assertThat(toFile.code()).as(toFile.toString()).isZero();
        Path fromFile = dir.resolve("c.jsonl");
        assertThat(Cli.run("export", file.toString(), "--out", fromFile.toString()).code()).isZero();
        assertThat(Files.readString(fromFile)).isEqualTo(Files.readString(export));
    }
}
