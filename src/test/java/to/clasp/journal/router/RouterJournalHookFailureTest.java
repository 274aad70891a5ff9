package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static to.clasp.journal.router.Await.assertFails;
import static to.clasp.journal.router.Await.await;
import static to.clasp.journal.router.SimulatedRouter.T0;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SignalType;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Value;
import to.clasp.journal.router.JournalFailure.Operation;
import to.clasp.journal.router.RecoveryReport.SnapshotStatus;

/** The hook against journals, clocks, stores and listeners that fail in every way they can. */
class RouterJournalHookFailureTest {

    private final MemoryJournal memory = new MemoryJournal(10_000);
    private final ConcurrentLinkedQueue<JournalFailure> heard = new ConcurrentLinkedQueue<>();

    @AfterEach
    void close() {
        memory.close();
    }

    private RouterJournalHook hookOn(Journal journal) {
        return RouterJournalHook.builder(journal).errorListener(heard::add).build();
    }

    /** A journal whose appends fail the way a full disk does: asynchronously, with Storage. */
    private final class DiskFullJournal extends ForwardingJournal {
        DiskFullJournal() {
            super(memory);
        }

        @Override
        public CompletableFuture<Long> append(JournalEntry entry) {
            return CompletableFuture.supplyAsync(() -> {
                throw new JournalException.Storage("disk full", null);
            });
        }
    }

    /** A journal whose stored snapshot is corrupt. */
    private final class CorruptSnapshotJournal extends ForwardingJournal {
        CorruptSnapshotJournal() {
            super(memory);
        }

        @Override
        public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
            return CompletableFuture.failedFuture(new JournalException.Snapshot("bad JSON in snapshot", null));
        }

