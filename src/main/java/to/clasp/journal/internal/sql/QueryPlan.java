package to.clasp.journal.internal.sql;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SignalType;
import to.clasp.journal.internal.pattern.Pushdown;
import to.clasp.journal.internal.pattern.Pushdowns;

/**
 * What a SQL backend reads for a {@link JournalQuery}, decided once for every dialect: the
 * address clause (an exact address, the half-open range of a literal prefix, a list of known
 * addresses, or none), whether the rows must still be checked with the pattern, whether a walk
 * over the distinct addresses under the prefix may narrow them, the seq and time ranges, the
 * types, the order and the limit. It holds no SQL: each schema class ({@link to.clasp.journal.internal.sqlite.SqliteSchema},
 * {@link to.clasp.journal.internal.postgres.PostgresSchema}) renders a plan into its own dialect, so both backends push down the
 * same filters for the same reasons.
 *
 * <p>The address filter is pushed down only in forms that cannot change the result: equality
 * for an exact address, and a range over addresses compared as UTF-8 bytes for a literal prefix
 * that every match starts with ({@link AddressRange}). Never LIKE: it ignores case and treats
 * {@code _} and {@code %} as wildcards. Rows are streamed, so a limit that cannot go into the
 * SQL (because rows are rechecked) still stops the scan early.
 *
 * @param query the query planned
 * @param stored what the backend may hold, which decides how far its clauses can be trusted
 * @param address the address clause
 * @param recheck whether each row must still be checked with {@link AddressPattern#matches},
 *     because the SQL only narrows the candidates
 * @param addressRange whether an address clause narrows the rows and the recheck decides: a
 *     limited query may then find its rows faster by walking seqs ({@link #probe})
 * @param addressWalk whether some addresses under the pattern's literal prefix may not match
 *     it, so that walking the distinct addresses there and reading only the matching ones
 *     ({@link #forAddresses}) may read fewer rows
 * @param seqRange the seqs to walk, when the rows of a time range are read by seq
 * @param fromMicros the inclusive lower time bound
 * @param toMicros the inclusive upper time bound
 * @param types the signal types to keep; empty when every type is kept
 * @param descending whether rows come newest first
 * @param limit the most rows the SQL returns, or -1 for no limit
 */
