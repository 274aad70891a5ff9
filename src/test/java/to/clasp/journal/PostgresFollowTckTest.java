package to.clasp.journal;

/**
 * The Reactive Streams TCK against {@link PostgresJournal#follow} on a real server (see
 * {@link PostgresTestSupport}): skipped without one, and failed in CI without one.
 */
public class PostgresFollowTckTest extends FollowTck {

    public PostgresFollowTckTest() {
        super(PostgresFollowTckTest::open);
    }

    private static Journal open() {
        String url = System.getenv(PostgresTestSupport.URL);
        if (url == null || url.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI must run the PostgreSQL tests, but "
                        + PostgresTestSupport.URL + " is not set");
            }
            System.err.println("PostgreSQL TCK skipped: " + PostgresTestSupport.URL + " is not set");
            return null;
        }
        return PostgresTestSupport.newJournal();
    }
}
