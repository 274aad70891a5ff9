package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connections that break at chosen moments, through a data source that simulates them. When a
 * connection breaks during COMMIT, after the server committed or before, the writer looks at the
 * seqs it had taken and completes the futures as the rows say, so an acknowledged append is one
 * that is stored, and a failed one is one that is not. Closing while the server is away does not
 * wait out the pool once per group.
 */
class PostgresConnectionFailureTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    enum Break { AFTER_COMMIT, BEFORE_COMMIT }

    /** Hands out connections whose next COMMIT, once armed, breaks the connection. */
    static final class BreakingDataSource implements DataSource {
        final DataSource pool = PostgresTestSupport.dataSource();
        final AtomicReference<Break> armed = new AtomicReference<>();
        /** While set, the server is "away": every call fails after a wait, as a pool's would. */
        volatile boolean down;

        @Override
        public Connection getConnection() throws SQLException {
            if (down) {
                sleep(1_000);
                throw new SQLException("simulated: the server is away", "08001");
            }
            Connection real = pool.getConnection();
            boolean[] broken = {false};
            InvocationHandler handler = (proxy, method, args) -> {
                if (down && !method.getName().equals("close")) {
                    broken[0] = true;
                    throw new SQLException("simulated: the connection broke", "08006");
                }
                switch (method.getName()) {
                    case "commit" -> {
                        Break mode = armed.getAndSet(null);
                        if (mode != null) {
                            if (mode == Break.AFTER_COMMIT) {
                                real.commit();
                            } else {
                                real.rollback();
                            }
                            broken[0] = true;
                            throw new SQLException("simulated: the connection broke", "08006");
                        }
                    }
                    case "isValid" -> {
                        if (broken[0]) {
                            return false;
                        }
                    }
                    default -> {
                        // delegated below
                    }
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, handler);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public Connection getConnection(String user, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return pool.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return pool.isWrapperFor(iface);
        }
    }

    private static List<CompletableFuture<Long>> appendBurst(Journal journal, int n) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(journal.append(JournalEntry.fromSet("/doubt/" + i, Value.of(i), i, "me", T0 + i)));
        }
        return futures;
    }

    @Test
    void aCommitThatWentThroughBeforeTheBreakIsAcknowledged() {
        BreakingDataSource ds = new BreakingDataSource();
        try (PostgresJournal journal = PostgresJournal.builder(ds).schema(PostgresTestSupport.freshSchema()).build()) {
            assertThat(await(journal.append(JournalEntry.fromSet("/first", Value.of(0), 1, "me", T0)))).isEqualTo(1);
            ds.armed.set(Break.AFTER_COMMIT);
            List<CompletableFuture<Long>> futures = appendBurst(journal, 50);
            List<Long> acknowledged = new ArrayList<>();
            futures.forEach(f -> acknowledged.add(await(f)));

            assertThat(ds.armed.get()).as("the break happened").isNull();
            assertThat(acknowledged).containsExactlyElementsOf(LongStream.rangeClosed(2, 51).boxed().toList());
            assertThat(seqs(await(journal.since(0, null)))).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, 51).boxed().toList());
            assertThat(await(journal.append(JournalEntry.fromSet("/next", Value.of(0), 1, "me", T0)))).isEqualTo(52);
            // The commit that went through before the break counts as a commit, not a failure.
            assertThat(journal.stats().appends()).isEqualTo(52);
            assertThat(journal.stats().failures()).isZero();
        }
    }

    @Test
    void aCommitThatDidNotGoThroughFailsAndLeavesNothing() {
        BreakingDataSource ds = new BreakingDataSource();
        try (PostgresJournal journal = PostgresJournal.builder(ds).schema(PostgresTestSupport.freshSchema()).build()) {
            assertThat(await(journal.append(JournalEntry.fromSet("/first", Value.of(0), 1, "me", T0)))).isEqualTo(1);
            ds.armed.set(Break.BEFORE_COMMIT);
            List<CompletableFuture<Long>> futures = appendBurst(journal, 50);
            int failed = 0;
            for (CompletableFuture<Long> f : futures) {
                if (f.handle((seq, e) -> e != null).join()) {
                    failed++;
                    assertThat(assertFails(f, JournalException.Storage.class)).hasMessageContaining("nothing was written");
                }
            }

            assertThat(ds.armed.get()).as("the break happened").isNull();
            assertThat(failed).isPositive();
            assertThat(await(journal.size())).isEqualTo(1L + 50 - failed);
            assertThat(seqs(await(journal.since(0, null)))).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, 51 - failed).boxed().toList());
            JournalStats stats = journal.stats();
            assertThat(stats.failures()).isEqualTo(failed);
            assertThat(stats.appends()).isEqualTo(51L - failed);
            assertThat(stats.rejected()).isZero();
        }
    }

    @Test
    void closingWhileTheServerIsAwayFailsWhatIsLeftWithoutWaitingForEachGroup() {
        BreakingDataSource ds = new BreakingDataSource();
        PostgresJournal journal = PostgresJournal.builder(ds).schema(PostgresTestSupport.freshSchema())
                .maxBatchSize(10).build();
        assertThat(await(journal.append(JournalEntry.fromSet("/first", Value.of(0), 1, "me", T0)))).isEqualTo(1);
        ds.down = true;
        List<CompletableFuture<Long>> futures = appendBurst(journal, 500); // fits in the write queue

        long start = System.nanoTime();
        journal.close();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        // 50 groups would wait a second each; closing gives up on the server after the first.
        assertThat(seconds).as("seconds to close").isLessThan(30);
        for (CompletableFuture<Long> f : futures) {
            assertThat(assertFails(f, JournalException.Storage.class)).hasMessageContaining("nothing was written");
        }
    }
}
