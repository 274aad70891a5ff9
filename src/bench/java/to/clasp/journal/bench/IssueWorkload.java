package to.clasp.journal.bench;

import to.clasp.journal.JournalEntry;
import to.clasp.journal.Value;

/**
 * The performance workload: entry {@code i} is a SET of {@code Float(i)} at
 * {@code /bench/room{i%100}/param{(i/100)%10}} with revision {@code i+1}, author {@code s1} and
 * timestamp {@code 1_700_000_000_000_000 + i}. 1,000 addresses; a room holds 1% of the entries,
 * a param 10%.
 */
final class IssueWorkload {

    static final long T0 = 1_700_000_000_000_000L;

    private IssueWorkload() {}

    static String address(long i) {
        return "/bench/room" + (i % 100) + "/param" + ((i / 100) % 10);
    }

    static JournalEntry entry(long i) {
        return JournalEntry.fromSet(address(i), Value.of((double) i), i + 1, "s1", T0 + i);
    }
}
