package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import to.clasp.journal.internal.follow.FollowHub;

/**
 * Following when streams follow different addresses, part of the contract every backend runs
 * (through {@link JournalContract}): a commit reaches only the streams it may concern, and
 * that must never cost a stream an entry, its order, or its hand-over from stored to live
 * entries, whatever was committed for other streams in between.
 */
interface FollowRoutingContract {

    Duration WAIT = Duration.ofSeconds(30);
    long T0 = 1_708_500_000_000_000L;

    /** The fresh journal under test, open for the length of the test. */
    Journal journal();

    /**
     * A query on each of many prefixes, of each shape, the queries whose patterns have no literal
     * to narrow by (every entry must be tried on them), and types and time filters.
     */
    private static List<JournalQuery> queries() {
        List<JournalQuery> queries = new ArrayList<>();
        for (int r = 0; r < 16; r++) {
            queries.add(JournalQuery.of("/route/r" + r + "/**"));
        }
        for (String p : List.of("/route/r3/x", "/route/r4/*", "/route/r5/l*", "/route/r6/deep/**",
                "/route/r1{0,1}/**", "/route/*/x", "/rou*/**",
                "/**", "{/route/r1,/route/r2}/**", "!/route/r7/**", "**/y", "*/route/r8/**")) {
            queries.add(JournalQuery.of(p));
        }
        queries.add(JournalQuery.of("/route/r2/**").types(SignalType.PARAM));
        queries.add(JournalQuery.of("/route/r9/**").from(T0 + 100).to(T0 + 600));
        return queries;
    }

