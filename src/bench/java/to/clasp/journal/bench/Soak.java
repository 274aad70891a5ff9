package to.clasp.journal.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RecoveryReport;
import to.clasp.journal.router.RouterJournalHook;
import to.clasp.journal.router.SnapshotPolicy;

/**
 * A month of a router's life on one SQLite journal, in a few minutes: SETs at a steady rate with
 * bursts, automatic snapshots, compaction by count and then by age, REPLAY queries, live and idle
 * followers, and the router closed and reopened twice. Time runs fast: the hook's clock moves a
 * month over the run, so retention by age sees days go by.
 *
 * <p>Every interval it reports the append latency (p50, p99, max), the REPLAY latency, the file
 * and WAL size and the entries held; once a minute, half-way between two bursts, a recovery on a
 * second, read-only journal, on a thread of its own, while the router keeps recording (a probe:
 * the steady SETs made meanwhile are measured apart); at each reopen, the recovery of the router
 * itself, checked against the state it had (the SETs due meanwhile, made at once when it is back,
 * are measured apart too). Before the month, 5 s of the same load on a scratch journal warm the
 * JVM up. At the end it checks the targets (worst append, recovery time, file size bounded by
 * retention), writes the figures as CSV and draws them ({@link SoakChart}), and lists every append
 * over 40 ms but a burst's beside what the soak was doing then.
 *
 * <p>Run it alone on a quiet machine: {@code mvn -B -Pbench -DskipTests test-compile exec:exec
 * -Dbench.args="Soak 8"} (the number is the run's minutes).
 */
final class Soak {

    static final long DAY_MICROS = 86_400_000_000L;
    private static final long MONTH_MICROS = 30 * DAY_MICROS;
    /** 2026-01-01T00:00:00Z, where the simulated month starts. */
    private static final long T0 = 1_767_225_600_000_000L;
    private static final int ROOMS = 50;
    private static final int PARAMS_PER_ROOM = 200;
    private static final int STEADY_PER_SECOND = 3_000;
    /** A burst: a cue that sets this many params at once, on top of the steady rate. */
    private static final int BURST = 2_000;
    private static final long BURST_EVERY_NANOS = 20_000_000_000L;
    private static final long INTERVAL_NANOS = 10_000_000_000L;
    private static final long SIDE_RECOVERY_EVERY_NANOS = 60_000_000_000L;
    /**
     * The first recovery beside the router, half-way between two bursts (as every later one is):
     * the probe then never loads the second core while a burst is being written, which a router
     * never has to bear, and it runs on a thread of its own, so that the SETs keep their rate.
     */
    private static final long SIDE_RECOVERY_FIRST_NANOS = 3 * BURST_EVERY_NANOS + BURST_EVERY_NANOS / 2;
    /** How long the JVM is warmed up on a scratch journal before the month starts. */
    private static final long WARM_UP_NANOS = 5_000_000_000L;
    private static final int MAX_IN_FLIGHT = 50_000;
    private static final int IDLE_FOLLOWERS = 200;
    private static final int LIVE_FOLLOWERS = 5;

    private final Path dir;
    private final long runNanos;
    private long start = System.nanoTime();
    private final Random rng = new Random(2026);
    private final long[] revisions = new long[ROOMS * PARAMS_PER_ROOM];
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Latencies appends = new Latencies();
    /** Appends of a burst, apart: the last of 2,000 made at once waits for the 1,999 before it. */
    private final Latencies burstAppends = new Latencies();
    /**
     * The SETs due while the router was closed and reopened, made at once when it is back: a
     * backlog, measured apart like a burst.
     */
    private final Latencies catchUpAppends = new Latencies();
    private long worstCatchUpMicros = -1;
    /**
     * The steady SETs made while a recovery probe ran beside the router: the probe is the
     * soak's instrument, not a router's work, and on two cores it takes one of them for 100 to
     * 350 ms. Measured apart, and reported.
     */
    private final Latencies probedAppends = new Latencies();
    private long worstProbedMicros = -1;
    private volatile boolean probing;
    private final Latencies replays = new Latencies();
    private final List<SoakChart.Interval> intervals = new ArrayList<>();
    /** {nanos since start, micros taken, kind}; added by the side recoveries' threads too. */
    private final List<long[]> recoveries = Collections.synchronizedList(new ArrayList<>());
    private Thread sideRecovery;
    private final AtomicLong followed = new AtomicLong();
    private final AtomicLong committedSeq = new AtomicLong();
    private final AtomicLong followOrderErrors = new AtomicLong();
    private final AtomicLong followTruncations = new AtomicLong();
    private volatile boolean stopReplays;
    /** What the soak did and when (nanos since start), to tell what ran beside a slow append. */
    private final List<String> events = new ArrayList<>();
    /**
     * Appends slower than {@link #SLOW_NANOS}, but a burst's: {issued at, took (nanos), 0 steady,
     * 1 beside a recovery probe, 2 due during a reopen}.
     */
    private final List<long[]> slow = new ArrayList<>();
    private static final long SLOW_NANOS = 40_000_000L;

