package to.clasp.journal.internal.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.internal.sql.QueryPlan;
import to.clasp.journal.internal.sql.SqlSelect;
import to.clasp.journal.internal.pattern.Pushdowns;

/**
 * Chooses which of a query's plans runs on a SQLite file, from what the indexes tell about its
 * rows, and runs it: a limited query first walks seqs for a few rows (the probe), unless its
 * prefix range is smaller; a pattern the SQL cannot answer alone reads only the matching
 * addresses when the distinct addresses under its prefix say that pays; a time window whose
 * timestamps grow with seqs is read as a seq range. The plans themselves are {@link QueryPlan}'s
 * and their SQL {@link SqliteSchema}'s; reading and checking the rows stays with the journal
 * ({@link Rows}).
 */
public final class SqliteQueryRunner {

    /** Bounds on the rows a limited query reads in seq order before it uses the address index. */
    private static final long MIN_PROBE_ROWS = 1_024;
    private static final long MAX_PROBE_ROWS = 65_536;
    /** Bounds on the distinct-address walk of a query (see {@link #matchingAddresses}). */
    private static final long MAX_DISTINCT_ADDRESSES = 8_192;
    private static final int MAX_MATCHED_ADDRESSES = 500;

    private SqliteQueryRunner() {}

    /** Reads the rows of a plan. */
    public interface Rows {
        /**
         * Runs a plan's SELECT, adding to {@code out} the entries whose address matches (when
         * the plan needs the check), until {@code limit} of them are found ({@code -1}: no
         * limit).
         *
         * @return the number of rows read
         */
        long select(SqliteReadPool.Reader r, QueryPlan plan, int limit, List<JournalEntry> out) throws SQLException;
    }

    /**
     * Runs a query inside a read transaction of {@code r}: its probe first where that pays, then
     * the plan {@link #planOnRows} chooses.
     *
     * @param rows what reads the rows of a plan: the journal's own decoding and checks
     */
    public static List<JournalEntry> run(SqliteReadPool.Reader r, QueryPlan plan, Rows rows) throws SQLException {
        int limit = plan.query().maxResults().orElse(-1);
        long probeRows = Math.min(MAX_PROBE_ROWS, Math.max(MIN_PROBE_ROWS, 32L * limit));
        if (limit > 0 && (plan.addressRange() || plan.addressWalk()) && !smallerThan(r, plan, probeRows)) {
            // A range on the address index costs as much as the whole range even when the
            // limit is met early; walking seqs first is cheap when matches are dense.
            List<JournalEntry> found = new ArrayList<>(Math.min(limit, 1024));
            long read = rows.select(r, plan.probe(probeRows), limit, found);
            if (found.size() == limit || read < probeRows) {
                return Collections.unmodifiableList(found);
            }
        }
        QueryPlan chosen = planOnRows(r, plan);
        if (chosen == null) {
            return List.of();
        }
        List<JournalEntry> out = new ArrayList<>();
        rows.select(r, chosen, limit, out);
        return Collections.unmodifiableList(out);
    }

