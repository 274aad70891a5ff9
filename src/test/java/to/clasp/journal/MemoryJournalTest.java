package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import to.clasp.journal.internal.follow.FollowHub;

class MemoryJournalTest extends JournalContract {

    @Override
    protected Journal newJournal() {
        return new MemoryJournal(100_000);
    }

    @Override
    protected boolean commitsInTransactions() {
        return false;
    }

    @Test
    void followersThatComeAndGoMissNothingAppendedWhileNobodyFollowed() {
        // Appends skip the follow hub while nobody follows; each new stream must still get
        // every entry after its start exactly once, stored ones first, then live ones.
        try (MemoryJournal ring = new MemoryJournal(1_000)) {
            for (int i = 0; i < 300; i++) {
                await(ring.append(set("/f/" + (i % 7), Value.of(i), i, T0 + i)));
            }
            for (int round = 0; round < 3; round++) {
                long from = await(ring.latestSeq()) - 50;
                TestFollower f = TestFollower.unbounded();
                ring.follow(JournalQuery.of("/f/**"), from).subscribe(f);
                f.awaitSubscribed(WAIT);
                for (int i = 0; i < 100; i++) {
                    await(ring.append(set("/f/" + (i % 7), Value.of(i), i, T0 + i)));
                }
                f.awaitCount(150, WAIT);
                assertThat(f.seqs()).containsExactlyElementsOf(
                        LongStream.rangeClosed(from + 1, from + 150).boxed().toList());
                assertThat(f.violations()).isEmpty();
                f.cancel();
                // Nobody follows now: these appends reach no hub, and the next stream reads them.
                for (int i = 0; i < 200; i++) {
                    await(ring.append(set("/f/" + (i % 7), Value.of(i), i, T0 + i)));
                }
            }
        }
    }

    @Test
    void entriesAreReturnedWithTheirOwnSeqsWhateverSeqTheCallerPutIn() {
        try (MemoryJournal ring = new MemoryJournal(4)) {
            JournalEntry same = set("/same", Value.of(1), 1, T0).withSeq(42);
            for (int i = 0; i < 6; i++) {
                await(ring.append(same)); // one instance, appended six times
            }
            assertThat(seqs(await(ring.since(0, null)))).containsExactly(3L, 4L, 5L, 6L);
            assertThat(seqs(await(ring.query(JournalQuery.of("/same").descending())))).containsExactly(6L, 5L, 4L, 3L);
            // Read again: the same answer.
            assertThat(seqs(await(ring.query(JournalQuery.of("/**"))))).containsExactly(3L, 4L, 5L, 6L);
            assertThat(await(ring.since(4, 1)).get(0)).isEqualTo(same.withSeq(5));
        }
    }

    @Test
    void capacityThreeAfterFiveAppendsHoldsSeqsThreeToFive() {
        try (MemoryJournal small = new MemoryJournal(3)) {
            for (int i = 0; i < 5; i++) {
                await(small.append(set("/r/" + i, Value.of(i), i, T0)));
            }

            assertThat(seqs(await(small.since(0, null)))).containsExactly(3L, 4L, 5L);
            assertThat(seqs(await(small.query(JournalQuery.of("/r/*"))))).containsExactly(3L, 4L, 5L);
            assertThat(await(small.size())).isEqualTo(3);
            assertThat(await(small.latestSeq())).isEqualTo(5);
        }
    }

    @Test
    void capacityHundredAfterThousandAppendsHoldsTheLastHundred() {
        try (MemoryJournal ring = new MemoryJournal(100)) {
            for (int i = 0; i < 1_000; i++) {
                await(ring.append(set("/r", Value.of(i), i, T0 + i)));
            }

            List<Long> expected = LongStream.rangeClosed(901, 1_000).boxed().toList();
            assertThat(seqs(await(ring.since(0, null)))).containsExactlyElementsOf(expected);
            assertThat(seqs(await(ring.since(950, 10)))).containsExactlyElementsOf(expected.subList(50, 60));
            assertThat(seqs(await(ring.query(JournalQuery.of("/r").descending().limit(2)))))
                    .containsExactly(1_000L, 999L);
            assertThat(await(ring.latestSeq())).isEqualTo(1_000);
        }
    }

    @Test
    void compactionAndEvictionTogetherKeepSeqsContiguous() {
        try (MemoryJournal ring = new MemoryJournal(4)) {
            for (int i = 0; i < 6; i++) {
                await(ring.append(set("/r", Value.of(i), i, T0)));
            }
            assertThat(await(ring.compact(5))).isEqualTo(2);
            await(ring.append(set("/r", Value.of(6), 6, T0)));
            await(ring.append(set("/r", Value.of(7), 7, T0)));
            await(ring.append(set("/r", Value.of(8), 8, T0)));

            assertThat(seqs(await(ring.since(0, null)))).containsExactly(6L, 7L, 8L, 9L);
            assertThat(seqs(await(ring.since(7, null)))).containsExactly(8L, 9L);
        }
    }

