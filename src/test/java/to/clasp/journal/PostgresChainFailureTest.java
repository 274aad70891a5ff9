package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A keyed writer that fails mid-commit leaves no broken chain: its connection terminated by the
 * server between and during groups, a statement that fails for its data, a COMMIT whose outcome
 * the writer had to look up. Every entry that is there afterwards verifies, and the appends go on
 * linked to the right entry, whichever journal on the schema makes them.
 */
class PostgresChainFailureTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    private static List<CompletableFuture<Long>> burst(Journal journal, String prefix, int n) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(journal.append(JournalEntry.fromSet(prefix + (i % 5), Value.of(i), i, "me", T0 + i)));
        }
        return futures;
    }

    /** Waits for every future; returns how many failed. */
    private static int settle(List<CompletableFuture<Long>> futures) {
        int failed = 0;
        for (CompletableFuture<Long> f : futures) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(JournalException.Storage.class);
                failed++;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return failed;
    }

    @Test
    void aWriterWhoseConnectionTheServerTerminatesLeavesAValidChain() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        String application = "clasp_chain_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String url = System.getenv(PostgresTestSupport.URL);
        url += (url.contains("?") ? "&" : "?") + "ApplicationName=" + application;
        try (PostgresJournal victim = PostgresJournal.builder(url, System.getenv(PostgresTestSupport.USER),
                        System.getenv(PostgresTestSupport.PASSWORD)).schema(schema).hmacKey(key(9))
                        .maxBatchSize(16).build();
                PostgresJournal other = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                        .hmacKey(key(9)).build()) {
            int acknowledged = 0;
            int failed = 0;
            for (int round = 0; round < 5; round++) {
                List<CompletableFuture<Long>> futures = burst(victim, "/victim/", 300);
                futures.addAll(burst(other, "/other/", 50));
                // Between groups, or in the middle of one (a COMMIT included): wherever it lands.
                PostgresTestSupport.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE application_name = '" + application + "'");
                int lost = settle(futures);
                failed += lost;
                acknowledged += futures.size() - lost;
            }
            // The writer keeps its connection: a kill that came after a round's last commit fails
            // the next group (nothing is retried behind the caller's back).
            List<CompletableFuture<Long>> next = burst(victim, "/next/", 20);
            int lost = settle(next);
            failed += lost;
            acknowledged += next.size() - lost;
            assertThat(failed).as("appends the terminated connections failed").isPositive();
            assertThat(await(victim.append(JournalEntry.fromSet("/after", Value.of(1), 1, "me", T0)))).isPositive();
            assertThat(await(other.append(JournalEntry.fromSet("/after", Value.of(2), 2, "me", T0)))).isPositive();
            acknowledged += 2;
            long size = await(other.size());
            assertThat(size).as("every acknowledged append is stored (%d failed)", failed).isEqualTo(acknowledged);
            assertThat(await(other.verifyIntegrity())).isEqualTo(size);
            assertThat(await(victim.since(0, null))).hasSize((int) size);
        }
    }

    @Test
    void aGroupRejectedForItsDataIsRetriedOneByOneAndTheChainHasNoGap() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .hmacKey(key(9)).build()) {
            await(journal.append(JournalEntry.fromSet("/ok", Value.of(0), 1, "me", T0)));
            PostgresTestSupport.execute("CREATE FUNCTION " + schema + ".reject_bad() RETURNS trigger LANGUAGE plpgsql"
                    + " AS $$BEGIN IF NEW.address = '/bad' THEN RAISE EXCEPTION 'rejected'; END IF; RETURN NEW; END$$");
            PostgresTestSupport.execute("CREATE TRIGGER reject_bad BEFORE INSERT ON " + schema + ".journal_entries"
                    + " FOR EACH ROW EXECUTE FUNCTION " + schema + ".reject_bad()");
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                futures.add(journal.append(JournalEntry.fromSet(i == 10 ? "/bad" : "/ok", Value.of(i), i, "me", T0)));
            }
            assertFails(futures.get(10), JournalException.Storage.class);
            futures.remove(10);
            futures.forEach(SqliteTestSupport::await);
            // A snapshot in the same batch as appends is written in queue order, chained the same way.
            futures = burst(journal, "/more/", 10);
            CompletableFuture<Long> snapshot = journal.snapshot(List.of());
            futures.addAll(burst(journal, "/more/", 10));
            futures.forEach(SqliteTestSupport::await);
            assertThat(await(snapshot)).isBetween(30L, 50L);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(50);
            assertThat(seqs(await(journal.since(0, null)))).hasSize(50).doesNotHaveDuplicates();
        }
    }

    @ParameterizedTest
    @EnumSource(PostgresConnectionFailureTest.Break.class)
    void aCommitWhoseOutcomeTheWriterLookedUpLeavesAValidChain(PostgresConnectionFailureTest.Break mode) {
        PostgresConnectionFailureTest.BreakingDataSource ds = new PostgresConnectionFailureTest.BreakingDataSource();
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = PostgresJournal.builder(ds).schema(schema).hmacKey(key(9)).build();
                PostgresJournal other = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                        .hmacKey(key(9)).build()) {
            assertThat(await(journal.append(JournalEntry.fromSet("/first", Value.of(0), 1, "me", T0)))).isEqualTo(1);
            ds.armed.set(mode);
            int failed = settle(burst(journal, "/doubt/", 50));
            assertThat(ds.armed.get()).as("the break happened").isNull();
            if (mode == PostgresConnectionFailureTest.Break.AFTER_COMMIT) {
                assertThat(failed).as("committed, then found by the writer").isZero();
            } else {
                assertThat(failed).as("rolled back").isPositive();
            }
            await(other.append(JournalEntry.fromSet("/other", Value.of(1), 1, "me", T0)));
            await(journal.append(JournalEntry.fromSet("/next", Value.of(2), 2, "me", T0)));
            long size = await(journal.size());
            assertThat(size).isEqualTo(1 + 50 - failed + 2);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(size);
        }
    }
}
