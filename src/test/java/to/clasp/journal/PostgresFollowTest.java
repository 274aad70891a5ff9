package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Following a PostgreSQL journal while other journals on the same schema (other routers) append:
 * their commits arrive through LISTEN/NOTIFY, mixed with this journal's own, each once, in order.
 * With an HMAC key, the two writers' entries form one chain that verifies.
 */
class PostgresFollowTest {

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    @ParameterizedTest(name = "keyed: {0}")
    @ValueSource(booleans = {false, true})
    void anotherRoutersAppendsReachTheFollowerInSeqOrderMixedWithOurOwn(boolean keyed) throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        byte[] key = keyed ? SqliteTestSupport.key(9) : null;
        try (PostgresJournal ours = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                        .hmacKey(key).build();
                PostgresJournal theirs = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                        .hmacKey(key).build()) {
            ours.append(entry("/before", 0)).join();
            int each = 300;
            List<JournalEntry> seen = new CopyOnWriteArrayList<>();
            CountDownLatch all = new CountDownLatch(2 * each);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            ours.follow(JournalQuery.of("/r/**"), 0).subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(JournalEntry e) {
                    seen.add(e);
                    all.countDown();
                }

                @Override
                public void onError(Throwable t) {
                    failure.set(t);
                }

                @Override
                public void onComplete() {
                    failure.set(new AssertionError("a stream without a limit completed"));
                }
            });
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> appendAll(ours, "/r/ours/", each));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> appendAll(theirs, "/r/theirs/", each));
            CompletableFuture.allOf(a, b).join();

            assertThat(all.await(30, TimeUnit.SECONDS)).as("every entry delivered; failure: %s", failure.get()).isTrue();
            Thread.sleep(200); // nothing more may arrive
            assertThat(failure.get()).isNull();
            assertThat(seen).extracting(JournalEntry::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(2, 2L * each + 1).boxed().toList());
            assertThat(seen).filteredOn(e -> e.address().startsWith("/r/theirs/")).hasSize(each);
            assertThat(seen).isEqualTo(ours.since(1, null).join());
            if (keyed) {
                assertThat(theirs.verifyIntegrity().join()).isEqualTo(2L * each + 1);
            }
        }
    }

    private static void appendAll(Journal journal, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            journal.append(entry(prefix + (i % 7), i)).join();
        }
    }

    private static JournalEntry entry(String address, int i) {
        return JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(i), "s", 1_700_000_000_000_000L + i);
    }
}
