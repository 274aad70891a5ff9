package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.*;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.JournalStats;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SignalType;
import to.clasp.journal.Snapshot;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/**
 * The examples of README.md and docs/, as written there, so that the documentation cannot drift from
 * the API ({@code DocsExamplesTest} checks that every one is here or in another test).
 */
class ReadmeExamplesTest {

    private static final Logger log = System.getLogger("readme");

    @TempDir
    Path dir;

    /**
     * The file names of the examples, in the test's directory: a local variable {@code InDir Path}
     * makes the examples' {@code Path.of("journal.db")} (a variable's method, which Java resolves
     * before the type's) name a file there instead of the working directory.
     */
    record InDir(Path dir) {
        Path of(String name) {
            return dir.resolve(name);
        }
    }

    @Test
    void runtimeStatisticsExample() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("stats.db"))) {
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                appends.add(journal.append(JournalEntry.fromSet("/lights/room1/brightness",
                        Value.of(i / 1000.0), i + 1, "session-abc", 1_708_500_000_000_000L + i)));
            }
            appends.forEach(CompletableFuture::join);

            // As in the README's "Runtime statistics" section.
            JournalStats s = journal.stats();
            log.log(Level.INFO, "journal: " + s.summary());
            boolean diskBehind = s.queueDepth() > 10_000 || s.commitP99().toMillis() > 50;

            assertThat(s.summary()).startsWith("appends=1000 commits=" + s.commits() + " batch(mean=");
            assertThat(diskBehind).isEqualTo(s.commitP99().toMillis() > 50);
        }
    }

    @Test
    void usageExamples() {
        {
            Journal journal = new MemoryJournal(10_000);
            for (int i = 0; i <= 10_000; i++) {
                journal.append(JournalEntry.fromSet("/a", Value.of(i), i + 1, "s", i)).join();
            }
            assertThat(journal.size().join()).isEqualTo(10_000);
            assertThat(journal.since(0, 1).join()).extracting(JournalEntry::seq).containsExactly(2L);
            journal.close();
        }
        Journal journal = MemoryJournal.withDefaultCapacity();
        JournalEntry entry = JournalEntry.fromSet(
                "/lights/room1/brightness",
                Value.of(0.75),
                1,
                "session-abc",
                1708500000000000L);
        long seq = journal.append(entry).join();
        journal.append(JournalEntry.fromPublish("/cues/go", SignalType.EVENT, Value.of(true),
                "session-def", 1708500000001000L)).join();

        List<JournalEntry> entries = journal.query(
                "/lights/**",
                1708400000000000L,
                1708500000000000L,
                100,
                List.of(SignalType.PARAM)
        ).join();
        List<JournalEntry> newest = journal.query(JournalQuery.of("/lights/**")
                .from(1708400000000000L).to(1708500000000000L)
                .types(SignalType.PARAM)
                .descending().limit(100)).join();
        List<JournalEntry> recent = journal.since(seq, 50).join();
        long latest = journal.latestSeq().join();

        assertThat(seq).isEqualTo(1);
        assertThat(entries).containsExactly(entry.withSeq(1));
        assertThat(newest).isEqualTo(entries);
        assertThat(recent).extracting(JournalEntry::address).containsExactly("/cues/go");
        assertThat(latest).isEqualTo(2);

        List<ParamSnapshot> state = List.of(new ParamSnapshot(
                "/lights/room1/brightness",
                Value.of(0.75),
                1,
                "session-abc",
                1708500000000000L));
        long snapSeq = journal.snapshot(state).join();
        List<String> printed = new ArrayList<>();
        journal.loadSnapshot().join().ifPresent(params -> {
            for (ParamSnapshot p : params) {
                System.out.println(p.address() + " = " + p.value() + " (rev " + p.revision() + ")");
                printed.add(p.address() + " = " + p.value() + " (rev " + p.revision() + ")");
            }
        });
        Optional<Snapshot> snapshot = journal.latestSnapshot().join();
        long removed = journal.compact(1000).join();
        System.out.println("Removed " + removed + " old entries");
        long count = journal.size().join();
        boolean empty = journal.isEmpty().join();

        assertThat(snapSeq).isEqualTo(2);
        assertThat(printed).containsExactly("/lights/room1/brightness = Float[value=0.75] (rev 1)");
        assertThat(snapshot).map(Snapshot::seq).contains(2L);
        assertThat(removed).isEqualTo(2);
        assertThat(count).isZero();
        assertThat(empty).isTrue();
        journal.close();
    }

    @Test
    void sqliteQuickStart() {
        InDir Path = new InDir(dir);
        try (SqliteJournal journal = SqliteJournal.open(Path.of("journal.db"))) {
            // Same Journal API as MemoryJournal.
            assertThat(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "s", 1)).join()).isEqualTo(1);
        }
        try (SqliteJournal journal = SqliteJournal.open(Path.of("journal.db"))) {
            assertThat(journal.since(0, null).join()).extracting(JournalEntry::address).containsExactly("/a");
        }
    }

    @Test
    void sqliteExamples() {
        byte[] key32 = new byte[32];
        long nowMicros = 1708500000000000L;
        dir.resolve("state").toFile().mkdirs();
        InDir Path = new InDir(dir);
        // Opening
        try (SqliteJournal journal = SqliteJournal.open(Path.of("state/journal.db"))) {
            long seq = journal.append(JournalEntry.fromSet("/lights/room1/brightness",
                    Value.of(0.75), 1, "session-abc", nowMicros)).join();
            assertThat(seq).isEqualTo(1);
        }
        SqliteJournal journal = SqliteJournal.builder(Path.of("state/journal.db"))
                .hmacKey(key32)
                .integrityMode(IntegrityMode.CHAIN)
                .durability(SqliteJournal.Durability.FULL)
                .snapshotsToKeep(5)
                .maxBatchSize(16_384)
                .followPollInterval(Duration.ofMillis(100))
                .memoryMapSize(256L << 20)
                .build();
        assertThat(journal.append(JournalEntry.fromSet("/lights/room1/brightness",
                Value.of(0.5), 2, "session-abc", nowMicros + 1)).join()).isEqualTo(2);
        assertThat(journal.since(0, null).join()).extracting(JournalEntry::revision)
                .containsExactly(java.util.OptionalLong.of(1), java.util.OptionalLong.of(2));
        journal.close();
        SqliteJournal scratch = SqliteJournal.inMemory();
        assertThat(scratch.isEmpty().join()).isTrue();
        scratch.close();

        // Writing and reading
        try (SqliteJournal writing = SqliteJournal.open(Path.of("writing.db"))) {
            writingAndReading(writing);
        }
    }

    @Test
    void integrityKeysExample() {
        byte[] key32 = new byte[32];
        InDir Path = new InDir(dir);
        Path file = Path.of("signed.db");
        try (SqliteJournal signing = SqliteJournal.builder(file).hmacKey(key32).build()) {
            signing.append(JournalEntry.fromSet("/a", Value.of(1), 1, "s", 1)).join();
            signing.snapshot(List.of(new ParamSnapshot("/a", Value.of(1), 1, "s", 1))).join();
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key32).build()) {
            journal.since(0, null).join();            // fails with Integrity(seq) if an entry was altered
            long checked = journal.verifyIntegrity().join();   // the whole file, snapshots included
            assertThat(checked).isEqualTo(1);
        }
        // A file the Rust crate keeps writing with the same key:
        try (SqliteJournal shared = SqliteJournal.builder(file).hmacKey(key32)
                .integrityMode(IntegrityMode.ROW).build()) {
            shared.since(0, null).join();             // each entry checked as the Rust crate checks it
            assertThat(shared.verifyIntegrity().join()).isEqualTo(1);
        }
    }

    private void writingAndReading(SqliteJournal journal) {
        JournalEntry entry = JournalEntry.fromSet("/lights/room1/brightness",
                Value.of(0.5), 1, "session-abc", 1708500000000001L);
        List<JournalEntry> entries = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            entries.add(JournalEntry.fromPublish("/cues/" + i, SignalType.EVENT, Value.of(i), "s", i));
        }
        long seq = journal.append(entry).join();
        List<CompletableFuture<Long>> burst = entries.stream().map(journal::append).toList();
        for (CompletableFuture<Long> f : burst) {
            f.join();                          // seqs follow call order
        }
        assertThat(seq).isEqualTo(1);
        assertThat(burst).extracting(CompletableFuture::join)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(2, 1_001).boxed().toList());

        List<Throwable> failures = new CopyOnWriteArrayList<>();
        journal.append(entry).exceptionally(error -> {
            // JournalException.Storage: ".../journal.db: commit failed, nothing of this batch was written:
            // [SQLITE_FULL] ..." -- the entry is not stored; later appends work once there is room.
            failures.add(error);
            return null;
        });
        assertThat(journal.append(entry).join()).isEqualTo(1_003);
        assertThat(journal.since(1_001, null).join()).extracting(JournalEntry::seq).containsExactly(1_002L, 1_003L);
        assertThat(failures).isEmpty();
    }

    @Test
    void retentionByAgeExample() {
        InMemoryParamStore params = new InMemoryParamStore();
        SnapshotPolicy policy = SnapshotPolicy.every(50_000, params)
                .compactingOlderThan(Duration.ofDays(7));        // keep a week of entries for REPLAY
        assertThat(policy.maxAge()).hasValue(Duration.ofDays(7));
        assertThat(policy.interval()).hasValue(50_000);
    }

    @Test
    void routerQuickStart() {
        InDir Path = new InDir(dir);
        String address = "/lights/room1/brightness";
        Value value = Value.of(0.5);
        long revision = 7;
        String session = "session-abc";
        long nowMicros = 1708500000000000L;
        Journal journal = SqliteJournal.open(Path.of("state.db"));   // the router owns and closes it
        InMemoryParamStore params = new InMemoryParamStore();        // or the router's own ParamStore
        RouterJournalHook hook = new RouterJournalHook(journal);
        RecoveryReport report = hook.recover(params).join();          // before accepting traffic
        params.set(address, value, revision, session, nowMicros);   // 1. apply
        hook.recordSet(address, value, revision, session);          // 2. record
        hook.idle().join();
        journal.close();
        assertThat(report.lastSeq()).isZero();

        // After a restart, the params come back from the journal.
        try (SqliteJournal reopened = SqliteJournal.open(Path.of("state.db"))) {
            InMemoryParamStore recovered = new InMemoryParamStore();
            assertThat(new RouterJournalHook(reopened).recover(recovered).join().entriesReplayed()).isEqualTo(1);
            assertThat(recovered.params()).singleElement()
                    .satisfies(p -> assertThat(p.address()).isEqualTo(address))
                    .satisfies(p -> assertThat(p.value()).isEqualTo(value))
                    .satisfies(p -> assertThat(p.revision()).isEqualTo(revision));
        }
    }

    @Test
    void routerExamples() throws Exception {
        InDir Path = new InDir(dir);
        Journal journal = SqliteJournal.open(Path.of("state.db"));
        InMemoryParamStore params = new InMemoryParamStore();
        RouterJournalHook hook = RouterJournalHook.builder(journal)
                .errorListener(failure -> log.log(Level.WARNING,
                        "journal " + failure.operation() + " failed", failure.error()))
                .snapshotPolicy(SnapshotPolicy.every(50_000, params).compactingKeeping(100_000))
                .build();

        RecoveryReport report = hook.recover(params).join();
        log.log(Level.INFO, "recovered " + params.size() + " params: " + report.paramsFromSnapshot()
                + " from the snapshot at seq " + report.snapshotSeq() + ", "
                + report.entriesReplayed() + " SETs replayed, up to seq " + report.lastSeq());
        if (report.snapshotStatus() == RecoveryReport.SnapshotStatus.UNREADABLE) {
            log.log(Level.WARNING, "snapshot unreadable", report.snapshotError().get());
        }
        if (!report.complete()) {
            log.log(Level.ERROR, report.entriesMissing() + " entries needed for recovery were"
                    + " compacted or evicted; some params may be missing or stale");
        }
        assertThat(report.snapshotStatus()).isEqualTo(RecoveryReport.SnapshotStatus.NONE);
        assertThat(report.complete()).isTrue();

        String address = "/lights/room1/brightness";
        Value value = Value.of(0.5);
        long revision = 1;
        String session = "session-abc";
        long nowMicros = 1708500000000000L;
        params.set(address, value, revision, session, nowMicros);
        hook.recordSet(address, value, revision, session);
        hook.recordPublish("/buttons/1/press", SignalType.EVENT, Value.of(true), session);
        hook.recordSet("/admin/secret", Value.of(1), 1, session).join();   // one thread's records land in order

        long seq = hook.saveSnapshot(params).join();
        assertThat(seq).isEqualTo(3);

        long sinceMicros = 0;
        Predicate<String> mayRead = a -> AddressPattern.matches("/lights/**", a);
        List<JournalEntry> answered = new CopyOnWriteArrayList<>();
        List<Throwable> denied = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> answeredAll = new CompletableFuture<>();
        hook.replay(JournalQuery.of("/lights/**").from(sinceMicros).limit(500), mayRead)
                .whenComplete((entries, error) -> {
                    if (error instanceof JournalException.AccessDenied) {
                        denied.add(error);
                    } else if (error == null) {
                        for (JournalEntry e : entries) {
                            answered.add(e);
                        }
                    }
                    answeredAll.complete(null);
                });
        answeredAll.get(30, TimeUnit.SECONDS);
        hook.replay(JournalQuery.of("/**"), mayRead).handle((entries, error) -> denied.add(error)).join();

        assertThat(answered).extracting(JournalEntry::address).containsExactly(address);
        assertThat(answered.get(0).isSet()).isTrue();
        assertThat(answered.get(0).revision()).hasValue(1);
        assertThat(denied).singleElement().satisfies(e -> assertThat(
                e instanceof JournalException.AccessDenied
                        || e.getCause() instanceof JournalException.AccessDenied).isTrue());

        hook.idle().join();
        journal.close();
    }

    @Test
    void replayThenStayLiveExample() throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("live.db"))) {
            RouterJournalHook hook = new RouterJournalHook(journal);
            hook.recordSet("/lights/room1/brightness", Value.of(0.5), 1, "session-abc").join();
            hook.recordSet("/lights/room3/brightness", Value.of(0.5), 1, "session-abc").join();
            Predicate<String> mayRead = a -> AddressPattern.matches("/lights/**", a);

            // The session has seen seq 1; /admin is outside its read scope.
            Session session = new Session(1);
            hook.follow(JournalQuery.of("/lights/**"), session.lastSeenSeq(), mayRead).subscribe(session);
            hook.recordSet("/lights/room2/brightness", Value.of(0.25), 1, "session-def").join();
            hook.recordSet("/admin/other", Value.of(2), 1, "session-def").join();
            hook.recordSet("/lights/room1/brightness", Value.of(0.75), 2, "session-def").join();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (session.received.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(session.received).extracting(JournalEntry::seq).containsExactly(2L, 3L, 5L);
            assertThat(session.lastSeenSeq()).isEqualTo(5);
        }
    }

    /** A session that follows the journal, remembering the last seq it was sent. */
    static final class Session implements Flow.Subscriber<JournalEntry> {
        final List<JournalEntry> received = new CopyOnWriteArrayList<>();
        private volatile long lastSeenSeq;

        Session(long lastSeenSeq) {
            this.lastSeenSeq = lastSeenSeq;
        }

        long lastSeenSeq() {
            return lastSeenSeq;
        }

        @Override public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override public void onNext(JournalEntry e) {
            received.add(e);
            lastSeenSeq = e.seq();
        }

        @Override public void onError(Throwable t) {}

        @Override public void onComplete() {}
    }

    private long lastSeenSeq;
    private final List<JournalEntry> sent = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    private final List<Long> truncated = new CopyOnWriteArrayList<>();

    private void send(JournalEntry e) {
        sent.add(e);
    }

    @Test
    void followingExample() throws Exception {
        Journal journal = new MemoryJournal(100);
        for (int i = 0; i < 5; i++) {
            journal.append(JournalEntry.fromSet("/lights/" + i, Value.of(i), 1, "s", 1L)).join();
        }
        lastSeenSeq = 2;

        // As in the README's "Following" section.
        journal.follow(JournalQuery.of("/lights/**"), lastSeenSeq).subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(256);
            }

            @Override public void onNext(JournalEntry e) {
                send(e);
                lastSeenSeq = e.seq();
                subscription.request(1);
            }

            @Override public void onError(Throwable t) {
                if (t instanceof JournalException.Truncated gone) {
                    truncated.add(gone.firstMissed());
                }
                ended.complete(t);
            }

            @Override public void onComplete() {}
        });
        journal.append(JournalEntry.fromSet("/lights/live", Value.of(9), 1, "s", 1L)).join();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (sent.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(sent).extracting(JournalEntry::seq).containsExactly(3L, 4L, 5L, 6L);
        journal.close();
        assertThat(ended.get(30, TimeUnit.SECONDS))
                .isInstanceOf(JournalException.Closed.class);
        assertThat(lastSeenSeq).isEqualTo(6);
        assertThat(truncated).isEmpty();
    }
}
