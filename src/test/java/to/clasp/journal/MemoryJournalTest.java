package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MemoryJournalTest extends JournalContract {

    @Override
    protected Journal newJournal() {
        return new MemoryJournal(100_000);
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
            for (int i = 0; i < 3_000; i++) {
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
            assertThat(truncated.oldestHeld()).isEqualTo(2_902);
            assertThat(truncated).hasMessageContaining("seq " + (got.size() + 1)).hasMessageContaining("2902");
        }
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new MemoryJournal(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MemoryJournal.withDefaultCapacity().capacity()).isEqualTo(MemoryJournal.DEFAULT_CAPACITY);
    }
}
