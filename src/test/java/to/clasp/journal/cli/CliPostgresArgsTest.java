package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the tool reads a PostgreSQL URL and its credentials, and what it says when they are wrong (no server needed). */
class CliPostgresArgsTest {

    private static final String URL = "jdbc:postgresql://db.local:5432/routers";

    @TempDir
    Path dir;

    private static void assertUsage(Cli.Result r, String... parts) {
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).as(r.toString()).isEmpty();
        assertThat(r.err().strip()).as(r.toString()).doesNotContain("\n").contains(parts);
    }

    @Test
    void optionsComeFirstThenTheUrlThenTheEnvironment() {
        Map<String, String> env = Map.of("PGUSER", "env-user", "PGPASSWORD", "env-pw");
        PostgresTarget options = PostgresTarget.resolve(URL, "opt-user", "opt-pw", null, env);
        assertThat(options.user()).isEqualTo("opt-user");
        assertThat(options.password()).isEqualTo("opt-pw");
        assertThat(options.schema()).isEqualTo("clasp_journal");

        // What the URL holds is left to the URL (null), over the environment.
        PostgresTarget inUrl = PostgresTarget.resolve(URL + "?user=url-user&password=url-pw", null, null, "s1", env);
        assertThat(inUrl.user()).isNull();
        assertThat(inUrl.password()).isNull();
        assertThat(inUrl.schema()).isEqualTo("s1");

        PostgresTarget fromEnv = PostgresTarget.resolve(URL, null, null, null, env);
        assertThat(fromEnv.user()).isEqualTo("env-user");
        assertThat(fromEnv.password()).isEqualTo("env-pw");

        PostgresTarget mixed = PostgresTarget.resolve(URL + "?user=url-user", null, null, null, env);
        assertThat(mixed.user()).isNull();
        assertThat(mixed.password()).isEqualTo("env-pw");

        PostgresTarget none = PostgresTarget.resolve(URL, null, null, null, Map.of("PGUSER", ""));
        assertThat(none.user()).isNull();
        assertThat(none.password()).isNull();
    }

    @Test
    void messagesNameTheUrlWithoutItsParametersAndNeverThePassword() {
        PostgresTarget t = PostgresTarget.resolve(URL + "?password=secret", null, null, null, Map.of());
        assertThat(t.display()).isEqualTo(URL + "?... (schema clasp_journal)");
        assertThat(PostgresTarget.resolve(URL, null, "secret", null, Map.of()).toString()).doesNotContain("secret");
        assertThat(PostgresTarget.isUrl("JDBC:PostgreSQL://h/db")).isTrue();
        assertThat(PostgresTarget.isUrl("journal.db")).isFalse();
    }

    @Test
    void aMalformedUrlOrSchemaIsAUsageError() {
        assertThatThrownBy(() -> PostgresTarget.resolve("jdbc:postgresql://h:notaport/db?password=secret",
                null, null, null, Map.of()))
                .isInstanceOf(CliException.class).hasMessageContaining("not a valid PostgreSQL JDBC URL")
                .hasMessageNotContaining("secret")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2));
        assertUsage(Cli.runWithEnv(Map.of(), "stats", "jdbc:postgresql://h:notaport/db?password=secret"),
                "clasp-journal stats: ", "not a valid PostgreSQL JDBC URL", "jdbc:postgresql://h:notaport/db?...");
        assertThat(Cli.runWithEnv(Map.of(), "stats", "jdbc:postgresql://h:notaport/db?password=secret").err())
                .doesNotContain("secret");
        assertUsage(Cli.runWithEnv(Map.of(), "query", URL, "/**", "--schema", "Bad-Name"),
                "--schema Bad-Name", "lowercase identifier");
    }

    @Test
    void otherUrlsAndPostgresOptionsOnAFileAreUsageErrorsThatCreateNothing() {
        assertUsage(Cli.run("stats", "postgres://me:pw@db.local/routers"), "jdbc:postgresql://host:port/database");
        assertUsage(Cli.run("latest", "jdbc:sqlite:journal.db"), "only jdbc:postgresql: URLs");
        Path file = dir.resolve("new.db");
        assertUsage(Cli.run("import", file.toString(), "--schema", "s", "--in", file.toString()),
                "--schema applies to a PostgreSQL URL only");
        assertUsage(Cli.run("stats", file.toString(), "--user", "me"), "--user applies to a PostgreSQL URL only");
        assertThat(file).doesNotExist();
    }

    @Test
    void anUnreachableServerIsAUsageError() {
        // Port 1 on the loopback interface: nothing listens there, so the connection is refused at once.
        for (String command : new String[] {"stats", "since", "compact", "import"}) {
            String[] args = switch (command) {
                case "since" -> new String[] {command, "jdbc:postgresql://127.0.0.1:1/routers", "0"};
                case "compact" -> new String[] {command, "jdbc:postgresql://127.0.0.1:1/routers", "--before", "5"};
                case "import" -> new String[] {command, "jdbc:postgresql://127.0.0.1:1/routers", "--in",
                    dir.resolve("none.jsonl").toString()};
                default -> new String[] {command, "jdbc:postgresql://127.0.0.1:1/routers"};
            };
            if (command.equals("import")) {
                // import reads its input first; give it an empty one
                try {
                    java.nio.file.Files.writeString(dir.resolve("none.jsonl"), "");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            assertUsage(Cli.runWithEnv(Map.of("PGUSER", "me", "PGPASSWORD", "pw"), args),
                    "jdbc:postgresql://127.0.0.1:1/routers (schema clasp_journal): cannot reach the server");
        }
    }
}
