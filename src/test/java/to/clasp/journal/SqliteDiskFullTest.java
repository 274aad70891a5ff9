package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.sqlite.SqliteSchema;
import to.clasp.journal.internal.sqlite.SqliteWriteBackend;

/**
 * The writer survives a full disk: writes that cannot be stored fail, the write lock is not
 * kept, compaction frees space, and writing works again as soon as there is room.
 */
class SqliteDiskFullTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final String PADDING = "x".repeat(500);

    @TempDir
    Path dir;

    // ---- a database at its max_page_count: SQLITE_FULL on any machine ----

    @Test
    void aDatabaseAtItsPageLimitFailsWritesCleanlyAndCompactionMakesRoom() throws Exception {
        Path file = dir.resolve("full.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            SqliteSchema.prepare(c, true, "NORMAL");
            execute(c, "PRAGMA max_page_count = " + (pageCount(c) + 40));
            GroupCommitWriter writer = SqliteWriteBackend.start(c, file, "full.db", null, 64, 3, null, null);
            try {
                long stored = fill(writer::append);
                assertThat(stored).isPositive();

                // Still full: a write fails with the reason, not with a driver state error.
                JournalException.Storage again = assertFails(writer.append(encode("/big", PADDING)),
                        JournalException.Storage.class);
                assertThat(again).hasMessageContaining("SQLITE_FULL").hasMessageContaining("full.db");
                assertWriteLockIsFree(file);

                // Compaction is the way out; then writing goes on with the next seq.
                assertThat(await(writer.compact(stored / 2))).isEqualTo(stored / 2 - 1);
                assertThat(await(writer.append(encode("/big", PADDING)))).isEqualTo(stored + 1);
                assertThat(await(writer.append(encode("/after", "y")))).isEqualTo(stored + 2);
                assertWriteLockIsFree(file);
            } finally {
                writer.close();
                writer.closeStatements();
            }
        }
    }

    @Test
    void aFailedBeginDoesNotWedgeTheWriter() throws Exception {
        Path file = dir.resolve("begin.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            SqliteSchema.prepare(c, true, "NORMAL");
            GroupCommitWriter writer = SqliteWriteBackend.start(c, file, "begin.db", null, 64, 3, null, null);
            try {
                assertThat(await(writer.append(encode("/a", "1")))).isEqualTo(1);
                // A transaction the writer did not start makes its BEGIN fail (SQLITE_ERROR,
                // after which the driver discards the prepared BEGIN).
                execute(c, "BEGIN");
                assertThat(assertFails(writer.append(encode("/a", "2")), JournalException.Storage.class))
                        .hasMessageContaining("begin.db").hasMessageContaining("transaction");
                assertThat(await(writer.append(encode("/a", "3")))).isEqualTo(2);
                assertThat(await(writer.compact(2))).isEqualTo(1);
                assertThat(await(writer.append(encode("/a", "4")))).isEqualTo(3);
                assertWriteLockIsFree(file);
            } finally {
                writer.close();
                writer.closeStatements();
            }
        }
    }

    // ---- a real full file system, where the machine lets the test mount one ----

    @Test
    void aFullFileSystemFailsCommitsWithoutWedgingTheWriterAndCompactionFreesSpace() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("tmpfs"));
        Assumptions.assumeTrue(mountTmpfs(mnt, "1m"),
                "cannot mount a small tmpfs here (needs Linux, root and mount rights); skipped");
        try {
            Path file = mnt.resolve("j.db");
            // Room an operator can free once the disk is full.
            Path ballast = mnt.resolve("ballast");
            Files.write(ballast, new byte[128 * 1024]);
            try (SqliteJournal journal = SqliteJournal.open(file)) {
                long stored = fill(e -> journal.append(JournalEntry.fromSet(e.entry().address(),
                        Value.of(PADDING), 1, "me", T0)));
                assertThat(stored).isPositive();
                // Still full: writes keep failing with the reason (a few may still fit), never
                // with a driver state error.
                stored = Math.max(stored, fill(e -> journal.append(JournalEntry.fromSet(e.entry().address(),
                        Value.of(PADDING), 1, "me", T0))));
                assertWriteLockIsFree(file);
                assertThat(await(journal.latestSeq())).isEqualTo(stored);
                assertThat(await(journal.size())).isEqualTo(stored);

                Files.delete(ballast);
                assertThat(await(journal.compact(stored + 1))).isEqualTo(stored);
                assertThat(Files.size(file) + walSize(file)).isLessThan(128 * 1024);
                assertThat(await(journal.append(JournalEntry.fromSet("/after", Value.of(1), 1, "me", T0))))
                        .isEqualTo(stored + 1);
                long more = fill(e -> journal.append(JournalEntry.fromSet(e.entry().address(),
                        Value.of(PADDING), 1, "me", T0)));
                assertThat(more).isGreaterThan(stored);
                assertWriteLockIsFree(file);
            }
        } finally {
            unmount(mnt);
        }
    }

    // ---- a file-size limit: the same failures on any Unix, without privileges ----

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aFileSizeLimitFailsCommitsWithoutWedgingTheWriterAndCompactionMakesRoom() throws Exception {
        Path sh = Path.of("/bin/sh");
        Assumptions.assumeTrue(Files.isExecutable(sh), "needs /bin/sh for ulimit; skipped");
        Path file = dir.resolve("limited.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // POSIX ulimit -f counts 512-byte blocks: 2 MiB per file, room for the driver's native
        // library, and a WAL and a file that fill within a second.
        Process child = new ProcessBuilder(sh.toString(), "-c",
                "ulimit -f 4096 && exec \"$0\" -XX:-UsePerfData -cp \"$1\" \"$2\" \"$3\"",
                java, System.getProperty("java.class.path"), FileSizeLimitWriterMain.class.getName(),
                file.toString())
                .redirectErrorStream(true).start();
        List<String> lines;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            lines = out.lines().toList();
        } finally {
            child.waitFor(60, TimeUnit.SECONDS);
            child.destroyForcibly();
        }
        assertThat(lines).as("the writer's report").contains("closed");
        List<String> appends = lines.stream().filter(l -> l.startsWith("append ")).toList();
        // The writer stops after the round of 20 in which an append failed. Every append before
        // the first failure succeeded; within that round, a later group may commit again, once
        // the checkpointer has copied the WAL into the file and the WAL starts over.
        int firstFailure = appends.indexOf(appends.stream().filter(l -> l.startsWith("append fail"))
                .findFirst().orElseThrow(() -> new AssertionError("no append failed: " + appends)));
        assertThat(appends.get(firstFailure)).contains(file.toString()).contains("commit failed");
        assertThat(appends.subList(0, firstFailure)).allMatch(l -> l.startsWith("append ok "));
        assertThat(appends.size() - firstFailure).isLessThanOrEqualTo(20);
        assertThat(appends.subList(firstFailure, appends.size()))
                .allMatch(l -> l.startsWith("append ok ") || l.contains("commit failed"));
        long acknowledged = appends.stream().filter(l -> l.startsWith("append ok ")).count();
        assertThat(acknowledged).isGreaterThan(100);

        // No driver state error, no lock kept; compaction makes room and writing goes on.
        assertThat(lines).noneMatch(l -> l.contains("not executing") || l.contains("within a transaction"));
        assertThat(lines).filteredOn(l -> l.startsWith("after "))
                .hasSize(3).allMatch(l -> l.startsWith("after ok ") || l.contains("commit failed"));
        assertThat(lines).filteredOn(l -> l.startsWith("lock ")).containsExactly("lock free", "lock free");
        long afterOk = lines.stream().filter(l -> l.startsWith("after ok ")).count();
        long stored = acknowledged + afterOk;
        assertThat(lines).contains("compact ok " + stored);
        assertThat(lines).containsSubsequence("later ok " + (stored + 1), "later ok " + (stored + 2),
                "later ok " + (stored + 3));

        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.latestSeq())).isEqualTo(stored + 3);
            assertThat(await(journal.size())).isEqualTo(3);
        }
    }

    // ---- helpers ----

    interface Appender {
        CompletableFuture<Long> append(SqlRows.EncodedEntry entry);
    }

    /**
     * Appends in rounds of 20 until appends fail with SQLITE_FULL; returns the highest seq
     * stored. Only that failure is allowed, and every append before it must have succeeded.
     */
    private static long fill(Appender appender) {
        long highest = 0;
        for (int round = 0; round < 10_000; round++) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(appender.append(encode("/big/" + i, PADDING)));
            }
            boolean full = false;
            for (CompletableFuture<Long> f : futures) {
                try {
                    highest = Math.max(highest, f.get(30, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(JournalException.Storage.class)
                            .hasMessageContaining("SQLITE_FULL");
                    full = true;
                } catch (InterruptedException | TimeoutException e) {
                    throw new AssertionError(e);
                }
            }
            if (full) {
                return highest;
            }
        }
        throw new AssertionError("the database never filled up");
    }

    private static SqlRows.EncodedEntry encode(String address, String text) {
        return SqlRows.encode(JournalEntry.fromSet(address, Value.of(text), 1, "me", T0), null);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long pageCount(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA page_count")) {
            return rs.getLong(1);
        }
    }

    private static long walSize(Path file) throws IOException {
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    /** Another connection can take the write lock at once: the writer holds none between batches. */
    private static void assertWriteLockIsFree(Path file) throws SQLException {
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = other.createStatement()) {
            s.execute("PRAGMA busy_timeout = 0");
            s.execute("BEGIN IMMEDIATE");
            s.execute("ROLLBACK");
        }
    }

    private static boolean mountTmpfs(Path dir, String size) {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void unmount(Path dir) throws Exception {
        Process p = new ProcessBuilder("umount", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            new ProcessBuilder("umount", "-l", dir.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
