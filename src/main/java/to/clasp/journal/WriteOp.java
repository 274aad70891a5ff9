package to.clasp.journal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One operation of a SQLite journal's {@link GroupCommitWriter}, queued by a caller and run by
 * whichever thread holds the committer role: an append, a snapshot's mark and its row, a
 * compaction or a vacuum. Writes run inside a batch's transaction ({@link SqliteTransactions})
 * and are completed after its COMMIT; each keeps its result or its error until then.
 *
 * <p>Not thread-safe by itself: the writer's queue lock hands an op from the caller to the
 * committer, and the completion of its future hands it on to whoever waits.
 */
abstract class WriteOp<T> {
    /** Set once accepted, before the op is queued. */
    CompletableFuture<T> future;

    /** Set, under the queue's lock, once a committer has taken the op from the queue. */
    boolean taken;
    T result;
    JournalException error;
    /** Set once the transaction that ran this op has committed. */
    boolean committed;

    abstract T run(SqliteTransactions tx) throws SQLException;

    abstract String describe();

    final void runAndKeep(SqliteTransactions tx) throws SQLException {
        result = run(tx);
    }

    final void clearResult() {
        result = null;
    }

    /**
     * Completes what else this op's outcome completes, before its own future: whoever waits
     * for that future (a closing journal) then finds those completed too.
     */
    void completing() {}

    final void complete() {
        completing();
        if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(result);
        }
    }


    /** Fails every op that has not failed already, committed ones included. */
    static void failAll(List<? extends WriteOp<?>> ops, JournalException e) {
        for (WriteOp<?> op : ops) {
            if (op.error == null) {
                op.clearResult();
                op.error = e;
            }
        }
    }

    static final class AppendOp extends WriteOp<Long> {
        final SqlRows.EncodedEntry entry;

        AppendOp(SqlRows.EncodedEntry entry) {
            this.entry = entry;
        }

        /** Whether the row needs no link to the row before (no HMAC key), so it can go in a run. */
        boolean unsigned() {
            return entry.mac() == null;
        }

        @Override
        Long run(SqliteTransactions tx) throws SQLException {
            SqlRows.bind(tx.statements().insertEntry, entry, tx.statements().chainHead);
            try (ResultSet rs = tx.statements().insertEntry.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("INSERT returned no seq");
                }
                return rs.getLong(1);
            }
        }

        @Override
        String describe() {
            return "cannot append the entry for " + entry.entry().address();
        }
    }

    /**
     * A snapshot's place among the writes (see {@link GroupCommitWriter#snapshot}): fixes the
     * seq it covers, and writes nothing.
     */
    static final class MarkOp extends WriteOp<Long> {
        /** When the snapshot was taken; set by {@link #run}, read once the future completes. */
        volatile long createdAt;
        /** Completes once this snapshot's row is queued, or the snapshot failed. */
        final CompletableFuture<Void> row = new CompletableFuture<>();
        /** The {@link #row} of the snapshot taken before; set when the mark is accepted. */
        CompletableFuture<Void> rowBefore;

        @Override
        Long run(SqliteTransactions tx) throws SQLException {
            // Read inside the write transaction: no append can slip in between.
            long seqAt = GroupCommitWriter.readLatestSeq(tx.statements().latestSeq);
            createdAt = Micros.now();
            return seqAt;
        }

        @Override
        String describe() {
            return "cannot save the snapshot";
        }
    }

    /** A snapshot's row, at the seq its mark fixed. */
    static final class SnapshotOp extends WriteOp<Long> {
        private final SqlRows.EncodedSnapshot snapshot;
        private final long seqAt;
        private final long createdAt;
        /** The future the caller of {@link GroupCommitWriter#snapshot} holds. */
        private final CompletableFuture<Long> saved;
        /** A checkpoint's: not stored when a snapshot at a higher seq is the newest. */
        private final boolean unlessSuperseded;

        SnapshotOp(SqlRows.EncodedSnapshot snapshot, long seqAt, long createdAt, CompletableFuture<Long> saved,
                boolean unlessSuperseded) {
            this.snapshot = snapshot;
            this.seqAt = seqAt;
            this.createdAt = createdAt;
            this.saved = saved;
            this.unlessSuperseded = unlessSuperseded;
        }

        @Override
        void completing() {
            if (error != null) {
                saved.completeExceptionally(error);
            } else {
                saved.complete(result);
            }
        }

        @Override
        Long run(SqliteTransactions tx) throws SQLException {
            if (unlessSuperseded) {
                // In the write transaction, so no other journal on the file stores one meanwhile.
                try (ResultSet rs = tx.statements().newestSnapshotSeq.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > seqAt) {
                        return seqAt; // stored behind a newer one, it would hide it from recovery
                    }
                }
            }
            SqlRows.bindSnapshot(tx.statements().insertSnapshot, snapshot, createdAt, seqAt);
            tx.statements().insertSnapshot.executeUpdate();
            tx.statements().pruneSnapshots.setInt(1, tx.snapshotsToKeep());
            tx.statements().pruneSnapshots.executeUpdate();
            return seqAt;
        }

        @Override
        String describe() {
            return "cannot save the snapshot";
        }
    }

    /**
     * A compaction: started in its batch by {@link GroupCommitWriter#startCompaction}, then run
     * chunk by chunk between batches, and completed on its own after the last chunk.
     */
    static final class CompactOp extends WriteOp<Long> {
        final long beforeSeq;
        final SignedLog signedLog;
        /** What it removes and how far it got; null until started, and when nothing is to be removed. */
        SqliteCompaction.Job job;
        /** Whether it is in {@link GroupCommitWriter#compacting}: started, and not over. */
        boolean running;

        CompactOp(long beforeSeq, SignedLog signedLog) {
            this.beforeSeq = beforeSeq;
            this.signedLog = signedLog;
        }

        @Override
        Long run(SqliteTransactions tx) {
            throw new IllegalStateException("a compaction runs in transactions of its own");
        }

        @Override
        String describe() {
            return "cannot compact";
        }
    }

    /** A VACUUM; never run in a transaction (see {@code GroupCommitWriter.runVacuum}). */
    static final class VacuumOp extends WriteOp<Long> {
        @Override
        Long run(SqliteTransactions tx) {
            throw new IllegalStateException("a vacuum runs outside the batch's transaction");
        }

        @Override
        String describe() {
            return "cannot vacuum";
        }
    }
}