    /**
     * Whether the prefix range of an address-range {@code plan} holds fewer than {@code rows}
     * entries, counted from the index alone: then the range itself is cheaper than the probe,
     * which would read {@code rows} entries in seq order when matches are sparse.
     */
    private static boolean smallerThan(SqliteReadPool.Reader r, QueryPlan plan, long rows) throws SQLException {
        SqlSelect count = plan.addressRange() ? SqliteSchema.countInPrefixRange(plan, rows) : null;
        if (count == null) {
            return false;
        }
        PreparedStatement ps = r.prepare(count.sql());
        count.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getLong(1) < rows;
        }
    }

    /**
     * The plan that reads the fewest rows, given what the indexes tell about them: only the
     * matching addresses ({@link #narrowed}) or only the seqs of the time range
     * ({@link #inTimeRange}); null when nothing can match.
     */
    public static QueryPlan planOnRows(SqliteReadPool.Reader r, QueryPlan plan) throws SQLException {
        // Patterns the SQL cannot answer alone: their matches may be a small part of the rows
        // they would read, which the distinct addresses tell.
        QueryPlan chosen = plan.addressWalk() ? narrowed(r, plan) : plan;
        if (chosen == plan && plan.timeRangeWalk()) {
            chosen = inTimeRange(r, plan);
        }
        return chosen;
    }

    /**
     * For a time-bounded query that no address narrows: a walk over the seqs of its time range
     * when timestamps grow with seqs (at most twice as many seqs as entries in the range), which
     * spares the sort that reading through the timestamp index needs; {@code plan} otherwise;
     * null when the range holds no entry.
     */
    private static QueryPlan inTimeRange(SqliteReadPool.Reader r, QueryPlan plan) throws SQLException {
        SqlSelect bounds = SqliteSchema.timeRangeSeqs(plan);
        if (bounds == null) {
            return plan;
        }
        PreparedStatement ps = r.prepare(bounds.sql());
        bounds.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
            long count = rs.next() ? rs.getLong(3) : 0;
            if (count == 0) {
                return null;
            }
            long first = rs.getLong(1);
            long last = rs.getLong(2);
            return last - first < 2 * count ? plan.inSeqRange(first, last) : plan;
        }
    }

    /**
     * Returns a plan that fetches only the rows at matching addresses, when that pays (see
     * {@link #matchingAddresses}); {@code plan} when it does not; null when no address matches.
     */
    private static QueryPlan narrowed(SqliteReadPool.Reader r, QueryPlan plan) throws SQLException {
        List<String> addresses = matchingAddresses(r, plan.query().addressPattern());
        if (addresses == null) {
            return plan;
        }
        return addresses.isEmpty() ? null : plan.forAddresses(addresses);
    }

    /**
     * Walks the distinct addresses that start with the pattern's literal prefix, one seek on
     * the address index each, and returns those the pattern matches, when fetching only them
     * pays: when at most half of the addresses walked match (rows assumed spread evenly over
     * addresses) and at most {@link #MAX_MATCHED_ADDRESSES} do. Returns null where reading the
     * prefix range is as cheap or cheaper: too many distinct addresses for the rows held
     * (the walk gives up after a sixteenth of them, {@link #MAX_DISTINCT_ADDRESSES} at most),
     * or an address that did not come back from SQLite as it is stored.
     */
    private static List<String> matchingAddresses(SqliteReadPool.Reader r, AddressPattern pattern)
            throws SQLException {
        long held;
        try (ResultSet rs = r.prepare(SqliteSchema.HELD_SEQS).executeQuery()) {
            long first = rs.next() ? rs.getLong(1) : 0;
            held = rs.getLong(2) - first + 1;
        }
        long budget = Math.min(MAX_DISTINCT_ADDRESSES, held / 16);
        String prefix = Pushdowns.of(pattern).prefix();
        List<String> matched = new ArrayList<>();
        String current = prefix;
        PreparedStatement seek = r.prepare(SqliteSchema.FIRST_ADDRESS);
        PreparedStatement next = r.prepare(SqliteSchema.NEXT_ADDRESS);
        for (long walked = 0; ; walked++) {
            seek.setString(1, current);
            String address;
            try (ResultSet rs = seek.executeQuery()) {
                address = rs.next() ? rs.getString(1) : null;
            }
            if (address == null || !address.startsWith(prefix)) {
                return matched.size() * 2L <= walked ? matched : null;
            }
            // U+FFFD: stored bytes that are no UTF-8 come back changed, and would not be found again.
            if (walked == budget || address.indexOf('\uFFFD') >= 0 || address.equals(current) && seek == next) {
                return null;
            }
            if (pattern.matches(address) && matched.add(address) && matched.size() > MAX_MATCHED_ADDRESSES) {
                return null;
            }
            current = address;
            seek = next;
        }
    }
}
