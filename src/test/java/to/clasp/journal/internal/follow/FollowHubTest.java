package to.clasp.journal.internal.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SignalType;
import to.clasp.journal.TestFollower;
import to.clasp.journal.Value;

/**
 * The follow engine with a storage of its own, as a new backend would plug in: commits it is
 * told about, commits it only hears were made ({@link FollowHub#changed()}), and commits that
 * overflow its queue.
 */
public class FollowHubTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A backend's storage: a list of entries, seq i + 1 at index i. */
    private static final class ListSource implements FollowSource {
        final List<JournalEntry> stored = new ArrayList<>();
        final AtomicInteger reads = new AtomicInteger();
        volatile CountDownLatch blockLatestSeq;

        synchronized List<JournalEntry> add(int n) {
            List<JournalEntry> added = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                added.addAll(addAt("/hub/" + (stored.size() % 3)));
            }
            return added;
        }

        synchronized List<JournalEntry> addAt(String... addresses) {
            List<JournalEntry> added = new ArrayList<>();
            for (String address : addresses) {
                JournalEntry e = JournalEntry.fromPublish(address, SignalType.EVENT,
                        Value.of(stored.size()), "test", 1L).withSeq(stored.size() + 1);
                stored.add(e);
                added.add(e);
            }
            return added;
        }

        @Override
        public synchronized Page read(JournalQuery query, long afterSeq, int max) {
            reads.incrementAndGet();
            List<JournalEntry> out = new ArrayList<>();
            long covered = Math.max(afterSeq, stored.size());
            for (int i = (int) afterSeq; i < stored.size(); i++) {
                JournalEntry e = stored.get(i);
                if (query == null || query.matches(e)) {
                    out.add(e);
                    if (out.size() == max) {
                        covered = e.seq();
                        break;
                    }
                }
            }
            return new Page(out, covered);
        }

        @Override
        public long latestSeq() {
            CountDownLatch block = blockLatestSeq;
            if (block != null) {
                try {
                    block.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (this) {
                return stored.size();
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void commitsItOnlyHearsOfAreReadOnceForAllStreams() throws InterruptedException {
        ListSource source = new ListSource();
        FollowHub hub = new FollowHub("test", source, 0, null);
        try {
            List<TestFollower> followers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                TestFollower f = TestFollower.unbounded();
                hub.publisher(JournalQuery.of("/hub/*"), 0).subscribe(f);
                followers.add(f);
            }
            TestFollower.awaitTrue(() -> source.reads.get() >= 10, WAIT, () -> "initial reads");
            Thread.sleep(200); // let the initial reads end
            int readsBefore = source.reads.get();
            source.add(500); // committed by "another process": the hub only hears of it
            hub.changed();
            for (TestFollower f : followers) {
                f.awaitCount(500, WAIT);
                assertThat(f.received()).containsExactlyElementsOf(source.stored);
            }
            // One shared read (a stream still ending its first read may read once more).
            assertThat(source.reads.get() - readsBefore).as("storage reads for 10 streams")
                    .isBetween(1, 2);
        } finally {
            hub.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void streamsOnOtherAddressesStayLiveWithoutReadingStorageWhileOthersCommit()
            throws InterruptedException {
        ListSource source = new ListSource();
        FollowHub hub = new FollowHub("test", source, 0, null);
        try {
            List<TestFollower> idle = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                TestFollower f = TestFollower.unbounded();
                hub.publisher(JournalQuery.of("/idle/room" + i + "/**"), 0).subscribe(f);
                idle.add(f);
            }
            TestFollower x = TestFollower.unbounded();
            hub.publisher(JournalQuery.of("/x/**"), 0).subscribe(x);
            TestFollower y = TestFollower.unbounded();
            hub.publisher(JournalQuery.of("/y/*"), 0).subscribe(y);
            TestFollower all = TestFollower.unbounded();
            hub.publisher(JournalQuery.of("/**"), 0).subscribe(all);
            TestFollower.awaitTrue(() -> source.reads.get() >= 103, WAIT, () -> "initial reads");
            Thread.sleep(200); // let the initial reads end
            int readsBefore = source.reads.get();
            for (int round = 1; round <= 20; round++) {
                // Commits one at a time, each delivered before the next, so that /x/** is not
                // offered the /y/ commits at all: it must take them as not matching.
                for (int i = 0; i < 5; i++) {
                    hub.committed(source.addAt("/y/" + i));
                    y.awaitCount(round * 5 - 4 + i, WAIT);
                }
                hub.committed(source.addAt("/x/" + round + "/a"));
                x.awaitCount(round, WAIT);
            }
            all.awaitCount(120, WAIT);
            assertThat(all.received()).containsExactlyElementsOf(source.stored);
            assertThat(x.received()).containsExactlyElementsOf(
                    source.stored.stream().filter(e -> e.address().startsWith("/x/")).toList());
            assertThat(y.received()).containsExactlyElementsOf(
                    source.stored.stream().filter(e -> e.address().startsWith("/y/")).toList());
            // Every stream stayed live: none fell back to storage for entries it was not offered.
            assertThat(source.reads.get() - readsBefore).as("storage reads").isZero();
            for (TestFollower f : idle) {
                assertThat(f.count()).isZero();
                assertThat(f.isTerminated()).isFalse();
            }
            for (TestFollower f : List.of(x, y, all)) {
                assertThat(f.violations()).isEmpty();
            }
        } finally {
            hub.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void commitsThatOverflowTheQueueAreReadBackNotLost() {
        ListSource source = new ListSource();
        FollowHub hub = new FollowHub("test", source, 0, null);
        try {
            TestFollower all = TestFollower.unbounded();
            hub.publisher(JournalQuery.of("/**"), 0).subscribe(all);
            TestFollower odd = TestFollower.unbounded();
            hub.publisher(JournalQuery.of("/hub/1"), 0).subscribe(odd);
            TestFollower.awaitTrue(() -> source.reads.get() >= 2, WAIT, () -> "initial reads");
            // Hold the dispatcher in a storage call while far more commits arrive than it queues.
            source.blockLatestSeq = new CountDownLatch(1);
            hub.changed();
            TestFollower.awaitTrue(() -> source.blockLatestSeq.getCount() == 1, WAIT, () -> "blocked");
            for (int i = 0; i < 100; i++) {
                hub.committed(source.add(1_000));
            }
            source.blockLatestSeq.countDown();

            all.awaitCount(100_000, WAIT);
            assertThat(all.received()).containsExactlyElementsOf(source.stored);
            List<JournalEntry> ones = source.stored.stream().filter(e -> e.address().equals("/hub/1")).toList();
            odd.awaitCount(ones.size(), WAIT);
            assertThat(odd.received()).containsExactlyElementsOf(ones);
            assertThat(all.violations()).isEmpty();
        } finally {
            hub.close();
        }
        assertThat(hub.streamCount()).isZero();
    }
}
