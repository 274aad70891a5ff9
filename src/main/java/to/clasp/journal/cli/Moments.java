package to.clasp.journal.cli;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;

/**
 * A moment in a journal, given as a time or as a seq, and the params' state then: what
 * {@code state}, {@code diff} and {@code plot} share. A time stands for the last entry at or
 * before it (the highest seq whose timestamp is not later); the state is
 * {@link Journal#stateAt(long)} at that seq. Failures become the tool's one-line errors.
 */
final class Moments {

    /** The pattern that matches every address, the default of the commands' PATTERN. */
    static final String ALL = "/**";

    private Moments() {}

    /** The state's params whose address matches {@code pattern}, in address order. */
    static List<ParamSnapshot> matching(Snapshot state, String pattern) {
        if (ALL.equals(pattern)) {
            return state.params();
        }
        AddressPattern p = AddressPattern.compile(pattern);
        return state.params().stream().filter(param -> p.matches(param.address())).toList();
    }

    /**
     * A seq and how it was chosen, for the line that heads an output.
     *
     * @param seq the seq the state is folded up to
     * @param description such as {@code seq 26 (the last entry at or before 2024-…)}
     */
    record Moment(long seq, String description) {}

    /** The moment {@code seq} names, checked against nothing yet ({@link #state} checks it). */
    static Moment ofSeq(String option, long seq) {
        if (seq < 0) {
            throw CliException.usage(option + " must not be negative: " + seq);
        }
        return new Moment(seq, "seq " + seq);
    }

    /**
     * The moment a time names: the last entry stamped at or before {@code micros}; seq 0 (the
     * empty state) when no entry is, provided that nothing was ever removed from the journal.
     *
     * @throws CliException a failure when entries that may be older than the time were
     *     compacted, so that the state then cannot be known
     */
    static Moment ofTime(Journal journal, String display, String option, long micros) {
        List<JournalEntry> last = journal.query(JournalQuery.of("/**").to(micros).descending().limit(1)).join();
        if (!last.isEmpty()) {
            JournalEntry e = last.get(0);
            return new Moment(e.seq(), "seq " + e.seq() + ", the last entry at or before " + Args.iso(micros)
                    + " (stamped " + Args.iso(e.timestamp()) + ")");
        }
        List<JournalEntry> oldest = journal.since(0, 1).join();
        long latest = journal.latestSeq().join();
        if (latest == 0 || !oldest.isEmpty() && oldest.get(0).seq() == 1) {
            // Nothing was ever removed and nothing is that old: the journal was still empty then.
            return new Moment(0, "seq 0, before the first entry (" + option + " " + Args.iso(micros) + ")");
        }
        if (oldest.isEmpty()) {
            throw CliException.failure(display + " holds no entries (all " + Args.count(latest)
                    + " were compacted), so no time can be placed; give --seq instead");
        }
        JournalEntry first = oldest.get(0);
        throw CliException.failure(option + " " + Args.iso(micros) + " is before the oldest entry " + display
                + " holds (seq " + first.seq() + ", stamped " + Args.iso(first.timestamp()) + "): the entries before it"
                + " were compacted, so the state then is unknown; give a time at or after "
                + Args.iso(first.timestamp()));
    }

    /**
     * The params' state at the moment.
     *
     * @throws CliException a usage error for a seq above the latest, a failure when compaction
     *     removed entries the state needs
     */
    static Snapshot state(Journal journal, String display, Moment moment) {
        try {
            return journal.stateAt(moment.seq()).join();
        } catch (CompletionException e) {
            JournalException cause = EntryScanner.unwrap(e);
            if (cause instanceof JournalException.InvalidInput) {
                long latest = journal.latestSeq().join();
                if (moment.seq() > latest) {
                    throw CliException.usage("seq " + moment.seq() + " is above the latest seq " + latest + " of "
                            + display + "; give a seq from 0 to " + latest);
                }
            }
            if (cause instanceof JournalException.Truncated t) {
                throw CliException.failure("the state at seq " + moment.seq() + " cannot be rebuilt: the entries from"
                        + " seq " + t.firstMissed() + " to " + (t.oldestHeld() - 1) + " were compacted, and no snapshot"
                        + " kept at or below seq " + moment.seq() + " covers them" + rebuildable(journal, t));
            }
            throw cause;
        }
    }

    /** Which later seqs can be rebuilt, as far as the newest snapshot tells; empty when it does not help. */
    private static String rebuildable(Journal journal, JournalException.Truncated t) {
        Optional<Snapshot> newest = journal.latestSnapshot().join();
        if (newest.isPresent() && newest.get().seq() >= t.oldestHeld() - 1) {
            return "; the state can be rebuilt at least from seq " + newest.get().seq() + " (the newest snapshot) on";
        }
        return "";
    }
}