    @Test
    void evictionPastASlowFollowerEndsItWithTruncatedNamingTheSeqs() throws InterruptedException {
        try (MemoryJournal ring = new MemoryJournal(100)) {
            TestFollower slow = new TestFollower(1);
            ring.follow(JournalQuery.of("/r"), 0).subscribe(slow);
            await(ring.append(set("/r", Value.of(-1), 0, T0)));
            slow.awaitCount(1, WAIT); // now live, and it requested nothing more
            int more = FollowHub.STREAM_BUFFER + FollowHub.MAX_BATCH + 2_000; // past what it may hold
            for (int i = 0; i < more; i++) {
                await(ring.append(set("/r", Value.of(i), i, T0)));
            }
            Thread.sleep(200); // let the commits reach the stream: what it holds is bounded
            slow.request(Long.MAX_VALUE);
            slow.awaitTerminated(WAIT);

            List<Long> got = slow.seqs();
            assertThat(got).containsExactlyElementsOf(LongStream.rangeClosed(1, got.size()).boxed().toList());
            assertThat(got.size()).isLessThanOrEqualTo(FollowHub.MAX_BATCH + FollowHub.STREAM_BUFFER + 1);
            assertThat(slow.error()).isInstanceOf(JournalException.Truncated.class);
            JournalException.Truncated truncated = (JournalException.Truncated) slow.error();
            assertThat(truncated.firstMissed()).isEqualTo(got.size() + 1L);
            long oldestHeld = more + 1 - 99; // the ring holds the newest 100 of the 1 + more entries
            assertThat(truncated.oldestHeld()).isEqualTo(oldestHeld);
            assertThat(truncated).hasMessageContaining("seq " + (got.size() + 1))
                    .hasMessageContaining(Long.toString(oldestHeld));
        }
    }

    @Test
    void aLiveStreamOnQuietAddressesOutlivesTheEvictionOfOtherAddressesEntries() throws InterruptedException {
        // The entries the ring evicts past the quiet stream never matched it: it has read past
        // them, though it was never handed them, and so it is not truncated.
        try (MemoryJournal ring = new MemoryJournal(100)) {
            TestFollower quiet = TestFollower.unbounded();
            ring.follow(JournalQuery.of("/quiet/**"), 0).subscribe(quiet);
            TestFollower busy = TestFollower.unbounded();
            ring.follow(JournalQuery.of("/busy/**"), 0).subscribe(busy);
            quiet.awaitSubscribed(WAIT);
            busy.awaitSubscribed(WAIT);
            long first = await(ring.append(set("/quiet/a", Value.of(0), 1, T0)));
            quiet.awaitCount(1, WAIT);
            Thread.sleep(100); // let it turn live
            for (int i = 0; i < 1_000; i++) {
                await(ring.append(set("/busy/" + (i % 5), Value.of(i), i + 1, T0 + i)));
            }
            long last = await(ring.append(set("/quiet/b", Value.of(1), 2, T0)));
            quiet.awaitCount(2, WAIT);
            busy.awaitCount(1_000, WAIT);
            assertThat(quiet.seqs()).containsExactly(first, last);
            assertThat(quiet.isTerminated()).as("ended with %s", quiet.error()).isFalse();
            assertThat(seqs(busy.received())).containsExactlyElementsOf(
                    LongStream.rangeClosed(first + 1, last - 1).boxed().toList());
            assertThat(quiet.violations()).isEmpty();
            assertThat(busy.violations()).isEmpty();
        }
    }

