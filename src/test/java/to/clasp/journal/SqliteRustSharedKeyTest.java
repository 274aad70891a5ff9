package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.sql.EntryMac;
import to.clasp.journal.internal.codec.RustJson;

/**
 * A file this library signed, to which the Rust crate then appended with the same key, took a
 * snapshot and compacted ({@code shared/fixtures/rust-keyed-shared}, see its README): read with
 * {@link IntegrityMode#ROW} it gives what the Rust crate read; {@link IntegrityMode#CHAIN} refuses
 * it and says which mode reads it.
 */
class SqliteRustSharedKeyTest {

    /** Where CI lays out the shared data: beside the clone, seen from the project directory. */
    static final Path FIXTURE = Path.of("..", "shared", "fixtures", "rust-keyed-shared");

    private static final long FIRST_RUST_SEQ = 65;
    private static final long LAST_SEQ = 92;

    @TempDir
    Path dir;

    private Path copy() throws IOException {
        assertThat(FIXTURE.resolve("journal.db")).as("the shared fixture (a checkout of shared/ beside the project)")
                .isRegularFile();
        Path file = dir.resolve("journal.db");
        Files.copy(FIXTURE.resolve("journal.db"), file);
        return file;
    }

    private static RustReadback rust() {
        return RustReadback.parse(FIXTURE.resolve("rust-readback-key42.txt"));
    }

    private static SqliteJournal open(Path file, IntegrityMode mode) {
        return SqliteJournal.builder(file).hmacKey(key(42)).integrityMode(mode).build();
    }

