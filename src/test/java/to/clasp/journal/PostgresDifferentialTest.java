package to.clasp.journal;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The differential pattern test on PostgreSQL: every pattern selects what the matcher selects. */
class PostgresDifferentialTest extends DifferentialContract {

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    @Override
    protected Map<String, Journal> openJournals() {
        return Map.of("PostgreSQL", PostgresTestSupport.newJournal());
    }
}