    @Test
    void followersAndQueriesRunBesideAppendsEvictionsAndCompactions() throws InterruptedException {
        // Two appenders, a compaction now and then, a thread querying the ring (which indexes
        // addresses under the read lock) and two followers reading it: every query answer is
        // consistent, a keeping-up follower gets the matching entries in order with no gap, and
        // one left behind ends with Truncated.
        JournalQuery followed = JournalQuery.of("/c/*/a1");
        Map<Long, JournalEntry> appended = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (MemoryJournal ring = new MemoryJournal(64)) {
            TestFollower keepingUp = TestFollower.unbounded();
            TestFollower behind = new TestFollower(1);
            ring.follow(followed, 0).subscribe(keepingUp);
            ring.follow(JournalQuery.of("/c/**"), 0).subscribe(behind);
            keepingUp.awaitSubscribed(WAIT);
            behind.awaitSubscribed(WAIT);
            Thread[] appenders = new Thread[2];
            // Together more than the follower left behind may hold, so that it is truncated.
            int each = (FollowHub.STREAM_BUFFER + FollowHub.MAX_BATCH) / 2 + 2_000;
            for (int t = 0; t < appenders.length; t++) {
                Random random = new Random(t);
                boolean compacts = t == 0;
                appenders[t] = new Thread(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            String address = "/c/" + random.nextInt(6) + "/a" + random.nextInt(3);
                            JournalEntry e = set(address, Value.of(i), i, T0 + i);
                            appended.put(await(ring.append(e)), e);
                            if (compacts && i % 250 == 0) {
                                await(ring.compact(await(ring.latestSeq()) - 20));
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                appenders[t].start();
            }
            Thread querier = new Thread(() -> {
                try {
                    while (appenders[0].isAlive() || appenders[1].isAlive()) {
                        for (JournalQuery q : List.of(followed, JournalQuery.of("/c/**").descending().limit(5))) {
                            List<JournalEntry> got = await(ring.query(q));
                            assertThat(got).hasSizeLessThanOrEqualTo(64).allMatch(q::matches);
                            List<Long> seqs = seqs(got);
                            assertThat(seqs).isSortedAccordingTo(q.isDescending()
                                    ? Collections.reverseOrder() : Long::compare).doesNotHaveDuplicates();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            querier.start();
            for (Thread t : appenders) {
                t.join();
            }
            querier.join();
            assertThat(failures).isEmpty();

            List<JournalEntry> held = await(ring.since(0, null));
            assertThat(await(ring.query(followed))).containsExactlyElementsOf(held.stream().filter(followed::matches).toList());
            List<Long> matching = appended.entrySet().stream().filter(en -> followed.matches(en.getValue()))
                    .map(Map.Entry::getKey).sorted().toList();
            TestFollower.awaitTrue(() -> keepingUp.count() == matching.size() || keepingUp.isTerminated(), WAIT,
                    () -> "follower: " + keepingUp.count() + " of " + matching.size() + ", error: " + keepingUp.error());
            List<JournalEntry> got = keepingUp.received();
            assertThat(seqs(got)).containsExactlyElementsOf(matching.subList(0, got.size()));
            for (JournalEntry e : got) {
                assertThat(e.address()).isEqualTo(appended.get(e.seq()).address());
                assertThat(e.value()).isEqualTo(appended.get(e.seq()).value());
            }
            if (keepingUp.isTerminated()) {
                assertThat(keepingUp.error()).isInstanceOf(JournalException.Truncated.class);
            }

            behind.request(Long.MAX_VALUE);
            behind.awaitTerminated(WAIT);
            assertThat(behind.error()).isInstanceOf(JournalException.Truncated.class);
            assertThat(seqs(behind.received())).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, behind.count()).boxed().toList());
            assertThat(keepingUp.violations()).isEmpty();
            assertThat(behind.violations()).isEmpty();
        }
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new MemoryJournal(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MemoryJournal.withDefaultCapacity().capacity()).isEqualTo(MemoryJournal.DEFAULT_CAPACITY);
    }

    @Test
    void queriesAgreeWithTheFilterWhileAddressesComeAndGo() {
        // Few addresses (one match per distinct address) and then mostly unique ones (one match
        // per entry), through eviction and compaction, against every entry held filtered by
        // JournalQuery.matches.
        List<JournalQuery> queries = List.of(JournalQuery.of("/r/**"), JournalQuery.of("/*/a1"),
                JournalQuery.of("/r/a{1,3}"), JournalQuery.of("!/r/a2"), JournalQuery.of("/**"),
                JournalQuery.of("/u/*").descending().limit(7), JournalQuery.of("/r/a?").from(T0 + 40).to(T0 + 300),
                JournalQuery.of("/**").types(SignalType.EVENT).limit(3), JournalQuery.of("/nowhere"));
        Random random = new Random(12);
        try (MemoryJournal ring = new MemoryJournal(50)) {
            for (int i = 0; i < 600; i++) {
                String address = i < 300 ? (random.nextBoolean() ? "/r/a" : "/s/a") + random.nextInt(5)
                        : "/u/" + i;
                JournalEntry e = i % 7 == 0
                        ? JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(i), "s", T0 + i)
                        : set(address, Value.of(i), i, T0 + i);
                await(ring.append(e));
                if (i % 97 == 0) {
                    await(ring.compact(await(ring.latestSeq()) - 10));
                }
                if (i % 13 == 0 || i == 599) {
                    List<JournalEntry> held = await(ring.since(0, null));
                    for (JournalQuery q : queries) {
                        List<JournalEntry> expected = new ArrayList<>(held.stream().filter(q::matches).toList());
                        if (q.isDescending()) {
                            Collections.reverse(expected);
                        }
                        int max = q.maxResults().orElse(Integer.MAX_VALUE);
                        assertThat(await(ring.query(q))).as("%s after %d appends", q, i + 1)
                                .containsExactlyElementsOf(expected.subList(0, Math.min(max, expected.size())));
                    }
                }
            }
        }
    }

    @Test
    void anAddressWhoseEntriesAllLeftIsFoundAgainWhenItComesBack() {
        try (MemoryJournal ring = new MemoryJournal(4)) {
            await(ring.append(set("/old", Value.of(1), 1, T0)));
            for (int i = 0; i < 4; i++) {
                await(ring.append(set("/new/" + (i % 2), Value.of(i), i, T0)));
            }
            assertThat(await(ring.query(JournalQuery.of("/old")))).isEmpty();

            await(ring.append(set("/old", Value.of(2), 2, T0)));

            assertThat(seqs(await(ring.query(JournalQuery.of("/old"))))).containsExactly(6L);
            assertThat(seqs(await(ring.query(JournalQuery.of("/new/*"))))).containsExactly(3L, 4L, 5L);
        }
    }
}
