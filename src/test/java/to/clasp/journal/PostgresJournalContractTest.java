package to.clasp.journal;

import org.junit.jupiter.api.BeforeAll;

/** The journal contract, run against a {@link PostgresJournal} on a real server (see {@link PostgresTestSupport}). */
class PostgresJournalContractTest extends JournalContract {

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    @Override
    protected Journal newJournal() {
        return PostgresTestSupport.newJournal();
    }
}
