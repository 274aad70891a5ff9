package to.clasp.journal.internal.pattern;

import java.util.Objects;
import java.util.function.Function;
import to.clasp.journal.AddressPattern;

/**
 * Reads an {@link AddressPattern}'s {@link Pushdown}, which the pattern computes when it is
 * compiled but does not publish: it is for the backends and the follow index, not for users.
 * {@code AddressPattern} installs the reader when its class is initialised, which happens before
 * any pattern exists, so {@link #of} always finds it. Thread-safe.
 */
public final class Pushdowns {

    private static volatile Function<AddressPattern, Pushdown> reader;

    private Pushdowns() {}

    /**
     * Installs the reader; called once, by {@code AddressPattern}'s static initialiser.
     *
     * @param pushdownOfPattern reads a pattern's pushdown, not null
     * @throws IllegalStateException if a reader is already installed
     */
    public static synchronized void install(Function<AddressPattern, Pushdown> pushdownOfPattern) {
        Objects.requireNonNull(pushdownOfPattern, "pushdownOfPattern");
        if (reader != null) {
            throw new IllegalStateException("the pushdown reader is already installed");
        }
        reader = pushdownOfPattern;
    }

    /**
     * How a backend may narrow a scan for {@code pattern}.
     *
     * @param pattern a compiled pattern, not null
     * @return its pushdown, never null
     */
    public static Pushdown of(AddressPattern pattern) {
        return reader.apply(Objects.requireNonNull(pattern, "pattern"));
    }
}