    /** The seqs whose row holds an exact value, which this library reads instead of value_json. */
    private static Set<Long> exactRows(Path file) throws SQLException {
        Set<Long> seqs = new HashSet<>();
        try (Connection c = jdbc(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq FROM journal_entries WHERE value_exact IS NOT NULL")) {
            while (rs.next()) {
                seqs.add(rs.getLong(1));
            }
        }
        return seqs;
    }

    /**
     * The entry as the Rust crate sees it: it reads value_json only, so where this library keeps
     * an exact value (NaN, infinities, bytes) the Rust crate reads that value's JSON form.
     */
    private static JournalEntry asRustReadsIt(JournalEntry e, Set<Long> exact) {
        if (!exact.contains(e.seq())) {
            return e;
        }
        return new JournalEntry(e.seq(), e.timestamp(), e.author(), e.address(), e.signalType(),
                RustJson.fromJson(RustJson.toJson(e.value())), e.revision(), e.msgType());
    }

    @Test
    void rowModeReadsWhatTheRustCrateRead() throws Exception {
        Path file = copy();
        RustReadback rust = rust();
        assertThat(rust.entries()).hasSize(83);
        Set<Long> exact = exactRows(file);
        assertThat(exact).as("rows this library wrote with an exact value").isNotEmpty()
                .allMatch(seq -> seq < FIRST_RUST_SEQ);
        try (SqliteJournal journal = open(file, IntegrityMode.ROW)) {
            assertThat(await(journal.size())).isEqualTo(rust.len());
            assertThat(await(journal.latestSeq())).isEqualTo(rust.latestSeq());
            List<JournalEntry> all = await(journal.query(JournalQuery.of("/**")));
            assertThat(all).hasSameSizeAs(rust.entries());
            for (int i = 0; i < all.size(); i++) {
                JournalEntry ours = all.get(i);
                JournalEntry theirs = rust.entries().get(i);
                JournalEntry seen = asRustReadsIt(ours, exact);
                assertThat(seen.seq()).as("entry %d: seq", i).isEqualTo(theirs.seq());
                assertThat(seen.timestamp()).as("seq %d: timestamp", theirs.seq()).isEqualTo(theirs.timestamp());
                assertThat(seen.author()).as("seq %d: author", theirs.seq()).isEqualTo(theirs.author());
                assertThat(seen.address()).as("seq %d: address", theirs.seq()).isEqualTo(theirs.address());
                assertThat(seen.signalType()).as("seq %d: signal type", theirs.seq()).isEqualTo(theirs.signalType());
                assertThat(seen.revision()).as("seq %d: revision", theirs.seq()).isEqualTo(theirs.revision());
                assertThat(seen.msgType()).as("seq %d: msg type", theirs.seq()).isEqualTo(theirs.msgType());
                assertThat(seen.value()).as("seq %d: value", theirs.seq()).isEqualTo(theirs.value());
            }
            // The Rust crate's own rows carry no exact value: they read exactly, not through JSON.
            assertThat(all.subList(all.size() - 28, all.size()))
                    .containsExactlyElementsOf(rust.entries().subList(55, 83));
            assertThat(seqs(await(journal.since(0, null)))).containsExactlyElementsOf(rust.sinceSeqs());
            assertThat(await(journal.since(0, null))).isEqualTo(all);
            assertThat(await(journal.loadSnapshot())).contains(rust.params());
            Snapshot latest = await(journal.latestSnapshot()).orElseThrow();
            assertThat(latest.seq()).isEqualTo(LAST_SEQ);
            assertThat(latest.params()).containsExactlyElementsOf(rust.params());
            assertThat(await(journal.verifyIntegrity())).isEqualTo(83);
        }
    }

    @Test
    void rowModeAcceptsAnAppendAndTheFileStillReads() throws Exception {
        Path file = copy();
        JournalEntry added = JournalEntry.fromSet("/java/after-rust", Value.of(2.5), 7, "java", 1_900_000_001_000_000L);
        try (SqliteJournal journal = open(file, IntegrityMode.ROW)) {
            assertThat(await(journal.append(added))).isEqualTo(LAST_SEQ + 1);
            List<JournalEntry> all = await(journal.since(0, null));
            assertThat(all).hasSize(84);
            assertThat(all.get(83)).isEqualTo(added.withSeq(LAST_SEQ + 1));
        }
        // Reopened, the whole file, the new entry included, verifies in ROW mode.
        try (SqliteJournal journal = open(file, IntegrityMode.ROW)) {
            assertThat(await(journal.verifyIntegrity())).isEqualTo(84);
            assertThat(seqs(await(journal.since(LAST_SEQ - 1, null)))).containsExactly(LAST_SEQ, LAST_SEQ + 1);
        }
        // The new row carries the Rust crate's hmac, so the Rust crate verifies it too.
        try (Connection c = jdbc(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT hmac FROM journal_entries WHERE seq = 93")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(new EntryMac(key(42)).rowMac("/java/after-rust", "2.5",
                    1_900_000_001_000_000L));
        }
    }

    @Test
    void rowModeCompactsAfterTheRustCrateAndKeepsReading() throws Exception {
        Path file = copy();
        try (SqliteJournal journal = open(file, IntegrityMode.ROW)) {
            assertThat(await(journal.compact(70))).isEqualTo(60);
            assertThat(seqs(await(journal.since(0, null)))).containsExactlyElementsOf(
                    LongStream.rangeClosed(70, LAST_SEQ).boxed().toList());
            assertThat(await(journal.append(JournalEntry.fromSet("/java/x", Value.of(1), 1, "java", 2L))))
                    .isEqualTo(LAST_SEQ + 1);
            assertThat(await(journal.verifyIntegrity())).isEqualTo(24);
        }
    }

