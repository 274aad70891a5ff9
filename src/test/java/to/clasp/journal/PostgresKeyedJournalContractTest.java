package to.clasp.journal;

import org.junit.jupiter.api.BeforeAll;

/**
 * The journal contract, run against a {@link PostgresJournal} with an HMAC key on a real server:
 * every read verified against the entry chain, every snapshot signed, and compaction moving the
 * signed mark, change nothing the contract says.
 */
class PostgresKeyedJournalContractTest extends JournalContract {

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    @Override
    protected Journal newJournal() {
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(PostgresTestSupport.freshSchema())
                .hmacKey(SqliteTestSupport.key(9)).build();
    }
}
