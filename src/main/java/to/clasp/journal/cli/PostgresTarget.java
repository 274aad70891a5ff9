package to.clasp.journal.cli;

import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import to.clasp.journal.JournalException;
import to.clasp.journal.PostgresJournal;

/**
 * A PostgreSQL journal named on the command line: the JDBC URL, the credentials as a PostgreSQL
 * tool finds them, and the schema. The user name comes from {@code --user}, else the URL's
 * {@code user=}, else {@code PGUSER}; the password likewise from {@code --password}, the URL's
 * {@code password=}, {@code PGPASSWORD}. A null user or password leaves it to the URL (or the
 * driver's defaults).
 */
record PostgresTarget(String url, String user, String password, String schema) {

    static final String URL_PREFIX = "jdbc:postgresql:";

    /** Whether the argument names a PostgreSQL journal rather than a file. */
    static boolean isUrl(String journal) {
        return journal.regionMatches(true, 0, URL_PREFIX, 0, URL_PREFIX.length());
    }

    /**
     * Checks the URL and the schema, and picks the credentials.
     *
     * @throws CliException a usage error for a malformed URL or schema name
     */
    static PostgresTarget resolve(String url, String user, String password, String schema, Map<String, String> env) {
        Properties parsed;
        try {
            parsed = org.postgresql.Driver.parseURL(url, null);
        } catch (RuntimeException e) {
            parsed = null;
        } catch (NoClassDefFoundError e) {
            throw CliException.failure("the PostgreSQL JDBC driver (org.postgresql:postgresql) is not on the class "
                    + "path; run the tool's jar, which carries it");
        }
        if (parsed == null) {
            throw CliException.usage(redacted(url) + ": not a valid PostgreSQL JDBC URL; give one such as "
                    + "jdbc:postgresql://localhost:5432/routers");
        }
        String chosenSchema = schema == null ? PostgresJournal.DEFAULT_SCHEMA : schema;
        try {
            PostgresJournal.builder(url, null, null).schema(chosenSchema);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--schema " + chosenSchema + ": " + e.getMessage());
        }
        String chosenUser = user != null ? user : parsed.getProperty("user") != null ? null : blankToNull(env.get("PGUSER"));
        String chosenPassword = password != null ? password
                : parsed.getProperty("password") != null ? null : blankToNull(env.get("PGPASSWORD"));
        return new PostgresTarget(url, chosenUser, chosenPassword, chosenSchema);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** user:password@ after a URL's scheme: the password is group 2. */
    private static final java.util.regex.Pattern USER_INFO =
            java.util.regex.Pattern.compile("(?i)(//[^/?#@:]*):([^/?#@]*)@");

    /**
     * The URL as messages may show it: without its parameters, which may hold a password
     * ({@code ?password=...}), and with the password of a {@code user:password@} part replaced by
     * {@code ***}. Holds for JDBC and libpq URLs ({@code postgres://}, {@code postgresql://}).
     */
    static String redacted(String url) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q) + "?...";
        return USER_INFO.matcher(base).replaceAll("$1:***@");
    }

    /**
     * The passwords a command line may carry in a URL: a {@code user:password@} part and
     * {@code password=} parameters, as written and URL-decoded; empty when there is none.
     */
    static java.util.Set<String> passwordsIn(String url) {
        java.util.Set<String> found = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = USER_INFO.matcher(url);
        while (m.find()) {
            addWithDecoded(found, m.group(2));
        }
        int q = url.indexOf('?');
        if (q >= 0) {
            for (String parameter : url.substring(q + 1).split("[&;]")) {
                int eq = parameter.indexOf('=');
                if (eq > 0 && parameter.substring(0, eq).strip().equalsIgnoreCase("password")) {
                    addWithDecoded(found, parameter.substring(eq + 1));
                }
            }
        }
        return found;
    }

    private static void addWithDecoded(java.util.Set<String> found, String secret) {
        if (secret.isEmpty()) {
            return;
        }
        found.add(secret);
        try {
            found.add(java.net.URLDecoder.decode(secret, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            // not URL-encoded: the raw form is enough
        }
    }

    /** How messages name the journal: the URL without its parameters, and the schema. */
    String display() {
        return redacted(url) + " (schema " + schema + ")";
    }

    /** A builder for this journal, with the key. */
    PostgresJournal.Builder builder(byte[] key) {
        return PostgresJournal.builder(url, user, password).schema(schema).hmacKey(key);
    }

    @Override
    public String toString() {
        return "PostgresTarget[" + display() + ", user " + user + ", password " + (password == null ? "none" : "set") + "]";
    }

    /**
     * What to tell the user when opening failed: a usage error for what the command line got
     * wrong (the server's address, the login, the database, the schema), a failure otherwise.
     */
    CliException openFailure(JournalException e) {
        SQLException sql = sqlCause(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        String detail = sql == null ? e.getMessage() : sql.getMessage();
        String where = display();
        if (state.startsWith("28") || state.equals("08004")) {
            return CliException.usage(where + ": the server refused the login (" + detail + "); give the user and "
                    + "password with --user/--password, PGUSER/PGPASSWORD or the URL");
        }
        if (state.startsWith("08")) {
            return CliException.usage(where + ": cannot reach the server (" + detail + ")");
        }
        if (state.equals("3D000")) {
            return CliException.usage(where + ": no such database (" + detail + ")");
        }
        if (state.equals("3F000") || state.equals("42P01")) {
            return CliException.usage(where + ": " + detail + "; name the journal's schema with --schema (default "
                    + PostgresJournal.DEFAULT_SCHEMA + ")");
        }
        return CliException.failure(where + ": " + e.getMessage());
    }

    /** Whether opening failed only because the schema or its tables do not exist yet. */
    static boolean isAbsentJournal(JournalException e) {
        SQLException sql = sqlCause(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        return state.equals("3F000") || state.equals("42P01");
    }

    private static SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }
}
