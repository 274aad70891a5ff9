package to.clasp.journal;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What to read from a journal: an address pattern, optional inclusive time bounds, optional
 * signal types, an optional limit and an order.
 *
 * <p>Queries are immutable and thread-safe; each method returns a new query. Results come in
 * ascending seq order unless {@link #descending()} is set, and the limit applies after every
 * filter, so {@code descending().limit(n)} selects the newest {@code n} matching entries.
 *
 * <pre>{@code
 * JournalQuery q = JournalQuery.of("/lights/**")
 *         .from(1708400000000000L).to(1708500000000000L)
 *         .types(SignalType.PARAM)
 *         .limit(100);
 * }</pre>
 */
public final class JournalQuery {

    private final AddressPattern pattern;
    private final long from;
    private final long to;
    private final int limit;
    private final Set<SignalType> types;
    private final boolean descending;

    private JournalQuery(AddressPattern pattern, long from, long to, int limit,
            Set<SignalType> types, boolean descending) {
        this.pattern = pattern;
        this.from = from;
        this.to = to;
        this.limit = limit;
        this.types = types;
        this.descending = descending;
    }

    /**
     * Returns a query for every entry whose address matches {@code pattern}, with no other filter.
     *
     * @param pattern an address pattern (see {@link AddressPattern}), such as {@code /lights/**}
     * @return the query
     * @throws NullPointerException if {@code pattern} is null
     * @throws IllegalArgumentException if {@code pattern} is empty
     */
    public static JournalQuery of(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("pattern must not be empty");
        }
        return new JournalQuery(AddressPattern.compile(pattern), Long.MIN_VALUE, Long.MAX_VALUE, -1,
                Collections.emptySet(), false);
    }

    /**
     * Returns this query restricted to entries at or after {@code micros}.
     *
     * @param micros the inclusive lower time bound, in microseconds since the epoch
     * @return the new query
     */
    public JournalQuery from(long micros) {
        return new JournalQuery(pattern, micros, to, limit, types, descending);
    }

    /**
     * Returns this query restricted to entries at or before {@code micros}.
     *
     * @param micros the inclusive upper time bound, in microseconds since the epoch
     * @return the new query
     */
    public JournalQuery to(long micros) {
        return new JournalQuery(pattern, from, micros, limit, types, descending);
    }

    /**
     * Returns this query returning at most {@code n} entries.
     *
     * @param n the maximum number of entries, zero or more
     * @return the new query
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public JournalQuery limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + n);
        }
        return new JournalQuery(pattern, from, to, n, types, descending);
    }

    /**
     * Returns this query restricted to the given signal types; no types means every type.
     *
     * @param types the signal types to keep
     * @return the new query
     * @throws NullPointerException if {@code types} or any element is null
     */
    public JournalQuery types(SignalType... types) {
        Objects.requireNonNull(types, "types");
        EnumSet<SignalType> set = EnumSet.noneOf(SignalType.class);
        for (SignalType t : types) {
            set.add(Objects.requireNonNull(t, "signal type"));
        }
        return new JournalQuery(pattern, from, to, limit, Collections.unmodifiableSet(set), descending);
    }

    /**
     * Returns this query with results newest first (descending seq).
     *
     * @return the new query
     */
    public JournalQuery descending() {
        return new JournalQuery(pattern, from, to, limit, types, true);
    }

    /**
     * Returns the address pattern text.
     *
     * @return the pattern
     */
    public String pattern() {
        return pattern.pattern();
    }

    /**
     * Returns the compiled address pattern.
     *
     * @return the pattern
     */
    public AddressPattern addressPattern() {
        return pattern;
    }

    /**
     * Returns the inclusive lower time bound, if any.
     *
     * @return the bound in microseconds, or empty
     */
    public OptionalLong fromMicros() {
        return from == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(from);
    }

    /**
     * Returns the inclusive upper time bound, if any.
     *
     * @return the bound in microseconds, or empty
     */
    public OptionalLong toMicros() {
        return to == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(to);
    }

    /**
     * Returns the maximum number of entries, if any.
     *
     * @return the limit, or empty
     */
    public OptionalInt maxResults() {
        return limit < 0 ? OptionalInt.empty() : OptionalInt.of(limit);
    }

    /**
     * Returns the signal types to keep; empty means every type.
     *
     * @return an unmodifiable set
     */
    public Set<SignalType> signalTypes() {
        return types;
    }

    /**
     * Tells whether results come newest first.
     *
     * @return {@code true} for descending seq order
     */
    public boolean isDescending() {
        return descending;
    }

    /**
     * Tells whether one entry passes this query's filters: the pattern, the time bounds and the
     * types. The limit and the order do not apply to a single entry.
     *
     * @param entry the entry, not null
     * @return {@code true} if the entry belongs in this query's results
     * @throws NullPointerException if {@code entry} is null
     */
    public boolean matches(JournalEntry entry) {
        long ts = entry.timestamp();
        return ts >= from && ts <= to
                && (types.isEmpty() || types.contains(entry.signalType()))
                && pattern.matches(entry.address());
    }

    /** Tells whether an entry passes the time bounds and the types, leaving out the pattern. */
    boolean matchesTimeAndType(JournalEntry entry) {
        long ts = entry.timestamp();
        return ts >= from && ts <= to && (types.isEmpty() || types.contains(entry.signalType()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JournalQuery q && q.pattern.pattern().equals(pattern.pattern())
                && q.from == from && q.to == to && q.limit == limit && q.types.equals(types)
                && q.descending == descending;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pattern.pattern(), from, to, limit, types, descending);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("JournalQuery[").append(pattern.pattern());
        fromMicros().ifPresent(v -> sb.append(", from=").append(v));
        toMicros().ifPresent(v -> sb.append(", to=").append(v));
        if (!types.isEmpty()) {
            sb.append(", types=").append(types);
        }
        maxResults().ifPresent(v -> sb.append(", limit=").append(v));
        if (descending) {
            sb.append(", descending");
        }
        return sb.append(']').toString();
    }
}
