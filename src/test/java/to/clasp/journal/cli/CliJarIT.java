package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.PostgresTestSupport;

/** The packaged tool, run as a user runs it: java -jar target/clasp-journal-cli.jar (after package). */
class CliJarIT {

    private static final Path JAR = Path.of("target", "clasp-journal-cli.jar");

    @TempDir
    Path dir;

    private record Run(int code, String out) {}

    private Run java(String... args) throws IOException, InterruptedException {
        return java(Map.of(), args);
    }

    private Run java(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString()),
                "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("out.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in time").isTrue();
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void theJarRunsTheDemoAndTheCommands() throws Exception {
        assertThat(JAR).as("built by mvn package").exists();
        Run demo = java("demo", "--params", "30", "--sets", "1000");
        assertThat(demo.code()).as(demo.out()).isZero();
        assertThat(demo.out()).contains("2. Crash. The router was killed with SIGKILL", "4. Check passed");
        try (var files = Files.list(dir)) {
            Path db = files.filter(f -> f.getFileName().toString().matches("clasp-journal-demo-.*\\.db"))
                    .findFirst().orElseThrow();
            Run stats = java("stats", db.toString());
            assertThat(stats.code()).as(stats.out()).isZero();
            assertThat(stats.out()).contains("entries over time");
            Run query = java("query", db.toString(), "/lights/**", "--desc", "--limit", "3");
            assertThat(query.code()).as(query.out()).isZero();
            assertThat(query.out().lines()).hasSize(4);
            // The chart libraries are in the jar, and draw without a display.
            Path png = dir.resolve("lights.png");
            Run plot = java("plot", db.toString(), "/lights/**", "--max-series", "3", "--out", png.toString());
            assertThat(plot.code()).as(plot.out()).isZero();
            assertThat(plot.out()).startsWith("plotted 3 params").contains("beyond --max-series 3");
            assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(1000);
            Run state = java("state", db.toString(), "/lights/**", "--at", "2100-01-01");
            assertThat(state.code()).as(state.out()).isZero();
            assertThat(state.out()).contains("state of " + db, ": 10 params");
        }
        Run missing = java("stats", "missing.db");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.out().strip()).startsWith("clasp-journal stats: missing.db: no such file").doesNotContain("\n");
        assertThat(dir.resolve("missing.db")).doesNotExist();
    }

    @Test
    void theJarCarriesTheDriverAndOpensAPostgresJournalQuietly() throws Exception {
        // A malformed URL is refused before any connection, in one line: the driver's own log stays silent.
        Run bad = java("stats", "jdbc:postgresql://h:notaport/db?password=secret");
        assertThat(bad.code()).as(bad.out()).isEqualTo(2);
        assertThat(bad.out().strip()).startsWith("clasp-journal stats: jdbc:postgresql://h:notaport/db?...: not a valid")
                .doesNotContain("\n").doesNotContain("secret");

        PostgresTestSupport.requireServer();
        PostgresTestSupport.dataSource(); // drops the test's schema when the JVM exits
        String schema = PostgresTestSupport.freshSchema();
        String url = System.getenv(PostgresTestSupport.URL);
        Map<String, String> env = Map.of("PGUSER", System.getenv(PostgresTestSupport.USER),
                "PGPASSWORD", System.getenv(PostgresTestSupport.PASSWORD));
        Path export = dir.resolve("in.jsonl");
        Files.writeString(export, EntryJson.entry(to.clasp.journal.JournalEntry.fromSet("/lights/a",
                to.clasp.journal.Value.of(0.5), 1, "r", 1_708_500_000_000_000L).withSeq(1)) + "\n");
        Run imported = java(env, "import", url, "--schema", schema, "--in", export.toString());
        assertThat(imported.code()).as(imported.out()).isZero();
        assertThat(imported.out().strip()).isEqualTo("imported 1 entries into " + url.replaceAll("\\?.*", "?...")
                + " (schema " + schema + "); seqs kept (1..1)");

        Run stats = java(env, "stats", url, "--schema", schema);
        assertThat(stats.code()).as(stats.out()).isZero();
        assertThat(stats.out()).contains("entries       1, seqs 1..1", "(on the server)")
                .doesNotContain("SLF4J").doesNotContain("WARNING");
        Run query = java(env, "query", url, "/lights/*", "--schema", schema, "--json");
        assertThat(query.code()).as(query.out()).isZero();
        assertThat(query.out().lines()).hasSize(1).allMatch(l -> l.startsWith("{\"seq\":1,"));

        Run wrong = java(Map.of("PGPASSWORD", "not-the-password"), "latest", url, "--schema", schema,
                "--user", System.getenv(PostgresTestSupport.USER));
        assertThat(wrong.code()).as(wrong.out()).isEqualTo(2);
        assertThat(wrong.out().strip()).contains("the server refused the login").doesNotContain("\n");
    }
}
