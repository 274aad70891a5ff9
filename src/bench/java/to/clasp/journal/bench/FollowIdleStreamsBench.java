package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.SqliteJournal;

/**
 * What 1,000 idle follow streams cost appends: 4 threads append, each waiting for its append.
 * {@code baseline}: a journal nobody follows. {@code journal}: the same kind of journal with
 * 1,000 live streams, each asking for everything on its own prefix ({@code /idle/roomN/**}),
 * none of which the traffic ({@link BenchData#entry}: {@code /lights}, {@code /audio}, ...)
 * matches. Commits are offered only to the streams whose prefix they may match, so what is
 * left is what any following costs: the dispatcher's hand-off of each commit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Threads(4)
public class FollowIdleStreamsBench {

    static final int STREAMS = 1_000;

    @Param({"memory", "sqlite"})
    public String backend;

    private Path dir;
    private Journal plain;
    private Journal followed;
    private final AtomicLong counter = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchData.tempDir();
        plain = open("plain.db");
        followed = open("followed.db");
        for (int i = 0; i < STREAMS; i++) {
            followed.follow(JournalQuery.of("/idle/room" + i + "/**"), 0).subscribe(new Idle());
        }
    }

    private Journal open(String file) {
        return backend.equals("memory") ? MemoryJournal.withDefaultCapacity()
                : SqliteJournal.open(dir.resolve(file));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plain.close();
        followed.close();
        BenchData.delete(dir);
    }

    @Benchmark
    public long baseline() {
        return plain.append(BenchData.entry(counter.incrementAndGet())).join();
    }

    @Benchmark
    public long journal() {
        return followed.append(BenchData.entry(counter.incrementAndGet())).join();
    }

    /** A stream that asks for everything and, with its pattern, never gets anything. */
    private static final class Idle implements Flow.Subscriber<JournalEntry> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(JournalEntry item) {
            throw new IllegalStateException("an idle stream got " + item);
        }

        @Override
        public void onError(Throwable t) {
            // closed at tear-down
        }

        @Override
        public void onComplete() {
        }
    }
}
