package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.sql.WriteOp;

/**
 * In what order the writer runs batches and the work between them (a compaction's chunks): the
 * writes queued during a long batch (a burst) go before the next piece of work, and the work
 * still goes on while every batch is long.
 */
class GroupCommitWriterSchedulingTest {

    private static final long T0 = 1_708_500_000_000_000L;
    /** Longer than the writer's mark for a long batch, with room for a slow machine. */
    private static final long LONG_MILLIS = GroupCommitWriter.LONG_BATCH_NANOS / 1_000_000 * 4;

    /** A backend that commits nothing anywhere: it logs what the writer asks of it. */
    private static final class LoggingBackend implements GroupCommitWriter.Backend {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch firstBatchRunning = new CountDownLatch(1);
        volatile boolean everyBatchLong;
        volatile int piecesLeft;
        volatile int piecesToAdd;
        /** Run in the first batch, on the writer's thread: writes queued meanwhile. */
        volatile Runnable duringFirstBatch = () -> {};
        long seq;

        @Override
        public void write(WriteOp<?>[] ops) throws Exception {
            boolean first = firstBatchRunning.getCount() > 0;
            log.add("batch");
            if (first) {
                piecesLeft = piecesToAdd; // the work starts with the first batch
                duringFirstBatch.run();
                firstBatchRunning.countDown();
            }
            if (first || everyBatchLong) {
                Thread.sleep(LONG_MILLIS);
            }
            for (WriteOp<?> op : ops) {
                ((WriteOp.AppendOp) op).result = ++seq;
                op.committed = true;
            }
        }

        @Override
        public void abandon(Throwable failure) {}

        @Override
        public boolean hasWorkBetweenBatches() {
            return piecesLeft > 0;
        }

        @Override
        public void runBetweenBatches() {
            log.add("piece");
            piecesLeft--;
        }

        @Override
        public void stopWorkBetweenBatches() {
            piecesLeft = 0;
        }
    }

    private static SqlRows.EncodedEntry encode(long i) {
        return SqlRows.encode(JournalEntry.fromSet("/s/" + i, Value.of(i), 1, "me", T0 + i), null);
    }

    @Test
    void writesQueuedDuringALongBatchGoBeforeTheNextPieceOfWork() throws Exception {
        LoggingBackend backend = new LoggingBackend();
        backend.piecesToAdd = 1;
        GroupCommitWriter writer = new GroupCommitWriter(backend, "test", 1_000, 10_000, "test-writer");
        writer.start();
        try {
            List<CompletableFuture<Long>> queued = Collections.synchronizedList(new ArrayList<>());
            backend.duringFirstBatch = () -> {
                for (int i = 1; i <= 5; i++) {
                    queued.add(writer.append(encode(i)));
                }
            };
            CompletableFuture<Long> first = writer.append(encode(0));
            assertThat(backend.firstBatchRunning.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(await(first)).isEqualTo(1);
            for (CompletableFuture<Long> f : queued) {
                await(f);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backend.piecesLeft > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(backend.log).containsExactly("batch", "batch", "piece");
        } finally {
            writer.close();
        }
    }

    @Test
    void workBetweenBatchesGoesOnWhileEveryBatchIsLong() throws Exception {
        LoggingBackend backend = new LoggingBackend();
        backend.everyBatchLong = true;
        backend.piecesToAdd = 3;
        GroupCommitWriter writer = new GroupCommitWriter(backend, "test", 1, 10_000, "test-writer");
        writer.start();
        try {
            // One write per batch, each batch long, and always another one queued.
            List<CompletableFuture<Long>> all = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                all.add(writer.append(encode(i)));
            }
            assertThat(backend.firstBatchRunning.await(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backend.piecesLeft > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(backend.piecesLeft).as("every piece ran while writes were queued: %s", backend.log).isZero();
            assertThat(all.get(all.size() - 1)).isNotDone();
            int firstPiece = backend.log.indexOf("piece");
            // A piece at the latest once long batches have put it off for the writer's limit.
            long allowed = GroupCommitWriter.PIECE_DEFERRED_MAX_NANOS / (LONG_MILLIS * 1_000_000) + 2;
            assertThat((long) firstPiece).isBetween(2L, allowed);
        } finally {
            writer.close();
        }
    }
}