    /** Entry {@code i} of writer {@code w}: prefixes r0..r19 (r16 and up have no stream of their own). */
    private static JournalEntry traffic(int w, int i) {
        String[] leaves = {"x", "y", "l1", "deep/er/z", "m"};
        String address = "/route/r" + ((i * 7 + w * 3) % 20) + "/" + leaves[(i + w) % leaves.length];
        return i % 3 == 0
                ? JournalEntry.fromSet(address, Value.of(i), i + 1, "w" + w, T0 + i)
                : JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(i), "w" + w, T0 + i);
    }

    private TestFollower follow(String pattern, long afterSeq, TestFollower follower) {
        return follow(JournalQuery.of(pattern), afterSeq, follower);
    }

    private TestFollower follow(JournalQuery query, long afterSeq, TestFollower follower) {
        journal().follow(query, afterSeq).subscribe(follower);
        return follower.awaitSubscribed(WAIT);
    }

    private static <T> T await(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(WAIT);
        return future.join();
    }

    /** Asserts that {@code f} got exactly the entries of {@code all} after {@code afterSeq} that {@code query} matches. */
    private static void assertGotExactly(TestFollower f, JournalQuery query, long afterSeq, List<JournalEntry> all) {
        List<JournalEntry> expected = all.stream().filter(e -> e.seq() > afterSeq && query.matches(e)).toList();
        f.awaitCount(expected.size(), WAIT);
        assertThat(f.received()).as("%s after %d", query, afterSeq).containsExactlyElementsOf(expected);
        assertThat(f.violations()).as("%s after %d", query, afterSeq).isEmpty();
        assertThat(f.isTerminated()).as("%s ended: %s", query, f.error()).isFalse();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    default void streamsOnManyPrefixesEachGetExactlyTheirEntriesWhileOthersCommit() throws Exception {
        Journal journal = journal();
        for (int i = 0; i < 200; i++) {
            await(journal.append(traffic(9, i)));
        }
        record Stream(JournalQuery query, long afterSeq, TestFollower follower) {}
        List<Stream> streams = new ArrayList<>();
        for (JournalQuery q : queries()) {
            streams.add(new Stream(q, 0, follow(q, 0, TestFollower.unbounded())));
        }
        int writers = 4;
        int perWriter = 1_000;
        CountDownLatch midway = new CountDownLatch(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                running.add(pool.submit(() -> {
                    List<CompletableFuture<Long>> appended = new ArrayList<>();
                    for (int i = 0; i < perWriter; i++) {
                        appended.add(journal.append(traffic(writer, i)));
                        if (i == perWriter / 2) {
                            appended.forEach(CompletableFuture::join);
                            midway.countDown();
                        }
                    }
                    appended.forEach(CompletableFuture::join);
                    return null;
                }));
            }
            // Streams that start while the writers run: from the start, and from the latest seq.
            assertThat(midway.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            long latest = await(journal.latestSeq());
            for (JournalQuery q : queries()) {
                streams.add(new Stream(q, 0, follow(q, 0, TestFollower.unbounded())));
                streams.add(new Stream(q, latest, follow(q, latest, TestFollower.unbounded())));
            }
            for (Future<?> r : running) {
                r.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        List<JournalEntry> all = await(journal.since(0, null));
        assertThat(all).hasSize(200 + writers * perWriter);
        for (Stream s : streams) {
            assertGotExactly(s.follower(), s.query(), s.afterSeq(), all);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    default void aStreamHandsOverFromStoredToLiveWithNoGapWhenOnlyOtherAddressesCommitInBetween() {
        Journal journal = journal();
        TestFollower elsewhere = follow("/a/**", 0, TestFollower.unbounded());
        for (int i = 0; i < 10; i++) {
            await(journal.append(JournalEntry.fromPublish("/b/" + i, SignalType.EVENT, Value.of(i), "t", T0 + i)));
        }
        TestFollower live = follow("/b/**", 5, TestFollower.unbounded());
        TestFollower stepwise = follow("/b/**", 5, new TestFollower(1) {
            @Override
            void onEntry(JournalEntry entry) {
                request(1);
            }
        });
        TestFollower limited = TestFollower.unbounded();
        journal.follow(JournalQuery.of("/b/*").limit(13), 0).subscribe(limited);
        limited.awaitSubscribed(WAIT);
        live.awaitCount(5, WAIT);
        long latest = await(journal.latestSeq());
        TestFollower fromLatest = follow("/b/**", latest, TestFollower.unbounded());
        // Other addresses, far more than a stream buffers, then ours, then others again.
        for (int round = 0; round < 2; round++) {
            List<CompletableFuture<Long>> appended = new ArrayList<>();
            for (int i = 0; i < FollowHub.STREAM_BUFFER + 500; i++) {
                appended.add(journal.append(JournalEntry.fromPublish("/a/" + (i % 7), SignalType.EVENT,
                        Value.of(i), "t", T0 + i)));
            }
            for (int i = 0; i < 5; i++) {
                appended.add(journal.append(JournalEntry.fromPublish("/b/" + i, SignalType.EVENT,
                        Value.of(round * 5 + i), "t", T0 + i)));
            }
            appended.forEach(f -> await(f));
        }
        List<JournalEntry> all = await(journal.since(0, null));
        assertGotExactly(live, JournalQuery.of("/b/**"), 5, all);
        assertGotExactly(stepwise, JournalQuery.of("/b/**"), 5, all);
        assertGotExactly(fromLatest, JournalQuery.of("/b/**"), latest, all);
        assertGotExactly(elsewhere, JournalQuery.of("/a/**"), 0, all);
        // The limit counts only the stream's own entries, wherever they come from.
        limited.awaitTerminated(WAIT);
        assertThat(limited.completed()).isTrue();
        assertThat(limited.received()).containsExactlyElementsOf(
                all.stream().filter(e -> e.address().startsWith("/b/")).limit(13).toList());
    }

    @Test
    default void closeEndsStreamsOnAddressesNobodyWroteWithClosed() {
        Journal journal = journal();
        TestFollower idle = follow("/never/**", 0, TestFollower.unbounded());
        TestFollower waiting = follow("/never/x", 0, new TestFollower(0));
        for (int i = 0; i < 100; i++) {
            await(journal.append(JournalEntry.fromPublish("/other/" + i, SignalType.EVENT, Value.of(i), "t", T0)));
        }
        journal.close();
        for (TestFollower f : List.of(idle, waiting)) {
            f.awaitTerminated(WAIT);
            assertThat(f.error()).isInstanceOf(JournalException.Closed.class);
            assertThat(f.count()).isZero();
            assertThat(f.violations()).isEmpty();
        }
    }
}
