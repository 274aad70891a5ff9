package to.clasp.journal.router;

import org.junit.jupiter.api.BeforeAll;
import to.clasp.journal.Journal;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.PostgresTestSupport;

/** The shared-journal cluster on one PostgreSQL schema, each writer with a {@link PostgresJournal} of its own. */
class PostgresSharedSchemaClusterTest extends SharedJournalClusterContract {

    private final String schema = PostgresTestSupport.freshSchema();

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    @Override
    protected Journal openShared() {
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).build();
    }
}
