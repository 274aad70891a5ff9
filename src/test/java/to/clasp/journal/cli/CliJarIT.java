package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged tool, run as a user runs it: java -jar target/clasp-journal-cli.jar (after package). */
class CliJarIT {

    private static final Path JAR = Path.of("target", "clasp-journal-cli.jar");

    @TempDir
    Path dir;

    private record Run(int code, String out) {}

    private Run java(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString()),
                "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("out.txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
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
        }
        Run missing = java("stats", "missing.db");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.out().strip()).startsWith("clasp-journal stats: missing.db: no such file").doesNotContain("\n");
        assertThat(dir.resolve("missing.db")).doesNotExist();
    }
}
