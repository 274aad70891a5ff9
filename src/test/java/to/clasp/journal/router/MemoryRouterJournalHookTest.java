package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.router.Await.await;

import java.util.Random;
import org.junit.jupiter.api.Test;
import to.clasp.journal.Journal;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.router.RecoveryReport.SnapshotStatus;

/** The hook on a {@link MemoryJournal}, which completes every future before returning it. */
class MemoryRouterJournalHookTest extends RouterJournalHookContract {

    @Override
    protected Journal newJournal() {
        return new MemoryJournal(200_000);
    }

    /** A memory journal cannot outlive its process; recovering from it after the fact is the closest. */
    @Override
    protected Journal reopen(Journal crashed) {
        return crashed;
    }

    @Test
    void aRingTooSmallForTheTrafficSinceTheSnapshotMakesRecoveryIncomplete() {
        try (MemoryJournal small = new MemoryJournal(100)) {
            SimulatedRouter router = new SimulatedRouter(small);
            Random rng = new Random(10);
            router.traffic(rng, SimulatedRouter.params(10), 50);
            router.flush();
            long snapshotSeq = await(router.hook.saveSnapshot(router.store));
            router.traffic(rng, SimulatedRouter.params(10), 150);
            router.flush();
            long latest = await(small.latestSeq());

            RecoveryReport report = await(new RouterJournalHook(small).recover(new InMemoryParamStore()));

            assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
            assertThat(report.complete()).isFalse();
            assertThat(report.entriesMissing()).isEqualTo(latest - 100 - snapshotSeq);
            assertThat(report.lastSeq()).isEqualTo(latest);
        }
    }

    @Test
    void aRingLargeEnoughForTheTrafficSinceTheSnapshotRecoversExactly() {
        try (MemoryJournal ring = new MemoryJournal(300)) {
            SimulatedRouter router = new SimulatedRouter(ring, (builder, store) -> builder
                    .snapshotPolicy(SnapshotPolicy.every(200, store)));
            router.traffic(new Random(11), SimulatedRouter.params(50), 2_000);
            router.flush();
            await(router.hook.idle());

            InMemoryParamStore recovered = new InMemoryParamStore();
            RecoveryReport report = await(new RouterJournalHook(ring).recover(recovered));

            assertThat(report.complete()).isTrue();
            assertThat(recovered.params()).isEqualTo(router.store.params());
        }
    }
}
