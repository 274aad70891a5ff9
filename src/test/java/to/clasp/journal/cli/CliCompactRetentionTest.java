package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/** compact --older-than: retention by age, never past the newest snapshot; and compact's progress. */
class CliCompactRetentionTest {

    private static final long DAY = 86_400_000_000L;

    @TempDir
    Path dir;

    /**
     * Entries 1..50 stamped ten days ago, 51..100 an hour ago; a snapshot at {@code snapshotAt}
     * (0 for none).
     */
    private Path journal(long snapshotAt) {
        Path file = dir.resolve("j.db");
        long now = System.currentTimeMillis() * 1_000;
        try (SqliteJournal j = SqliteJournal.open(file)) {
            for (int i = 1; i <= 100; i++) {
                long ts = i <= 50 ? now - 10 * DAY + i : now - DAY / 24 + i;
                j.append(JournalEntry.fromSet("/p/" + (i % 7), Value.of(i), i, "s", ts)).join();
                if (i == snapshotAt) {
                    j.snapshot(List.of(new ParamSnapshot("/p/1", Value.of(i), i, "s", ts))).join();
                }
            }
        }
        return file;
    }

    private static List<Long> seqs(Path file) {
        try (SqliteJournal j = SqliteJournal.openReadOnly(file)) {
            return j.since(0, null).join().stream().map(JournalEntry::seq).toList();
        }
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void removesTheEntriesOlderThanTheAgeThatTheSnapshotCovers() {
        Path file = journal(80);
        Cli.Result r = Cli.run("compact", file.toString(), "--older-than", "7d");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("removing the entries with a seq below 51", "removed 50 entries");
        assertThat(seqs(file)).isEqualTo(range(51, 100));
    }

    @Test
    void neverPastWhatTheNewestSnapshotCovers() {
        Path file = journal(30);
        Cli.Result r = Cli.run("compact", file.toString(), "--older-than", "1d12h");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("removed 30 entries");
        assertThat(seqs(file)).isEqualTo(range(31, 100));
    }

    @Test
    void withoutASnapshotNothingIsRemovedAndTheFileIsUnchanged() {
        Path file = journal(0);
        String before = Cli.sha256(file);
        Cli.Result r = Cli.run("compact", file.toString(), "--older-than", "P7D");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("nothing to remove", "no usable snapshot", "not changed");
        assertThat(Cli.sha256(file)).isEqualTo(before);
        assertThat(seqs(file)).isEqualTo(range(1, 100));
    }

    @Test
    void anAgeLongerThanAnyEntryRemovesNothing() {
        Path file = journal(80);
        String before = Cli.sha256(file);
        Cli.Result r = Cli.run("compact", file.toString(), "--older-than", "30d");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("nothing to remove");
        assertThat(Cli.sha256(file)).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "7x", "-1d", "d", "1d-2h", "P-1D", "week", ""})
    void aBadAgeIsAUsageError(String age) {
        Path file = journal(80);
        Cli.Result r = Cli.run("compact", file.toString(), "--older-than", age);
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("is not an age");
        assertThat(seqs(file)).hasSize(100);
    }

    @Test
    void agesReadAsTheySay() {
        Args.Age age = new Args.Age();
        assertThat(age.convert("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(age.convert("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(age.convert("1d12h")).isEqualTo(Duration.ofHours(36));
        assertThat(age.convert("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(age.convert("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(age.convert("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(age.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(age.convert("0s")).isEqualTo(Duration.ZERO);
        assertThat(age.convert("PT12H")).isEqualTo(Duration.ofHours(12));
        assertThat(age.convert(" P7D ")).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> age.convert("1h1")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void olderThanExcludesTheOtherCuts() {
        Path file = journal(80);
        Cli.Result r = Cli.run("compact", file.toString(), "--older-than", "7d", "--keep-last", "5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void aLargeCompactionShowsItsProgress() {
        Path file = dir.resolve("big.db");
        try (SqliteJournal j = SqliteJournal.open(file)) {
            List<java.util.concurrent.CompletableFuture<Long>> seqs = new java.util.ArrayList<>();
            for (int i = 1; i <= 25_000; i++) {
                seqs.add(j.append(JournalEntry.fromSet("/p/" + (i % 50), Value.of(i), i, "s", i)));
            }
            seqs.forEach(java.util.concurrent.CompletableFuture::join);
        }
        Cli.Result r = Cli.run("compact", file.toString(), "--keep-last", "5000");
        assertThat(r.code()).as(r.toString()).isZero();
        // Without a terminal, progress is plain lines on stderr, as for export and import.
        assertThat(r.err()).contains("compact: started (20,000 to do)", "compact: done");
        assertThat(r.out()).contains("removed 20,000 entries");
        assertThat(seqs(file)).isEqualTo(range(20_001, 25_000));
    }
}
