package to.clasp.journal.internal.sql;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import to.clasp.journal.AddressPattern;

/**
 * A SELECT that a schema class rendered from a {@link QueryPlan} (or for one): its SQL, its
 * parameters, and whether each row must still be checked with the pattern because the SQL only
 * narrows the candidates. The text is the schema's own; statements are cached by it.
 *
 * @param sql the statement
 * @param params its parameters, in order: {@code Long}, {@code String} or {@code byte[]}
 * @param recheck whether each row must still be checked with {@link AddressPattern#matches}
 */
public record SqlSelect(String sql, List<Object> params, boolean recheck) {

    /**
     * Ends a schema's SELECT of a plan the way both dialects write it: its conditions joined
     * with AND, then the plan's order by seq and its limit (a last parameter).
     *
     * @param select the schema's {@code SELECT … FROM …}
     * @param where the schema's conditions for the plan, in its own dialect
     * @param params their parameters, in order; the limit's is added
     */
    public static SqlSelect of(String select, List<String> where, List<Object> params, QueryPlan plan) {
        StringBuilder sql = new StringBuilder(select);
        for (int i = 0; i < where.size(); i++) {
            sql.append(i == 0 ? " WHERE " : " AND ").append(where.get(i));
        }
        sql.append(plan.descending() ? " ORDER BY seq DESC" : " ORDER BY seq");
        if (plan.limit() >= 0) {
            sql.append(" LIMIT ?");
            params.add(plan.limit());
        }
        return new SqlSelect(sql.toString(), List.copyOf(params), plan.recheck());
    }

    /** Binds the parameters to a statement prepared from {@link #sql()}. */
    public void bind(PreparedStatement ps) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p instanceof Long l) {
                ps.setLong(i + 1, l);
            } else if (p instanceof byte[] bytes) {
                ps.setBytes(i + 1, bytes);
            } else {
                ps.setString(i + 1, (String) p);
            }
        }
    }
}
