package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the PostgreSQL tests find their server: the environment variables that
 * {@code .ci/pg start} prints. Without them the tests are skipped (with a message saying how to
 * run them), except in CI ({@code CI=true}), where that is a failure: CI must not pass without
 * having run them.
 */
public final class PostgresTestSupport {

    public static final String URL = "CLASP_JOURNAL_PG_URL";
    public static final String USER = "CLASP_JOURNAL_PG_USER";
    public static final String PASSWORD = "CLASP_JOURNAL_PG_PASSWORD";
    /** The cluster directory of {@code .ci/pg}, needed only by the tests that restart the server. */
    public static final String DIR = "CLASP_JOURNAL_PG_DIR";

    private static final String HOW = "start a private server with eval \"$(bash .ci/pg start)\""
            + " (or point " + URL + ", " + USER + " and " + PASSWORD + " at a database you may"
            + " create schemas in), then run the tests; stop it with bash .ci/pg stop \"$" + DIR + "\"";

    private static HikariDataSource pool;
    private static volatile boolean toldSkipped;
    private static final List<String> schemas = new ArrayList<>();

    private PostgresTestSupport() {}

    /** Skips the calling test when no server is configured, and fails it in CI. */
    public static void requireServer() {
        if (System.getenv(URL) == null || System.getenv(URL).isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI must run the PostgreSQL tests, but " + URL + " is not set: " + HOW);
            }
            String message = "PostgreSQL tests skipped: " + URL + " is not set; " + HOW;
            if (!toldSkipped) {
                toldSkipped = true;
                System.err.println(message); // an aborted class shows no reason in Maven's summary
            }
            Assumptions.abort(message);
        }
    }

    /** Like {@link #requireServer()}, and also needs the cluster directory to restart the server. */
    public static void requireRestartableServer() {
        requireServer();
        String dir = System.getenv(DIR);
        if (dir == null || dir.isBlank() || !Files.isDirectory(Path.of(dir))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI must run the PostgreSQL restart tests, but " + DIR + " is not set: " + HOW);
            }
            Assumptions.abort("PostgreSQL restart tests skipped: " + DIR + " is not set; " + HOW);
        }
    }

    /** A pool shared by every test in this JVM; each journal gets a schema of its own. */
    public static synchronized DataSource dataSource() {
        requireServer();
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(System.getenv(URL));
            config.setUsername(System.getenv(USER));
            config.setPassword(System.getenv(PASSWORD));
            config.setPoolName("clasp-journal-tests");
            config.setMaximumPoolSize(24);
            config.setConnectionTimeout(10_000);
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            pool = new HikariDataSource(config);
            Runtime.getRuntime().addShutdownHook(new Thread(PostgresTestSupport::dropSchemas));
        }
        return pool;
    }

    /** A new, unused schema name, dropped when the JVM exits. */
    public static synchronized String freshSchema() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        schemas.add(name);
        return name;
    }

    /** A journal on a fresh schema of the shared pool. */
    public static PostgresJournal newJournal() {
        return PostgresJournal.builder(dataSource()).schema(freshSchema()).build();
    }

    /** Runs SQL on its own connection, for tests that tamper with or inspect the tables. */
    public static void execute(String sql) throws Exception {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Runs {@code bash .ci/pg ARG DIR} and waits for it. */
    public static void serverControl(String arg) throws Exception {
        Process p = new ProcessBuilder("bash", Path.of(".ci", "pg").toString(), arg, System.getenv(DIR))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(".ci/pg %s finished", arg).isTrue();
        assertThat(p.exitValue()).as(".ci/pg %s exit code", arg).isZero();
    }

    private static void dropSchemas() {
        List<String> names;
        synchronized (PostgresTestSupport.class) {
            names = List.copyOf(schemas);
        }
        try (Connection c = DriverManager.getConnection(System.getenv(URL), System.getenv(USER),
                System.getenv(PASSWORD)); Statement s = c.createStatement()) {
            for (String name : names) {
                s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            }
        } catch (Exception ignored) {
            // a temporary server goes away anyway
        }
    }
}