    @Test
    void rowModeFindsAnEditOfEveryRustRowsAddressValueOrTimestamp() throws Exception {
        Path file = copy();
        try (SqliteJournal journal = open(file, IntegrityMode.ROW); Connection c = jdbc(file)) {
            for (long seq : LongStream.rangeClosed(FIRST_RUST_SEQ, LAST_SEQ).toArray()) {
                for (String column : List.of("address", "value_json", "timestamp")) {
                    Object original;
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT " + column + " FROM journal_entries WHERE seq = ?")) {
                        ps.setLong(1, seq);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            original = rs.getObject(1);
                        }
                    }
                    Object edited = switch (column) {
                        case "address" -> original + "x";
                        case "value_json" -> "0".equals(original) ? "1" : "0";
                        default -> ((Number) original).longValue() + 1;
                    };
                    set(c, column, edited, seq);
                    String what = "seq " + seq + ", " + column + " edited";
                    assertThat(assertFails(journal.query(JournalQuery.of("/**")), JournalException.Integrity.class)
                            .seq()).as(what).isEqualTo(seq);
                    assertThat(assertFails(journal.since(seq - 1, 1), JournalException.Integrity.class).seq())
                            .as(what).isEqualTo(seq);
                    assertThat(assertFails(journal.verifyIntegrity(), JournalException.Integrity.class).seq())
                            .as(what).isEqualTo(seq);
                    set(c, column, original, seq);
                }
            }
            assertThat(await(journal.verifyIntegrity())).isEqualTo(83);
        }
    }

    @Test
    void rowModeFindsAnEditOfAnExactValueThisLibraryWrote() throws Exception {
        Path file = copy();
        long seq = exactRows(file).stream().mapToLong(Long::longValue).min().orElseThrow();
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE journal_entries SET value_exact = x'f93e00' WHERE seq = " + seq);
        }
        try (SqliteJournal journal = open(file, IntegrityMode.ROW)) {
            assertThat(assertFails(journal.query(JournalQuery.of("/**")), JournalException.Integrity.class).seq())
                    .isEqualTo(seq);
        }
    }

    @Test
    void chainModeRefusesTheFileAndNamesRowMode() throws Exception {
        Path file = copy();
        try (SqliteJournal journal = open(file, IntegrityMode.CHAIN)) {
            JournalException.Integrity failure = assertFails(journal.query(JournalQuery.of("/**")),
                    JournalException.Integrity.class);
            assertThat(failure.seq()).isEqualTo(10);
            assertThat(failure.getMessage()).contains("the entry before it (seq 9) is missing")
                    .contains("from seq 65 on").contains("the Rust crate").contains("IntegrityMode.ROW");
            assertThat(assertFails(journal.since(80, null), JournalException.Integrity.class).getMessage())
                    .contains("IntegrityMode.ROW");
            assertThat(assertFails(journal.latestSnapshot(), JournalException.Snapshot.class).getMessage())
                    .contains("IntegrityMode.ROW");
        }
        // The default is CHAIN.
        try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(key(42)).build()) {
            assertThat(assertFails(journal.verifyIntegrity(), JournalException.Integrity.class).getMessage())
                    .contains("IntegrityMode.ROW");
        }
    }

    @Test
    void chainModeFailuresInAFileOnlyThisLibraryWroteDoNotMentionTheRustCrate() throws Exception {
        Path file = dir.resolve("ours.db");
        try (SqliteJournal journal = open(file, IntegrityMode.CHAIN)) {
            for (int i = 0; i < 3; i++) {
                await(journal.append(JournalEntry.fromSet("/a", Value.of(i), i + 1, "me", 1_000 + i)));
            }
        }
        try (Connection c = jdbc(file); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM journal_entries WHERE seq = 2");
        }
        try (SqliteJournal journal = open(file, IntegrityMode.CHAIN)) {
            JournalException.Integrity failure = assertFails(journal.since(0, null), JournalException.Integrity.class);
            assertThat(failure.seq()).isEqualTo(3);
            assertThat(failure.getMessage()).doesNotContain("Rust").doesNotContain("IntegrityMode");
        }
    }

    @Test
    void integrityModeRejectsNull() {
        SqliteJournal.Builder builder = SqliteJournal.builder(dir.resolve("x.db"));
        assertThatThrownBy(() -> builder.integrityMode(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("integrityMode");
    }

    private static void set(Connection c, String column, Object value, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE journal_entries SET " + column + " = ? WHERE seq = ?")) {
            ps.setObject(1, value);
            ps.setLong(2, seq);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }
}
