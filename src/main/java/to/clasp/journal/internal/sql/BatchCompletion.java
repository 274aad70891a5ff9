package to.clasp.journal.internal.sql;

import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Completes one batch's futures of a {@link GroupCommitWriter}, in queue order. Normally one pool thread does it all; once
 * the journal is closing, each thread that is about to run a future's callbacks first hands
 * the rest of the batch to another thread, so that no future waits for a callback.
 */
public final class BatchCompletion implements Runnable {
    private final WriteOp<?>[] ops;
    private final AtomicInteger next = new AtomicInteger();
    private final Executor completer;
    /** The writer's batches not yet completed: this one leaves it once its last future is. */
    private final Set<BatchCompletion> unfinished;
    /** Whether the writer is closing: from then on no future waits behind a callback. */
    private final BooleanSupplier closing;

    BatchCompletion(WriteOp<?>[] ops, Executor completer, Set<BatchCompletion> unfinished,
            BooleanSupplier closing) {
        this.ops = ops;
        this.completer = completer;
        this.unfinished = unfinished;
        this.closing = closing;
    }

    void start() {
        try {
            completer.execute(this);
        } catch (RejectedExecutionException | Error e) {
            run(); // never leave a future hanging
        }
    }

    /**
     * Completes futures on the calling thread, in queue order, as long as nothing is chained
     * to them and nobody waits for them (completing such a future runs no code of anyone's);
     * from the first future that has dependents on, hands the batch to the pool.
     */
    void runHere() {
        int i;
        while ((i = next.get()) < ops.length) {
            if (ops[i].future.getNumberOfDependents() != 0) {
                start();
                return;
            }
            if (!next.compareAndSet(i, i + 1)) {
                continue; // close() had another thread go on meanwhile
            }
            if (i > 0) {
                awaitCompleted(ops[i - 1]);
            }
            ops[i].complete();
        }
        unfinished.remove(this);
    }

    @Override
    public void run() {
        int i;
        while ((i = next.getAndIncrement()) < ops.length) {
            if (i > 0) {
                awaitCompleted(ops[i - 1]); // claimed just before, maybe by another thread
            }
            if (closing.getAsBoolean() && i + 1 < ops.length) {
                continueElsewhere();
            }
            ops[i].complete();
        }
        unfinished.remove(this);
    }

    /** Has another thread go on with this batch, unless it is done. */
    void continueElsewhere() {
        if (next.get() >= ops.length) {
            return;
        }
        try {
            completer.execute(this);
        } catch (RejectedExecutionException | Error e) {
            // No thread to spare: the current one goes on after its callbacks.
        }
    }

    /** Waits until every future of the batch is completed (not for their callbacks). */
    void awaitCompleted() {
        if (ops.length > 0) {
            awaitCompleted(ops[ops.length - 1]);
        }
    }

    private void awaitCompleted(WriteOp<?> op) {
        while (!op.future.isDone()) {
            LockSupport.parkNanos(50_000L);
        }
    }
}
