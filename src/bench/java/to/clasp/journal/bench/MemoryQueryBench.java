package to.clasp.journal.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.MemoryJournal;

/**
 * A pattern query over a full 1,000,000-entry {@link MemoryJournal} ({@link IssueWorkload}).
 * {@code baseline} scans every entry with the full filter ({@link JournalQuery#matches}), as
 * the Rust crate's memory journal does; {@code journal} is {@link MemoryJournal#query}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class MemoryQueryBench {

    private static final int ENTRIES = 1_000_000;

    @Param({"/bench/room7/**", "/bench/*/param3"})
    public String pattern;

    private MemoryJournal journal;
    private JournalEntry[] entries;
    private JournalQuery query;

    @Setup(Level.Trial)
    public void setUp() {
        journal = new MemoryJournal(ENTRIES);
        entries = new JournalEntry[ENTRIES];
        for (int i = 0; i < ENTRIES; i++) {
            JournalEntry e = IssueWorkload.entry(i);
            long seq = journal.append(e).join();
            entries[i] = e.withSeq(seq);
        }
        query = JournalQuery.of(pattern);
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) {
        BenchStats.record(params, "memory", journal);
        journal.close();
    }

    @Benchmark
    public int baseline() {
        int found = 0;
        for (JournalEntry e : entries) {
            if (query.matches(e)) {
                found++;
            }
        }
        return found;
    }

    @Benchmark
    public int journal() {
        return journal.query(query).join().size();
    }
}
