package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/** Waiting for futures in tests, with a timeout that turns a hang into a failure. */
final class Await {

    static final Duration WAIT = Duration.ofSeconds(30);

    private Await() {}

    static <T> T await(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(WAIT);
        return future.join();
    }

    /** Asserts that {@code future} fails with {@code type} itself (not wrapped) and returns it. */
    static <E extends Throwable> E assertFails(CompletableFuture<?> future, Class<E> type) {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        assertThat(future).failsWithin(WAIT).withThrowableThat()
                .satisfies(t -> cause.set(t.getCause()))
                .havingCause().isInstanceOf(type);
        return type.cast(cause.get());
    }
}
