package to.clasp.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The process {@link SqliteDiskFullTest} runs under a file-size limit ({@code ulimit -f}), so
 * that writes past it fail as they do on a full disk, on any Unix and without privileges. It
 * appends until a commit fails, then reports, one line each: further appends ({@code ok <seq>}
 * or {@code fail <message>}), whether another connection can take the write lock, a
 * compaction of everything, and appends after it.
 */
public final class FileSizeLimitWriterMain {

    private FileSizeLimitWriterMain() {}

    static JournalEntry big(long i) {
        return JournalEntry.fromSet("/big/" + (i % 20), Value.of("x".repeat(500) + i), 1, "me",
                1_708_500_000_000_000L + i);
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        Path file = Path.of(args[0]);
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long i = 0;
            boolean failed = false;
            while (!failed && i < 1_000_000) {
                List<CompletableFuture<Long>> futures = new ArrayList<>();
                for (int k = 0; k < 20; k++) {
                    futures.add(journal.append(big(i++)));
                }
                for (CompletableFuture<Long> f : futures) {
                    failed |= !report(out, "append", f);
                }
            }
            for (int k = 0; k < 3; k++) {
                report(out, "after", journal.append(big(i++)));
            }
            out.println("lock " + writeLockState(file));
            report(out, "compact", journal.compact(Long.MAX_VALUE));
            for (int k = 0; k < 3; k++) {
                report(out, "later", journal.append(JournalEntry.fromSet("/later", Value.of(k), 1, "me",
                        1_708_500_000_000_000L)));
            }
            out.println("lock " + writeLockState(file));
        }
        out.println("closed");
    }

    /** Prints {@code <what> ok <result>} or {@code <what> fail <message>}; true on success. */
    private static boolean report(PrintStream out, String what, CompletableFuture<Long> future) {
        try {
            out.println(what + " ok " + future.join());
            return true;
        } catch (CompletionException e) {
            out.println(what + " fail " + e.getCause().getMessage().replace('\n', ' '));
            return false;
        }
    }

    private static String writeLockState(Path file) {
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = other.createStatement()) {
            s.execute("PRAGMA busy_timeout = 0");
            s.execute("BEGIN IMMEDIATE");
            s.execute("ROLLBACK");
            return "free";
        } catch (SQLException e) {
            return "held " + e.getMessage();
        }
    }
}
