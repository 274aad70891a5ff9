package to.clasp.journal.bench;

import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.MemoryJournal;

/**
 * Appends to a full {@link MemoryJournal} of the default capacity, from one thread, with the
 * entries of {@link IssueWorkload} built beforehand. {@code baseline}: a bounded
 * {@link ArrayDeque} of the same capacity behind a {@link ReentrantLock}, numbering entries as
 * it adds them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
// A fixed heap, touched before the run: on a fresh JVM the first pass over the young
// generation takes a page fault per 4 KB, which costs allocating code (the journal, not the
// deque) up to ten times its steady speed for the first seconds of a fork on a virtual machine.
// A router runs for hours; the benchmark measures that steady state.
@Fork(jvmArgs = {"-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
public class MemoryAppendBench {

    private static final int PREBUILT = 1 << 12;

    private final JournalEntry[] entries = new JournalEntry[PREBUILT];
    private final ReentrantLock lock = new ReentrantLock();
    private ArrayDeque<JournalEntry> deque;
    private long dequeSeq;
    private MemoryJournal journal;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < PREBUILT; i++) {
            entries[i] = IssueWorkload.entry(i);
        }
        deque = new ArrayDeque<>(MemoryJournal.DEFAULT_CAPACITY);
        journal = MemoryJournal.withDefaultCapacity();
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) {
        BenchStats.record(params, "memory", journal);
        journal.close();
    }

    @Benchmark
    public long baseline() {
        JournalEntry e = entries[next++ & (PREBUILT - 1)];
        lock.lock();
        try {
            if (deque.size() == MemoryJournal.DEFAULT_CAPACITY) {
                deque.poll();
            }
            deque.add(e);
            return ++dequeSeq;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public long journal() {
        return journal.append(entries[next++ & (PREBUILT - 1)]).join();
    }
}
