package to.clasp.journal.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import to.clasp.journal.PostgresJournal;

/**
 * The PostgreSQL server of the PostgreSQL benchmarks: the one the tests use, from the
 * environment variables that {@code .ci/pg start} prints.
 */
final class PostgresBenchSupport {

    static final String URL = "CLASP_JOURNAL_PG_URL";
    static final String USER = "CLASP_JOURNAL_PG_USER";
    static final String PASSWORD = "CLASP_JOURNAL_PG_PASSWORD";

    private PostgresBenchSupport() {}

    static String url() {
        String url = System.getenv(URL);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("the PostgreSQL benchmarks need a server: run"
                    + " eval \"$(bash .ci/pg start)\" first (see README)");
        }
        return url;
    }

    static String freshSchema() {
        return "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A journal with a pool of its own on {@code schema}. */
    static PostgresJournal open(String schema) {
        return open(schema, null);
    }

    /** A journal with a pool of its own on {@code schema}, signing with {@code key} (null for none). */
    static PostgresJournal open(String schema, byte[] key) {
        return PostgresJournal.builder(url(), System.getenv(USER), System.getenv(PASSWORD)).schema(schema)
                .hmacKey(key).build();
    }

    static void drop(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), System.getenv(USER), System.getenv(PASSWORD));
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