public record QueryPlan(JournalQuery query, Stored stored, Address address, boolean recheck, boolean addressRange,
        boolean addressWalk, Optional<SeqRange> seqRange, OptionalLong fromMicros, OptionalLong toMicros,
        Set<SignalType> types, boolean descending, long limit) {

    /** What a backend's table may hold, as far as the planner relies on it. */
    public enum Stored {
        /**
         * Rows any program may have written (a SQLite file of the Rust crate): an address may
         * be text this library refuses, or bytes that are no UTF-8 and read back changed. Only
         * equality with a well-formed address is then the whole answer; every other clause
         * only narrows, and its rows are checked again.
         */
        ANY_TEXT,
        /**
         * Rows written through this library only, whose addresses are well-formed: the range
         * of a subtree ({@code <literal>/**}) holds exactly its matches, and no row holds an
         * address with a lone surrogate.
         */
        CHECKED
    }

    /** The address clause of a plan. */
    public sealed interface Address {}

    /** No address clause: every address is read. */
    public record AnyAddress() implements Address {}

    /** No row can match: the pattern is one address that no stored row can hold. */
    public record NoAddress() implements Address {}

    /** The rows at exactly this address (as the Java string; a backend stores it its own way). */
    public record Exact(String address) implements Address {}

    /**
     * The addresses from {@code low} (inclusive) to {@code high} (exclusive, null for no upper
     * bound), in UTF-8 byte order: exactly those that start with the literal prefix {@code low}.
     */
    public record PrefixRange(String low, String high) implements Address {}

    /** The rows at exactly these addresses, each well-formed, found by the distinct-address walk. */
    public record OneOf(List<String> addresses) implements Address {}

    /** The seqs from {@code first} to {@code last}, both inclusive. */
    public record SeqRange(long first, long last) {}

    private static final Address ANY = new AnyAddress();

    /**
     * Plans a query. Only an exact, well-formed address needs no recheck, and, where rows are
     * {@link Stored#CHECKED}, a subtree whose range the backend can express. A match-all
     * pattern is rechecked too: it matches only addresses that start with {@code /}.
     */
    public static QueryPlan of(JournalQuery query, Stored stored) {
        return plan(query, stored, true, -1, null, null);
    }

    /**
     * This query's first try when it has a limit and an address range: a walk in seq order
     * without the range, reading at most {@code rows} rows. Matches that are dense among the
     * newest (or oldest) entries are found that way after a few rows, where the range would
     * first collect every matching seq; when the walk does not find enough, the caller falls
     * back to the plan itself.
     */
    public QueryPlan probe(long rows) {
        return plan(query, stored, false, rows, null, null);
    }

    /**
     * This query, without an address range, walking the seqs from {@code first} to {@code last}
     * in order and checking the time bounds on each row: where timestamps grow with seqs, that
     * reads the rows of the time range and nothing else, with no sort.
     */
    public QueryPlan inSeqRange(long first, long last) {
        return plan(query, stored, false, -1, null, new SeqRange(first, last));
    }

    /**
     * This query reading only the rows at {@code addresses}, the addresses it matches (at most a
     * few hundred). No recheck is needed: each row's address is one of them, byte for byte.
     *
     * @param addresses the addresses the pattern matches, not empty, each well-formed
     */
    public QueryPlan forAddresses(List<String> addresses) {
        return plan(query, stored, false, -1, List.copyOf(addresses), null);
    }

    /**
     * Whether reading the seqs of the time range in order may serve this plan better than its
     * own clauses: only when no address clause narrows the rows.
     */
    public boolean timeRangeWalk() {
        return !addressRange && !(address instanceof Exact) && !(address instanceof NoAddress);
    }

    /**
     * @param useAddressRange whether a literal prefix becomes a range (a probe goes without)
     * @param rowLimit the most rows to read when the query's own limit cannot go into the SQL
     *     (-1: none)
     * @param addresses the addresses to read, or null
     * @param seqRange the seqs to walk, or null
     */
    private static QueryPlan plan(JournalQuery query, Stored stored, boolean useAddressRange, long rowLimit,
            List<String> addresses, SeqRange seqRange) {
        Pushdown pushdown = Pushdowns.of(query.addressPattern());
        Address address = ANY;
        boolean recheck = true;
        switch (pushdown.kind()) {
            case MATCH_ALL -> {
                // no address clause: a scan in seq order serves a limit best
            }
            case EXACT -> {
                String exact = pushdown.prefix();
                if (AddressRange.isWellFormed(exact)) {
                    address = new Exact(exact);
                    recheck = false;
                } else if (stored == Stored.ANY_TEXT) {
                    // A lone surrogate cannot reach the database unchanged; the recheck drops
                    // what the mangled text finds instead.
                    address = new Exact(exact);
                } else {
                    address = new NoAddress();
                }
            }
            default -> {
                if (addresses != null) {
                    address = new OneOf(addresses);
                    recheck = false;
                } else if (useAddressRange) {
                    PrefixRange range = prefixRange(pushdown.prefix());
                    if (range != null) {
                        address = range;
                        // For <literal>/** the range is the whole meaning of the pattern, where
                        // every stored address is what it says.
                        recheck = !(stored == Stored.CHECKED && pushdown.kind() == Pushdown.Kind.SUBTREE);
                    }
                }
            }
        }
        boolean addressRange = !(address instanceof AnyAddress) && recheck;
        Pushdown.Kind kind = pushdown.kind();
        boolean addressWalk = recheck && kind != Pushdown.Kind.MATCH_ALL
                && kind != Pushdown.Kind.SUBTREE;
        Set<SignalType> types = query.signalTypes();
        if (types.size() == SignalType.values().length) {
            types = Set.of(); // every type: no filter
        }
        long limit = rowLimit;
        if (!recheck && query.maxResults().isPresent()) {
            limit = query.maxResults().getAsInt();
        }
        return new QueryPlan(query, stored, address, recheck, addressRange, addressWalk,
                Optional.ofNullable(seqRange), query.fromMicros(), query.toMicros(), types,
                query.isDescending(), limit);
    }

    /**
     * The range of the addresses that start with {@code prefix}; null for an empty prefix or
     * {@code /} (every address starts with it: such a range would only cost) and for one with a
     * lone surrogate (whose UTF-8 order is undefined). The recheck keeps the result right either
     * way.
     */
    static PrefixRange prefixRange(String prefix) {
        if (prefix.isEmpty() || prefix.equals("/") || !AddressRange.isWellFormed(prefix)) {
            return null;
        }
        return new PrefixRange(prefix, AddressRange.successor(prefix));
    }

    /**
     * The range of the query's literal prefix whatever the plan's own clause (a probe has none),
     * or null when the pattern has none: an exact address or a match-all pattern, or a prefix
     * that {@link #prefixRange} refuses.
     */
    public PrefixRange literalPrefixRange() {
        Pushdown pushdown = Pushdowns.of(query.addressPattern());
        if (pushdown.kind() == Pushdown.Kind.MATCH_ALL
                || pushdown.kind() == Pushdown.Kind.EXACT) {
            return null;
        }
        return prefixRange(pushdown.prefix());
    }
}
