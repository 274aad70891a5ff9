package to.clasp.journal.internal.postgres;

import java.util.Properties;
import javax.sql.DataSource;
import to.clasp.journal.JournalException;

/**
 * The connection pool {@link to.clasp.journal.PostgresJournal#open(String, String, String)} opens for itself:
 * HikariCP when it is on the class path, otherwise the PostgreSQL driver's own (unpooled) data
 * source. HikariCP's classes are only touched when it is present, so it stays optional.
 */
public final class PostgresPools {

    private PostgresPools() {}

    /** A data source and what closes it (null when nothing needs closing). */
    public record Pool(DataSource dataSource, AutoCloseable closer) {}

    public static Pool open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, hikariPresent());
    }

    /** As {@link #open(String, String, String)}, choosing the pool (tests take the driver's without HikariCP). */
    public static Pool open(String jdbcUrl, String user, String password, boolean hikari) {
        String where = redacted(jdbcUrl);
        try {
            // Checked here, once, so that no pool's message repeats a URL whose parameters may hold a password.
            if (!DriverPool.isValidUrl(jdbcUrl)) {
                throw new JournalException.Storage("cannot open " + where + ": not a PostgreSQL JDBC URL; "
                        + "give one such as jdbc:postgresql://host:5432/database", null);
            }
            if (hikari) {
                return HikariPool.open(jdbcUrl, user, password);
            }
            return DriverPool.open(jdbcUrl, user, password);
        } catch (NoClassDefFoundError e) {
            throw new JournalException.Storage("cannot open " + where
                    + ": the PostgreSQL JDBC driver (org.postgresql:postgresql) is not on the class path", e);
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException e) {
            String detail = String.valueOf(e.getMessage());
            if (password != null && !password.isEmpty()) {
                detail = detail.replace(password, "***"); // a pool's message must not carry it either
            }
            throw new JournalException.Storage("cannot open " + where + ": " + USER_INFO.matcher(detail).replaceAll("$1:***@"), e);
        }
    }

    /**
     * The URL as messages may show it: without its parameters (which may hold a password) and
     * with the password of a {@code user:password@} part replaced by {@code ***}.
     */
    private static String redacted(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?...";
        return USER_INFO.matcher(base).replaceAll("$1:***@");
    }

    private static final java.util.regex.Pattern USER_INFO =
            java.util.regex.Pattern.compile("(//[^/?#@:\\s]*):([^/?#@\\s]*)@");

    private static boolean hikariPresent() {
        try {
            Class.forName("com.zaxxer.hikari.HikariDataSource", false, PostgresPools.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static void closeQuietly(AutoCloseable closer) {
        if (closer != null) {
            try {
                closer.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    /** Kept apart so that HikariCP is loaded only when present. */
    private static final class HikariPool {
        public static Pool open(String jdbcUrl, String user, String password) {
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            if (user != null) {
                config.setUsername(user);
            }
            if (password != null) {
                config.setPassword(password);
            }
            config.setPoolName("clasp-journal");
            config.setMaximumPoolSize(8);
            // HikariCP's default: opening the pool connects once and fails at once (a wrong
            // password, a server that is down) rather than retrying for the connection timeout.
            config.setInitializationFailTimeout(1);
            Properties props = new Properties();
            props.setProperty("reWriteBatchedInserts", "true");
            config.setDataSourceProperties(props);
            com.zaxxer.hikari.HikariDataSource ds = new com.zaxxer.hikari.HikariDataSource(config);
            return new Pool(ds, ds);
        }
    }

    /** The driver's own data source: a new connection for each use. */
    private static final class DriverPool {
        static boolean isValidUrl(String jdbcUrl) {
            return org.postgresql.Driver.parseURL(jdbcUrl, null) != null;
        }

        public static Pool open(String jdbcUrl, String user, String password) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(jdbcUrl);
            if (user != null) {
                ds.setUser(user);
            }
            if (password != null) {
                ds.setPassword(password);
            }
            return new Pool(ds, null);
        }
    }
}