    private SqliteJournal journal;
    private RouterJournalHook hook;
    private InMemoryParamStore store = new InMemoryParamStore();
    private final List<Flow.Subscription> subscriptions = new ArrayList<>();

    private Soak(Path dir, Duration run) {
        this.dir = dir;
        this.runNanos = run.toNanos();
    }

    /** Runs the soak for {@code minutes} and writes its figures and chart under {@code target/soak}. */
    static void run(int minutes) throws Exception {
        Path dir = Path.of("target", "soak");
        Files.createDirectories(dir);
        deleteJournal(dir.resolve("journal.db"));
        new Soak(dir, Duration.ofMinutes(minutes)).go();
    }

    private static void deleteJournal(Path file) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
        }
    }

    private static String address(int param) {
        return "/room" + (param / PARAMS_PER_ROOM) + "/fixture" + (param % PARAMS_PER_ROOM / 10) + "/param"
                + (param % 10);
    }

    /**
     * Warms the JVM up on a scratch journal before the month starts, as a benchmark's warm-up
     * iterations do: the first append of a JVM loads the value encoder (about 45 ms here, once
     * per process), and the first seconds run interpreted code. The month is that of a router
     * that has been running for a while; the cold figures are printed, not counted.
     */
    private void warmUp() throws Exception {
        Path file = dir.resolve("warm-up.db");
        deleteJournal(file);
        Latencies warm = new Latencies();
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        long first;
        try (SqliteJournal scratch = SqliteJournal.open(file)) {
            InMemoryParamStore scratchStore = new InMemoryParamStore();
            RouterJournalHook h = RouterJournalHook.builder(scratch)
                    .snapshotPolicy(SnapshotPolicy.every(20_000, scratchStore).compactingKeeping(20_000)).build();
            long t = System.nanoTime();
            h.recordSet("/warm-up/first", Value.of(0.0), 1, "soak").join();
            first = System.nanoTime() - t;
            Random r = new Random(1);
            long[] rev = new long[revisions.length];
            long began = System.nanoTime();
            long issued = 0;
            long nextReplay = 0;
            boolean burst = false;
            for (long now = 0; now < WARM_UP_NANOS; now = System.nanoTime() - began) {
                long due = now * STEADY_PER_SECOND / 1_000_000_000L - issued;
                issued += due;
                if (!burst && now >= WARM_UP_NANOS / 2) {
                    due += BURST;
                    burst = true;
                }
                for (long i = 0; i < due; i++) {
                    int p = r.nextInt(rev.length);
                    Value value = Value.of(r.nextDouble());
                    scratchStore.set(address(p), value, ++rev[p], "soak", System.currentTimeMillis() * 1_000);
                    long at = System.nanoTime();
                    pending.add(h.recordSet(address(p), value, rev[p], "soak")
                            .whenComplete((seq, error) -> warm.add(System.nanoTime() - at)));
                }
                if (now >= nextReplay) {
                    pending.add(h.replay(JournalQuery.of("/room" + r.nextInt(ROOMS) + "/**").descending().limit(500),
                            a -> true).thenApply(entries -> 0L));
                    nextReplay += 200_000_000L;
                }
                Thread.sleep(1);
            }
            pending.forEach(CompletableFuture::join);
            h.idle().join();
        }
        try (SqliteJournal readOnly = SqliteJournal.openReadOnly(file)) {
            new RouterJournalHook(readOnly).recover(new InMemoryParamStore()).join();
        }
        deleteJournal(file);
        long[] w = warm.drain();
        System.out.printf(Locale.ROOT, "warm-up, not counted: %d s of the same load on a scratch journal; its first "
                + "append (the JVM's first) took %.1f ms, the next %,d at most %.1f ms%n", WARM_UP_NANOS / 1_000_000_000L,
                first / 1e6, w.length, pct(w, 1.0) / 1e3);
    }

    /** The simulated clock: a month over the run. */
    private long virtualMicros() {
        double fraction = (double) (System.nanoTime() - start) / runNanos;
        return T0 + (long) (fraction * MONTH_MICROS);
    }

    /** Segment 0 and 1 compact by count, 2 by age; each starts with a (re)open of the router. */
    private static SnapshotPolicy policy(int segment, InMemoryParamStore store) {
        SnapshotPolicy every = SnapshotPolicy.every(100_000, store);
        return switch (segment) {
            case 0 -> every.compactingKeeping(250_000);
            case 1 -> every.compactingOlderThan(Duration.ofDays(3));
            default -> every.compactingKeeping(250_000).compactingOlderThan(Duration.ofDays(2));
        };
    }

    private void go() throws Exception {
        System.out.printf(Locale.ROOT, "soak: %d min, %,d SETs/s steady, bursts of %,d every %d s, %d live and %d idle"
                + " followers; the clock runs a month%n", runNanos / 60_000_000_000L, STEADY_PER_SECOND, BURST,
                BURST_EVERY_NANOS / 1_000_000_000L, LIVE_FOLLOWERS, IDLE_FOLLOWERS);
        warmUp();
        start = System.nanoTime();
        System.out.println(SoakChart.Interval.HEADER);
        open(0, false);
        Thread replayer = new Thread(this::replayLoop, "soak-replay");
        replayer.setDaemon(true);
        replayer.start();
        long issued = 0;
        long nextInterval = INTERVAL_NANOS;
        long nextBurst = BURST_EVERY_NANOS;
        long nextSideRecovery = SIDE_RECOVERY_FIRST_NANOS;
        boolean reopened = false;
        int segment = 0;
        long lastSnapshotMark = 0;
        while (true) {
            long now = System.nanoTime() - start;
            if (now >= runNanos) {
                break;
            }
            int due = (int) (now * STEADY_PER_SECOND / 1_000_000_000L - issued);
            long snapshots = committedSeq.get() / 100_000;
            if (snapshots != lastSnapshotMark) {
                event(now, "seq " + snapshots * 100_000 + " committed (an automatic snapshot is due about now)");
                lastSnapshotMark = snapshots;
            }
            if (now >= nextBurst) {
                event(now, "burst");
                for (int i = 0; i < BURST; i++) {
                    recordOne(burstAppends);
                }
                nextBurst += BURST_EVERY_NANOS;
            }
            for (int i = 0; i < due; i++) {
                recordOne(reopened ? catchUpAppends : probing ? probedAppends : appends);
            }
            issued += due;
            reopened = false;
            if (now >= nextInterval) {
                intervals.add(measure(now));
                System.out.println(intervals.get(intervals.size() - 1).line());
                nextInterval += INTERVAL_NANOS;
            }
            if (now >= nextSideRecovery) {
                startSideRecovery(now);
                nextSideRecovery += SIDE_RECOVERY_EVERY_NANOS;
            }
            int wanted = (int) (now * 3 / runNanos);
            if (wanted > segment) {
                segment = wanted;
                reopen(segment);
                reopened = true;
            }
            Thread.sleep(1);
        }
        stopReplays = true;
        replayer.join();
        awaitSideRecovery();
        drain();
        close();
        summary();
    }

    private void recordOne(Latencies latencies) throws InterruptedException {
        int p = rng.nextInt(revisions.length);
        String address = address(p);
        long revision = ++revisions[p];
        Value value = Value.of(rng.nextDouble());
        store.set(address, value, revision, "soak", virtualMicros());
        inFlight.acquire();
        long t = System.nanoTime();
        hook.recordSet(address, value, revision, "soak").whenComplete((seq, error) -> {
            long took = System.nanoTime() - t;
            latencies.add(took);
            if (seq != null) {
                committedSeq.accumulateAndGet(seq, Math::max);
            }
            if (took > SLOW_NANOS && latencies != burstAppends) {
                synchronized (slow) {
                    slow.add(new long[] {t - start, took, latencies == appends ? 0 : latencies == probedAppends ? 1 : 2});
                }
            }
            inFlight.release();
        });
    }

    private void replayLoop() {
        Random r = new Random(7);
        while (!stopReplays) {
            RouterJournalHook h = hook;
            long t = System.nanoTime();
            try {
                h.replay(JournalQuery.of("/room" + r.nextInt(ROOMS) + "/**").descending().limit(500), a -> true).join();
                replays.add(System.nanoTime() - t);
            } catch (RuntimeException e) {
                // the router was being reopened: the next one asks the new journal
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Opens the journal and the router; after a close, recovers the router and checks its state. */
    private void open(int segment, boolean recover) {
        long t = System.nanoTime();
        journal = SqliteJournal.open(dir.resolve("journal.db"));
        InMemoryParamStore next = recover ? new InMemoryParamStore() : store;
        hook = RouterJournalHook.builder(journal).clock(this::virtualMicros)
                .snapshotPolicy(policy(segment, next)).build();
        if (recover) {
            RecoveryReport report = hook.recover(next).join();
            long took = (System.nanoTime() - t) / 1_000;
            recoveries.add(new long[] {System.nanoTime() - start, took, 1});
            boolean same = sameState(store, next);
            System.out.printf(Locale.ROOT, "reopened the router: recovery took %.1f ms (snapshot at seq %d, %,d SETs "
                    + "replayed), %s; now %s%n", took / 1e3, report.snapshotSeq(), report.entriesReplayed(),
                    same ? "the state matches the router's" : "THE STATE DIFFERS", policy(segment, next));
            if (!same) {
                throw new IllegalStateException("the recovered state differs from the router's");
            }
            store = next;
        }
        subscribeFollowers();
    }

    private static boolean sameState(InMemoryParamStore a, InMemoryParamStore b) {
        Function<InMemoryParamStore, List<String>> key = s -> s.params().stream()
                .map(p -> p.address() + "=" + p.value() + "@" + p.revision()).sorted().toList();
        return key.apply(a).equals(key.apply(b));
    }

    private void reopen(int segment) throws Exception {
        event(System.nanoTime() - start, "reopen starts");
        awaitSideRecovery();
        drain();
        close();
        open(segment, true);
        event(System.nanoTime() - start, "reopen ends");
    }

    private void event(long nanos, String what) {
        synchronized (events) {
            events.add(String.format(Locale.ROOT, "%9.3f s %s", nanos / 1e9, what));
        }
    }

    private void drain() throws InterruptedException {
        inFlight.acquire(MAX_IN_FLIGHT);
        inFlight.release(MAX_IN_FLIGHT);
        hook.idle().join();
    }

    private void close() {
        subscriptions.forEach(Flow.Subscription::cancel);
        subscriptions.clear();
        journal.close();
    }

    private void subscribeFollowers() {
        long after = journal.latestSeq().join();
        for (int i = 0; i < LIVE_FOLLOWERS + IDLE_FOLLOWERS; i++) {
            String pattern = i < LIVE_FOLLOWERS ? "/room" + i + "/**" : "/idle/" + i + "/**";
            journal.follow(JournalQuery.of(pattern), after).subscribe(new Flow.Subscriber<JournalEntry>() {
                private long last = after;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    synchronized (subscriptions) {
                        subscriptions.add(s);
                    }
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(JournalEntry e) {
                    if (e.seq() <= last) {
                        followOrderErrors.incrementAndGet();
                    }
                    last = e.seq();
                    followed.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    if (t instanceof JournalException.Truncated) {
                        followTruncations.incrementAndGet();
                    }
                }

                @Override
                public void onComplete() {}
            });
        }
    }

    /** Starts a recovery beside the router on a thread of its own, unless one still runs. */
    private void startSideRecovery(long now) {
        if (sideRecovery != null && sideRecovery.isAlive()) {
            return;
        }
        probing = true;
        sideRecovery = new Thread(() -> {
            try {
                sideRecovery(now);
            } finally {
                probing = false;
            }
        }, "soak-side-recovery");
        sideRecovery.setDaemon(true);
        sideRecovery.start();
    }

    private void awaitSideRecovery() throws InterruptedException {
        if (sideRecovery != null) {
            sideRecovery.join();
        }
    }

    /** A recovery beside the running router: open the file read-only and rebuild a store from it. */
    private void sideRecovery(long now) {
        event(now, "side recovery starts");
        long t = System.nanoTime();
        try (SqliteJournal readOnly = SqliteJournal.openReadOnly(dir.resolve("journal.db"))) {
            new RouterJournalHook(readOnly).recover(new InMemoryParamStore()).join();
        }
        recoveries.add(new long[] {now, (System.nanoTime() - t) / 1_000, 0});
        event(System.nanoTime() - start, "side recovery ends");
    }

    private SoakChart.Interval measure(long now) {
        SqliteJournal.FileInfo info = journal.fileInfo().join();
        long latest = journal.latestSeq().join();
        List<JournalEntry> oldest = journal.since(0, 1).join();
        long held = oldest.isEmpty() ? 0 : latest - oldest.get(0).seq() + 1;
        long[] a = appends.drain();
        long[] b = burstAppends.drain();
        worstCatchUpMicros = Math.max(worstCatchUpMicros, pct(catchUpAppends.drain(), 1.0));
        worstProbedMicros = Math.max(worstProbedMicros, pct(probedAppends.drain(), 1.0));
        long[] r = replays.drain();
        long recovery = -1;
        for (long[] rec : List.copyOf(recoveries)) {
            if (rec[0] > now - INTERVAL_NANOS && rec[0] <= now) {
                recovery = Math.max(recovery, rec[1]);
            }
        }
        return new SoakChart.Interval(now / 1e9, (double) (virtualMicros() - T0) / DAY_MICROS, a.length,
                pct(a, 0.5), pct(a, 0.99), pct(a, 1.0), pct(b, 1.0), pct(r, 0.5), pct(r, 1.0), info.fileBytes(),
                info.walBytes(), held, recovery);
    }

    /** The percentile of nanos, in microseconds; -1 for none. */
    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1_000;
    }

    private void summary() throws IOException {
        long worst = intervals.stream().mapToLong(SoakChart.Interval::appendMaxMicros).max().orElse(-1);
        long worstBurst = intervals.stream().mapToLong(SoakChart.Interval::burstMaxMicros).max().orElse(-1);
        long worstP99 = intervals.stream().mapToLong(SoakChart.Interval::appendP99Micros).max().orElse(-1);
        long appended = intervals.stream().mapToLong(SoakChart.Interval::appends).sum();
        long worstRecovery = recoveries.stream().mapToLong(r -> r[1]).max().orElse(-1);
        long maxFile = intervals.stream().mapToLong(i -> i.fileBytes() + i.walBytes()).max().orElse(0);
        int third = intervals.size() / 3;
        long firstThirdMax = intervals.subList(0, Math.max(1, third)).stream()
                .mapToLong(i -> i.fileBytes() + i.walBytes()).max().orElse(0);
        long maxHeld = intervals.stream().mapToLong(SoakChart.Interval::entriesHeld).max().orElse(0);
        System.out.printf(Locale.ROOT, "%nappended %,d SETs; followers received %,d entries (%d out of order, %d "
                + "truncated); %d recoveries%n", appended, followed.get(), followOrderErrors.get(),
                followTruncations.get(), recoveries.size());
        System.out.printf(Locale.ROOT, "%-44s %14s %14s %s%n", "target", "measured", "target", "");
        row("worst append, whole run (steady)", worst / 1e3 + " ms", "50 ms", worst <= 50_000);
        row("worst append of a burst of " + BURST + " at once", worstBurst / 1e3 + " ms", "-", true);
        row("worst append of those due during a reopen", worstCatchUpMicros / 1e3 + " ms", "-", true);
        row("worst steady append beside a recovery probe", worstProbedMicros / 1e3 + " ms", "-", true);
        row("worst interval's append p99", worstP99 / 1e3 + " ms", "-", true);
        row("worst recovery (open + recover)", worstRecovery / 1e3 + " ms", "1000 ms", worstRecovery <= 1_000_000);
        row("file + WAL, largest (first third's largest)", mib(maxFile) + " (" + mib(firstThirdMax) + ")",
                "bounded", maxFile <= 2 * firstThirdMax);
        row("entries held, largest", String.format(Locale.ROOT, "%,d", maxHeld), "retention", true);
        Path log = dir.resolve("soak-events.txt");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(log))) {
            w.println("events:");
            events.forEach(w::println);
            w.println("appends over " + SLOW_NANOS / 1_000_000 + " ms, but a burst's: issued at, took");
            String[] kinds = {"", " beside a recovery probe", " due during a reopen"};
            slow.forEach(x -> w.printf(Locale.ROOT, "%9.3f s %7.2f ms%s%n", x[0] / 1e9, x[1] / 1e6, kinds[(int) x[2]]));
        }
        System.out.println(slow.size() + " appends over " + SLOW_NANOS / 1_000_000 + " ms, but a burst's; they and "
                + "the soak's events are in " + log);
        Path csv = dir.resolve("soak.csv");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println(SoakChart.Interval.CSV_HEADER);
            intervals.forEach(i -> w.println(i.csv()));
        }
        Path png = dir.resolve("soak.png");
        SoakChart.draw(intervals, recoveries, png, "clasp-journal soak: a simulated month in "
                + runNanos / 60_000_000_000L + " minutes (" + Instant.now().toString().substring(0, 10) + ")");
        System.out.println("figures in " + csv + ", chart in " + png);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static void row(String what, String measured, String target, boolean met) {
        System.out.printf(Locale.ROOT, "%-44s %14s %14s %s%n", what, measured, target, met ? "met" : "MISSED");
    }

    /** Latencies in nanoseconds, added from any thread, drained (sorted) once per interval. */
    private static final class Latencies {
        private long[] values = new long[1 << 16];
        private int size;

        synchronized void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        synchronized long[] drain() {
            long[] out = Arrays.copyOf(values, size);
            size = 0;
            Arrays.sort(out);
            return out;
        }
    }
}
