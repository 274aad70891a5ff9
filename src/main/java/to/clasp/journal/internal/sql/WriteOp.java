package to.clasp.journal.internal.sql;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import to.clasp.journal.JournalException;
import to.clasp.journal.internal.codec.Micros;

/**
 * One operation of a {@link GroupCommitWriter}, queued by a caller and run by whichever thread
 * holds the committer role: an append, a snapshot's mark and its row, and the kinds only one
 * backend takes (a SQLite compaction or vacuum, a PostgreSQL barrier or checkpoint row). The kinds are closed: a
 * backend's {@link GroupCommitWriter.Backend#write} tells them apart and refuses a kind it does
 * not take. Writes run inside a batch's transaction and are completed after its COMMIT; each
 * keeps its result or its error until then.
 *
 * <p>Not thread-safe by itself: the writer's queue lock hands an op from the caller to the
 * committer, and the completion of its future hands it on to whoever waits.
 */
public abstract sealed class WriteOp<T> permits WriteOp.AppendOp, WriteOp.MarkOp, WriteOp.SnapshotOp,
        WriteOp.CompactOp, WriteOp.VacuumOp, WriteOp.BarrierOp, WriteOp.CheckpointOp {
    /** Set once accepted, before the op is queued. */
    CompletableFuture<T> future;

    /** Set, under the queue's lock, once a committer has taken the op from the queue. */
    boolean taken;
    public T result;
    public JournalException error;
    /** Set once the transaction that ran this op has committed. */
    public boolean committed;

    /** What failed, as the start of an error message: "cannot append the entry for /a". */
    public abstract String describe();

    public final void clearResult() {
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
    public static void failAll(List<? extends WriteOp<?>> ops, JournalException e) {
        for (WriteOp<?> op : ops) {
            if (op.error == null) {
                op.clearResult();
                op.error = e;
            }
        }
    }

    /** An entry to append; its result is the seq the backend assigned. */
    public static final class AppendOp extends WriteOp<Long> {
        public final SqlRows.EncodedEntry entry;

        public AppendOp(SqlRows.EncodedEntry entry) {
            this.entry = entry;
        }

        /** Whether the row needs no link to the row before (no HMAC key), so it can go in a run. */
        public boolean unsigned() {
            return entry.mac() == null;
        }

        @Override
        public String describe() {
            return "cannot append the entry for " + entry.entry().address();
        }
    }

    /**
     * A snapshot's place among the writes (see {@link GroupCommitWriter#snapshot}): fixes the
     * seq it covers, read in its batch's transaction, and writes nothing.
     */
    public static final class MarkOp extends WriteOp<Long> {
        /** When the snapshot was taken; set by the backend, read once the future completes. */
        public volatile long createdAt;
        /** Completes once this snapshot's row is queued, or the snapshot failed. */
        final CompletableFuture<Void> row = new CompletableFuture<>();
        /** The {@link #row} of the snapshot taken before; set when the mark is accepted. */
        CompletableFuture<Void> rowBefore;

        /** Records what the backend read in the mark's transaction. */
        public void fix(long seqAt) {
            this.result = seqAt;
            this.createdAt = Micros.now();
        }

        @Override
        public String describe() {
            return "cannot save the snapshot";
        }
    }

    /** A snapshot's row, at the seq its mark fixed; its result is that seq. */
    public static final class SnapshotOp extends WriteOp<Long> {
        public final SqlRows.EncodedSnapshot snapshot;
        public final long seqAt;
        public final long createdAt;
        /** The future the caller of {@link GroupCommitWriter#snapshot} holds. */
        private final CompletableFuture<Long> saved;
        /** A checkpoint's: not stored when a snapshot at a higher seq is the newest. */
        public final boolean unlessSuperseded;

        public SnapshotOp(SqlRows.EncodedSnapshot snapshot, long seqAt, long createdAt, CompletableFuture<Long> saved,
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
        public String describe() {
            return "cannot save the snapshot";
        }
    }

    /**
     * A SQLite compaction: started in its batch by {@link to.clasp.journal.internal.sqlite.SqliteWriteBackend}, then run chunk
     * by chunk between batches, and completed on its own after the last chunk.
     */
    public static final class CompactOp extends WriteOp<Long> {
        public final long beforeSeq;
        public final SignedLog signedLog;
        /** Whether it is started and not over: its future is completed after its last chunk. */
        public boolean running;

        public CompactOp(long beforeSeq, SignedLog signedLog) {
            this.beforeSeq = beforeSeq;
            this.signedLog = signedLog;
        }

        @Override
        public String describe() {
            return "cannot compact";
        }
    }

    /** A SQLite VACUUM, run outside any transaction (see {@link to.clasp.journal.internal.sqlite.SqliteWriteBackend}). */
    public static final class VacuumOp extends WriteOp<Long> {
        @Override
        public String describe() {
            return "cannot vacuum";
        }
    }

    /**
     * A PostgreSQL barrier: reached once every op queued before it has committed or failed; its
     * result is the highest seq committed on the schema then (see {@link to.clasp.journal.internal.postgres.PostgresWriteBackend}).
     */
    public static final class BarrierOp extends WriteOp<Long> {
        @Override
        public String describe() {
            return "cannot read the latest seq";
        }
    }

    /**
     * A PostgreSQL checkpoint's row, at the seq its fold read; its result is whether it was
     * stored (see {@link to.clasp.journal.internal.postgres.PostgresWriteBackend}).
     */
    public static final class CheckpointOp extends WriteOp<Boolean> {
        public final SqlRows.EncodedSnapshot snapshot;
        public final long seqAt;
        public final long createdAt;

        public CheckpointOp(SqlRows.EncodedSnapshot snapshot, long seqAt, long createdAt) {
            this.snapshot = snapshot;
            this.seqAt = seqAt;
            this.createdAt = createdAt;
        }

        @Override
        public String describe() {
            return "cannot store the checkpoint";
        }
    }
}
