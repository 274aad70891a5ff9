package to.clasp.journal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A SELECT that a schema class rendered from a {@link QueryPlan} (or for one): its SQL, its
 * parameters, and whether each row must still be checked with the pattern because the SQL only
 * narrows the candidates. The text is the schema's own; statements are cached by it.
 *
 * @param sql the statement
 * @param params its parameters, in order: {@code Long}, {@code String} or {@code byte[]}
 * @param recheck whether each row must still be checked with {@link AddressPattern#matches}
 */
record SqlSelect(String sql, List<Object> params, boolean recheck) {

    /** Binds the parameters to a statement prepared from {@link #sql()}. */
    void bind(PreparedStatement ps) throws SQLException {
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
