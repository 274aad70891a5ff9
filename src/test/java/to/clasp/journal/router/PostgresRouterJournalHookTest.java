package to.clasp.journal.router;

import org.junit.jupiter.api.BeforeAll;
import to.clasp.journal.Journal;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.PostgresTestSupport;

/**
 * The hook on PostgreSQL. A "crash" abandons the journal without closing it and opens a new one
 * on the same schema, as a restarted router would: a record whose future completed was
 * committed by the server, so recovery must find it.
 */
class PostgresRouterJournalHookTest extends RouterJournalHookContract {

    private String schema;

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    @Override
    protected Journal newJournal() {
        schema = PostgresTestSupport.freshSchema();
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).build();
    }

    @Override
    protected Journal reopen(Journal crashed) {
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).build();
    }
}
