package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
