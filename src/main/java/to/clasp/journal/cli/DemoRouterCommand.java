package to.clasp.journal.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import to.clasp.journal.SignalType;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RouterJournalHook;
import to.clasp.journal.router.SnapshotPolicy;

/**
 * The router the demo runs in a child JVM and kills: it records SETs and PUBLISHes through a
 * {@link RouterJournalHook} until it is killed, and prints {@code ack I REV} for every SET whose
 * append was acknowledged (committed). Hidden: only the demo starts it.
 */
@Command(name = "demo-router", hidden = true, description = "The demo's router process (started by 'demo').")
final class DemoRouterCommand implements Callable<Integer> {

    @Option(names = "--db", required = true)
    Path db;

    @Option(names = "--params", required = true)
    int params;

    @Option(names = "--snapshot-every", required = true)
    long snapshotEvery;

    @Option(names = "--max-sets", required = true)
    long maxSets;

    @Override
    public Integer call() throws Exception {
        PrintStream acks = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.US_ASCII);
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ack-flusher");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleAtFixedRate(() -> {
            synchronized (acks) {
                acks.flush();
            }
        }, 10, 10, TimeUnit.MILLISECONDS);
        SqliteJournal journal = SqliteJournal.open(db);
        InMemoryParamStore store = new InMemoryParamStore();
        RouterJournalHook hook = RouterJournalHook.builder(journal)
                .snapshotPolicy(SnapshotPolicy.every(snapshotEvery, store))
                .errorListener(f -> System.err.println("journal " + f.operation() + " failed: " + f.error()))
                .build();
        synchronized (acks) {
            acks.println("ready");
            acks.flush();
        }
        long[] revisions = new long[params];
        SplittableRandom random = new SplittableRandom(42);
        String[] cues = {"/cues/go", "/buttons/1/press", "/sensors/motion/hall", "/gestures/swipe", "/show/timeline"};
        SignalType[] kinds = {SignalType.EVENT, SignalType.EVENT, SignalType.STREAM, SignalType.GESTURE,
            SignalType.TIMELINE};
        // A router bounds the records it has in flight; that also lets the automatic snapshots
        // through the writer's queue promptly instead of behind tens of thousands of appends.
        Semaphore inFlight = new Semaphore(2_048);
        for (long n = 0; n < maxSets; n++) {
            int i = random.nextInt(params);
            long rev = ++revisions[i];
            String address = DemoWorkload.address(i);
            Value value = DemoWorkload.value(i, rev);
            store.set(address, value, rev, "desk-" + (i % 4), System.currentTimeMillis() * 1000);
            inFlight.acquire();
            hook.recordSet(address, value, rev, "desk-" + (i % 4)).whenComplete((seq, error) -> inFlight.release())
                    .thenRun(() -> {
                synchronized (acks) {
                    acks.print("ack ");
                    acks.print(i);
                    acks.print(' ');
                    acks.println(rev);
                }
            });
            if (n % 4 == 3) {
                int k = (int) (n / 4 % cues.length);
                inFlight.acquire();
                hook.recordPublish(cues[k], kinds[k], Value.of(n), "desk-" + k).whenComplete((seq, error) -> inFlight.release());
            }
        }
        // Not reached in the demo: it kills this process long before.
        hook.idle().join();
        journal.close();
        synchronized (acks) {
            acks.println("done");
            acks.flush();
        }
        return ClaspJournalCli.OK;
    }
}
