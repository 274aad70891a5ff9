package to.clasp.journal.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RouterJournalHook;

/**
 * A router's start-up after a crash: 200,000 entries over 2,000 params, a snapshot after
 * 180,000 of them. {@code baseline} replays the whole journal from seq 0, as the Rust router
 * does; {@code journal} is {@link RouterJournalHook#recover}: the snapshot, then only the
 * entries after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class RecoveryBench {

    private static final int ENTRIES = 200_000;
    private static final int SNAPSHOT_AT = 180_000;

    private Path dir;
    private SqliteJournal journal;
    private RouterJournalHook hook;

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchData.tempDir();
        journal = SqliteJournal.open(dir.resolve("journal.db"));
        hook = new RouterJournalHook(journal);
        InMemoryParamStore live = new InMemoryParamStore();
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (long n = 1; n <= ENTRIES; n++) {
            JournalEntry e = BenchData.entry(n);
            if (e.isSet()) {
                live.set(e.address(), e.value(), e.revision().getAsLong(), e.author(), e.timestamp());
            }
            pending.add(journal.append(e));
            if (n == SNAPSHOT_AT) {
                pending.forEach(CompletableFuture::join);
                journal.snapshot(live.params()).join();
            }
        }
        pending.forEach(CompletableFuture::join);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        journal.close();
        BenchData.delete(dir);
    }

    @Benchmark
    public int baseline() {
        InMemoryParamStore store = new InMemoryParamStore();
        long after = 0;
        while (true) {
            List<JournalEntry> page = journal.since(after, 10_000).join();
            if (page.isEmpty()) {
                return store.size();
            }
            for (JournalEntry e : page) {
                if (e.isSet()) {
                    store.restore(new ParamSnapshot(e.address(), e.value(), e.revision().getAsLong(),
                            e.author(), e.timestamp()));
                }
            }
            after = page.get(page.size() - 1).seq();
        }
    }

    @Benchmark
    public int journal() {
        InMemoryParamStore store = new InMemoryParamStore();
        hook.recover(store).join();
        return store.size();
    }
}
