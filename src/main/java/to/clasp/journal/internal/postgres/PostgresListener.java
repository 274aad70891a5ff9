package to.clasp.journal.internal.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import to.clasp.journal.internal.util.Threads;

/**
 * Listens on a journal schema's {@code LISTEN/NOTIFY} channel, on a connection of its own, and
 * calls {@code onChange} when any journal on the schema (in any process) commits entries, so
 * that followers learn of them without polling. Every commit of entries notifies the channel
 * (see {@link PostgresSchema#reserve}); PostgreSQL delivers a notification only after its
 * transaction commits.
 *
 * <p>While the connection is lost (a server restart), notifications are lost too: the listener
 * reconnects every second, and calls {@code onChange} once it is listening again, so that
 * whatever was committed meanwhile is looked up. Daemon thread; {@link #close()} stops it.
 */
public final class PostgresListener implements AutoCloseable {

    private static final int WAIT_MILLIS = 500;
    private static final long RETRY_MILLIS = 1_000;

    private final DataSource dataSource;
    private final String channel;
    private final Runnable onChange;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean listening;

    public PostgresListener(DataSource dataSource, String channel, Runnable onChange, String name) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onChange = onChange;
        this.thread = new Thread(this::run, "clasp-journal-pg-listen-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Whether the listener is connected and listening (for tests). */
    public boolean isListening() {
        return listening;
    }

    private void run() {
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true);
                }
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                listening = true;
                onChange.run(); // whatever was committed before we listened
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
                    if (notes != null && notes.length > 0) {
                        onChange.run();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.execute("UNLISTEN " + channel);
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                sleep(RETRY_MILLIS);
            } finally {
                listening = false;
            }
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // close() interrupts to stop waiting; the loop checks closed
        }
    }

    /** Stops listening and gives the connection back; waits for the thread to end. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (Threads.joinUninterruptibly(thread)) {
            Thread.currentThread().interrupt();
        }
    }
}