        @Override
        public CompletableFuture<Optional<List<ParamSnapshot>>> loadSnapshot() {
            return CompletableFuture.failedFuture(new JournalException.Snapshot("bad JSON in snapshot", null));
        }
    }

    // ---- recording ----------------------------------------------------------------------------

    @Test
    void aDiskErrorReachesTheListenerAndIsCounted() {
        RouterJournalHook hook = hookOn(new DiskFullJournal());

        CompletableFuture<Long> set = hook.recordSet("/a", Value.of(1), 1, "s");
        CompletableFuture<Long> publish = hook.recordPublish("/b", SignalType.GESTURE, Value.of(2), "s");

        assertThat(assertFails(set, JournalException.Storage.class)).hasMessage("disk full");
        assertFails(publish, JournalException.Storage.class);
        assertThat(heard).hasSize(2).allSatisfy(f -> assertThat(f.error()).hasMessage("disk full"));
        assertThat(heard).extracting(f -> f.entry().orElseThrow().address()).containsExactlyInAnyOrder("/a", "/b");
        assertThat(hook.failureCount()).isEqualTo(2);
        assertThat(hook.recordedCount()).isZero();
    }

    @Test
    void aJournalThatThrowsInsteadOfFailingTheFutureDoesNotReachTheRouter() {
        RouterJournalHook hook = hookOn(new ForwardingJournal(memory) {
            @Override
            public CompletableFuture<Long> append(JournalEntry entry) {
                throw new IllegalStateException("driver bug");
            }
        });

        AtomicReference<CompletableFuture<Long>> future = new AtomicReference<>();
        assertThatCode(() -> future.set(hook.recordSet("/a", Value.of(1), 1, "s"))).doesNotThrowAnyException();

        assertFails(future.get(), IllegalStateException.class);
        assertThat(heard).singleElement().satisfies(f -> {
            assertThat(f.operation()).isEqualTo(Operation.RECORD_SET);
            assertThat(f.error()).hasMessage("driver bug");
        });
        assertThat(hook.failureCount()).isOne();
    }

    @Test
    void aJournalThatReturnsNoFutureFailsTheRecord() {
        RouterJournalHook hook = hookOn(new ForwardingJournal(memory) {
            @Override
            public CompletableFuture<Long> append(JournalEntry entry) {
                return null;
            }
        });

        assertFails(hook.recordPublish("/a", SignalType.EVENT, Value.NULL, "s"), IllegalStateException.class);
        assertThat(hook.failureCount()).isOne();
    }

    @Test
    void aClockThatThrowsFailsTheRecordAndAppendsNothing() {
        RouterJournalHook hook = RouterJournalHook.builder(memory).errorListener(heard::add)
                .clock(() -> {
                    throw new ArithmeticException("clock overflow");
                }).build();

        assertFails(hook.recordSet("/a", Value.of(1), 1, "s"), ArithmeticException.class);
        assertThat(heard).singleElement().satisfies(f -> assertThat(f.entry()).isEmpty());
        assertThat(await(memory.size())).isZero();
    }

    @Test
    void aListenerThatThrowsBreaksNeitherTheRecordNorTheHook() {
        AtomicInteger calls = new AtomicInteger();
        RouterJournalHook hook = RouterJournalHook.builder(new DiskFullJournal()).errorListener(f -> {
            if (calls.incrementAndGet() % 2 == 0) {
                throw new AssertionError("listener bug");
            }
            throw new IllegalStateException("listener bug");
        }).build();

        for (int i = 0; i < 4; i++) {
            assertFails(hook.recordSet("/a", Value.of(i), i, "s"), JournalException.Storage.class);
        }
        assertFails(hook.recordSet(null, Value.of(1), 1, "s"), JournalException.InvalidInput.class);

        assertThat(calls).hasValue(5);
        assertThat(hook.failureCount()).isEqualTo(5);
        RouterJournalHook healthy = RouterJournalHook.builder(memory).errorListener(f -> {
            throw new IllegalStateException("listener bug");
        }).build();
        assertThat(await(healthy.recordSet("/a", Value.of(1), 1, "s"))).isEqualTo(1);
    }

    // ---- recovery -----------------------------------------------------------------------------

    private SimulatedRouter routerWithTraffic(int sets) {
        SimulatedRouter router = new SimulatedRouter(memory);
        router.traffic(new Random(12), SimulatedRouter.params(20), sets);
        router.flush();
        return router;
    }

    @Test
    void aCorruptSnapshotDoesNotFailRecoveryWhichRebuildsFromEveryEntry() {
        SimulatedRouter router = routerWithTraffic(100);
        await(router.hook.saveSnapshot(router.store));
        router.traffic(new Random(13), SimulatedRouter.params(20), 50);
        router.flush();

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = await(hookOn(new CorruptSnapshotJournal()).recover(recovered));

        assertThat(recovered.params()).isEqualTo(router.store.params());
        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.UNREADABLE);
        assertThat(report.snapshotError()).get().extracting(Throwable::getMessage).isEqualTo("bad JSON in snapshot");
        assertThat(report.snapshotSeq()).isZero();
        assertThat(report.paramsFromSnapshot()).isZero();
        assertThat(report.entriesReplayed()).isEqualTo(150);
        assertThat(report.complete()).isTrue();
        assertThat(heard).isEmpty();
    }

    @Test
    void aCorruptSnapshotOfACompactedJournalIsReportedIncompleteNotEmpty() {
        SimulatedRouter router = routerWithTraffic(100);
        long snapshotSeq = await(router.hook.saveSnapshot(router.store));
        await(memory.compact(snapshotSeq + 1));
        router.set("/zone0/device0/level", Value.of(-1), "s");
        router.flush();

        InMemoryParamStore recovered = new InMemoryParamStore();
        RecoveryReport report = await(hookOn(new CorruptSnapshotJournal()).recover(recovered));

        assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.UNREADABLE);
        assertThat(report.complete()).isFalse();
        assertThat(report.entriesMissing()).isEqualTo(snapshotSeq);
        assertThat(report.entriesReplayed()).isOne();
        assertThat(recovered.size()).isOne();
    }

    @Test
    void aSnapshotThatCannotBeReadForAnotherReasonFailsRecovery() {
        routerWithTraffic(10);
        RouterJournalHook hook = hookOn(new ForwardingJournal(memory) {
            @Override
            public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
                return CompletableFuture.failedFuture(new JournalException.Storage("I/O error", null));
            }
        });

        assertThat(assertFails(hook.recover(new InMemoryParamStore()), JournalException.Storage.class))
                .hasMessage("I/O error");
    }

    @Test
    void anEntryThatCannotBeReadFailsRecoveryOnAnyPage() {
        routerWithTraffic(100);
        AtomicInteger pages = new AtomicInteger();
        Journal secondPageCorrupt = new AsyncCompletingJournal(new ForwardingJournal(memory) {
            @Override
            public CompletableFuture<List<JournalEntry>> since(long seq, Integer limit) {
                return pages.incrementAndGet() == 2
                        ? CompletableFuture.failedFuture(new JournalException.Serialization("seq 42: bad value", null))
                        : super.since(seq, limit);
            }
        });

        CompletableFuture<RecoveryReport> recovery = RouterJournalHook.builder(secondPageCorrupt)
                .recoveryPageSize(30).build().recover(new InMemoryParamStore());

        assertThat(assertFails(recovery, JournalException.Serialization.class)).hasMessageContaining("seq 42");
        secondPageCorrupt.close();
    }

    @Test
    void aStoreThatThrowsFailsRecoveryWithItsError() {
        routerWithTraffic(10);
        ParamStore broken = new ParamStore() {
            @Override
            public void restore(ParamSnapshot p) {
                throw new UnsupportedOperationException("read-only store");
            }

            @Override
            public List<ParamSnapshot> params() {
                return List.of();
            }
        };

        assertFails(hookOn(memory).recover(broken), UnsupportedOperationException.class);
    }

    @Test
    void aJournalThatThrowsDuringRecoveryOrReplayFailsTheFuture() {
        Journal throwing = new ForwardingJournal(memory) {
            @Override
            public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
                throw new IllegalStateException("driver bug");
            }

            @Override
            public CompletableFuture<List<JournalEntry>> query(JournalQuery query) {
                throw new IllegalStateException("driver bug");
            }

            @Override
            public CompletableFuture<Long> snapshot(List<ParamSnapshot> state) {
                throw new IllegalStateException("driver bug");
            }
        };
        RouterJournalHook hook = hookOn(throwing);

        assertFails(hook.recover(new InMemoryParamStore()), IllegalStateException.class);
        assertFails(hook.replay(JournalQuery.of("/**"), s -> true), IllegalStateException.class);
        assertFails(hook.saveSnapshot(new InMemoryParamStore()), IllegalStateException.class);
        assertThat(heard).as("explicit calls report to their caller, not the listener").isEmpty();
    }

    // ---- automatic snapshots --------------------------------------------------------------------

    @Test
    void aFailedAutomaticSnapshotReachesTheListenerIsNotFollowedByCompactionAndIsRetried() {
        AtomicBoolean snapshotsFail = new AtomicBoolean(true);
        AtomicInteger compactions = new AtomicInteger();
        Journal journal = new ForwardingJournal(memory) {
            @Override
            public CompletableFuture<Long> snapshot(List<ParamSnapshot> state) {
                return snapshotsFail.get()
                        ? CompletableFuture.failedFuture(new JournalException.Storage("disk full", null))
                        : super.snapshot(state);
            }

            @Override
            public CompletableFuture<Long> compact(long beforeSeq) {
                compactions.incrementAndGet();
                return super.compact(beforeSeq);
            }
        };
        InMemoryParamStore store = new InMemoryParamStore();
        RouterJournalHook hook = RouterJournalHook.builder(journal).errorListener(heard::add)
                .snapshotPolicy(SnapshotPolicy.every(10, store).compactingKeeping(0)).build();

        recordSets(hook, store, 0, 10);
        await(hook.idle());

        assertThat(heard).singleElement().satisfies(f -> {
            assertThat(f.operation()).isEqualTo(Operation.AUTO_SNAPSHOT);
            assertThat(f.entry()).isEmpty();
            assertThat(f.error()).isInstanceOf(JournalException.Storage.class);
        });
        assertThat(hook.failureCount()).isOne();
        assertThat(compactions).hasValue(0);
        assertThat(await(memory.size())).isEqualTo(10);

        snapshotsFail.set(false);
        recordSets(hook, store, 10, 20);
        await(hook.idle());

        assertThat(await(memory.latestSnapshot()).orElseThrow().seq()).isEqualTo(20);
        assertThat(compactions).hasValue(1);
        assertThat(await(memory.size())).isZero();
    }

    @Test
    void aFailedAutomaticCompactionReachesTheListener() {
        Journal journal = new ForwardingJournal(memory) {
            @Override
            public CompletableFuture<Long> compact(long beforeSeq) {
                return CompletableFuture.failedFuture(new JournalException.Storage("locked", null));
            }
        };
        InMemoryParamStore store = new InMemoryParamStore();
        RouterJournalHook hook = RouterJournalHook.builder(journal).errorListener(heard::add)
                .snapshotPolicy(SnapshotPolicy.every(5, store).compactingKeeping(2)).build();

        recordSets(hook, store, 0, 5);
        await(hook.idle());

        assertThat(heard).singleElement().satisfies(f -> assertThat(f.operation()).isEqualTo(Operation.AUTO_COMPACT));
        assertThat(await(memory.latestSnapshot())).isPresent();
    }

    @Test
    void aStoreThatThrowsDuringAnAutomaticSnapshotReachesTheListener() {
        ParamStore broken = new ParamStore() {
            @Override
            public void restore(ParamSnapshot p) {}

            @Override
            public List<ParamSnapshot> params() {
                throw new IllegalStateException("store unavailable");
            }
        };
        RouterJournalHook hook = RouterJournalHook.builder(memory).errorListener(heard::add)
                .snapshotPolicy(SnapshotPolicy.every(3, broken)).build();

        for (int i = 0; i < 3; i++) {
            await(hook.recordPublish("/e", SignalType.EVENT, Value.of(i), "s"));
        }
        await(hook.idle());

        assertThat(heard).singleElement().satisfies(f -> {
            assertThat(f.operation()).isEqualTo(Operation.AUTO_SNAPSHOT);
            assertThat(f.error()).hasMessage("store unavailable");
        });
        assertThat(hook.recordedCount()).isEqualTo(3);
    }

    @Test
    void failedRecordsDoNotCountTowardsTheNextSnapshot() {
        InMemoryParamStore store = new InMemoryParamStore();
        RouterJournalHook hook = RouterJournalHook.builder(memory).errorListener(heard::add)
                .snapshotPolicy(SnapshotPolicy.every(3, store)).build();

        for (int i = 0; i < 5; i++) {
            assertFails(hook.recordSet("bad", Value.of(i), i, "s"), JournalException.InvalidInput.class);
        }
        recordSets(hook, store, 0, 2);
        await(hook.idle());

        assertThat(await(memory.latestSnapshot())).isEmpty();
    }

    @Test
    void idleCompletesAtOnceWithoutAPolicy() {
        RouterJournalHook hook = hookOn(memory);
        await(hook.recordSet("/a", Value.of(1), 1, "s"));

        assertThat(hook.idle()).isCompleted();
        assertThat(hook.idle().complete(null)).as("callers cannot complete the hook's own future").isFalse();
    }

    private static void recordSets(RouterJournalHook hook, InMemoryParamStore store, int from, int to) {
        for (int i = from; i < to; i++) {
            String address = "/p/" + (i % 4);
            store.set(address, Value.of(i), i, "s", T0 + i);
            await(hook.recordSet(address, Value.of(i), i, "s"));
        }
    }
}
