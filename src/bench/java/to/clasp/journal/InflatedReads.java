package to.clasp.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code since(latest - 1000)} on a 1,000,000-entry file, read by journals whose read
 * connections' monitors HotSpot inflated (as a deoptimization during warm-up does), beside one
 * opened after warm-up, all in one JVM and in alternating slices, so that the machine's noise
 * hits all three alike:
 *
 * <ul>
 *   <li>{@code steady}: opened after warm-up, its monitors thin (the state of a long-running router);
 *   <li>{@code inflated, unchecked}: the monitors inflated, and the pool's speed check off (the
 *       library before the check; the monitors are inflated again before each of its slices, as
 *       they stay until HotSpot deflates them);
 *   <li>{@code inflated, checked}: the monitors inflated once, with the pool's speed check on
 *       (the library now): it replaces a connection it finds slow.
 *   <li>{@code writable, inflated}: a journal opened for writing, as a router's is, its monitors
 *       inflated before each slice and the check off: it answers from the entries it keeps in
 *       memory, after one statement on the read connection.
 * </ul>
 *
 * <p>The first three are read-only, so they read the rows: the figures of the read path itself.
 *
 * <p>The monitors are inflated on purpose, by a {@code wait} on each connection's native handle,
 * which is what HotSpot does to a monitor it must hand to the interpreter. Not JMH: the state
 * under test is made by hand and lasts only until the next deflation. Run it with
 * {@code -Dbench.args="InflatedReads"}.
 */
public final class InflatedReads {

    private static final int ENTRIES = 1_000_000;
    private static final int SLICES = 30;
    private static final long SLICE_NANOS = 400_000_000L;

    private InflatedReads() {}

    public static void run() throws Exception {
        Path dir = Files.createTempDirectory("clasp-inflated");
        Path file = dir.resolve("reads.db");
        try {
            build(file);
            try (SqliteJournal unchecked = SqliteJournal.openReadOnly(file);
                    SqliteJournal checked = SqliteJournal.openReadOnly(file)) {
                unchecked.readers().watching(false);
                long latest = unchecked.latestSeq().join();
                // Warm-up: the JIT compiles the read path on both.
                warm(unchecked, latest, 6_000);
                warm(checked, latest, 1_500);
                inflate(unchecked);
                inflate(checked);
                try (SqliteJournal steady = SqliteJournal.openReadOnly(file);
                        SqliteJournal writable = SqliteJournal.open(file)) {
                    steady.readers().watching(false);
                    writable.readers().watching(false);
                    warm(steady, latest, 3_000);
                    warm(writable, latest, 3_000);
                    List<List<Long>> times = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                            new ArrayList<>());
                    SqliteJournal[] journals = {steady, unchecked, checked, writable};
                    for (int slice = 0; slice < SLICES; slice++) {
                        for (int j = 0; j < journals.length; j++) {
                            int which = (slice + j) % journals.length;
                            if (which == 1 || which == 3) {
                                inflate(journals[which]); // it stays so until HotSpot deflates it
                            }
                            times.get(which).add(slice(journals[which], latest));
                        }
                    }
                    String[] names = {"steady (opened after warm-up)", "inflated, unchecked (before)",
                        "inflated, checked (now)", "writable, inflated (kept entries)"};
                    System.out.printf(Locale.ROOT, "%nsince(latest - 1000) on a %,d-entry file, %d slices of %d ms each:%n",
                            ENTRIES, SLICES, SLICE_NANOS / 1_000_000);
                    double base = median(times.get(0));
                    for (int j = 0; j < names.length; j++) {
                        double m = median(times.get(j));
                        System.out.printf(Locale.ROOT, "  %-34s %8.4f ms   %.3fx of steady%n", names[j], m / 1e6, m / base);
                    }
                    System.out.printf(Locale.ROOT, "  connections the check replaced: %d (unchecked: %d)%n",
                            checked.readers().replacedForSpeed(), unchecked.readers().replacedForSpeed());
                }
            }
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(dir.resolve("reads.db" + suffix));
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void build(Path file) {
        try (SqliteJournal j = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> pending = new ArrayList<>();
            for (int i = 0; i < ENTRIES; i++) {
                pending.add(j.append(JournalEntry.fromSet("/bench/room" + (i % 100) + "/param" + ((i / 100) % 10),
                        Value.of((double) i), i + 1, "s1", 1_700_000_000_000_000L + i)));
                if (pending.size() == 10_000) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
            pending.forEach(CompletableFuture::join);
        }
    }

    private static void warm(SqliteJournal j, long latest, int reads) {
        for (int i = 0; i < reads; i++) {
            j.since(latest - 1000, null).join();
        }
    }

    /** The median time of one read over a slice, in nanoseconds. */
    private static long slice(SqliteJournal j, long latest) {
        List<Long> each = new ArrayList<>();
        long end = System.nanoTime() + SLICE_NANOS;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            List<JournalEntry> got = j.since(latest - 1000, null).join();
            each.add(System.nanoTime() - t);
            if (got.size() != 1000) {
                throw new IllegalStateException("read " + got.size() + " entries");
            }
        }
        return (long) median(each);
    }

    /** Inflates the monitor of every idle read connection's native handle, as a deoptimization would. */
    private static void inflate(SqliteJournal j) {
        j.readers().forEachIdle(InflatedReads::inflate);
    }

    private static void inflate(Connection c) {
        try {
            Object handle = c.unwrap(org.sqlite.SQLiteConnection.class).getDatabase();
            synchronized (handle) {
                handle.wait(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        return v.length == 0 ? 0 : v[v.length / 2];
    }
}
