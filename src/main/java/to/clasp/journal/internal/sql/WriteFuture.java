package to.clasp.journal.internal.sql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The future of a queued write. A caller that waits for it with {@link #join()} or
 * {@link #get()} while nobody is committing and no other caller is blocked waiting runs the
 * batch itself (see {@link GroupCommitWriter#help}).
 * Stages chained to it are plain futures.
 */
public final class WriteFuture<T> extends CompletableFuture<T> {
    private final WriteOp<T> op;
    private final GroupCommitWriter writer;

    WriteFuture(WriteOp<T> op, GroupCommitWriter writer) {
        this.op = op;
        this.writer = writer;
    }

    @Override
    public T join() {
        if (isDone()) {
            return super.join();
        }
        if (writer.blockedCallers.get() == 0) {
            writer.help(op);
        }
        writer.blockedCallers.incrementAndGet();
        try {
            return super.join();
        } finally {
            writer.blockedCallers.decrementAndGet();
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (isDone()) {
            return super.get();
        }
        // An interrupted caller is answered at once, not after a batch it would have run.
        if (writer.blockedCallers.get() == 0 && !Thread.currentThread().isInterrupted()) {
            writer.help(op);
        }
        writer.blockedCallers.incrementAndGet();
        try {
            return super.get();
        } finally {
            writer.blockedCallers.decrementAndGet();
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
