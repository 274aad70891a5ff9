package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.sha256;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal file deleted, moved or replaced while open: appends must fail, naming the file,
 * instead of being acknowledged into a file that is no longer at its path.
 */
class SqliteLostFileTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private static JournalEntry entry(long i) {
        return JournalEntry.fromSet("/lost/" + i, Value.of(i), i, "me", T0 + i);
    }

    /** Appends three entries, does {@code change} to the file, and checks that writing fails. */
    private void assertWritesFailAfter(Path file, FileChange change) throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            for (long i = 1; i <= 3; i++) {
                assertThat(await(journal.append(entry(i)))).isEqualTo(i);
            }
            change.apply(file);

            for (long i = 4; i <= 6; i++) {
                JournalException.Storage failure = assertFails(journal.append(entry(i)),
                        JournalException.Storage.class);
                assertThat(failure).hasMessageContaining(file.toAbsolutePath().toString())
                        .hasMessageContaining("deleted, moved or replaced");
            }
            assertFails(journal.snapshot(List.of()), JournalException.Storage.class);
            assertFails(journal.compact(2), JournalException.Storage.class);
        }
    }

    interface FileChange {
        void apply(Path file) throws Exception;
    }

    @Test
    void appendsFailOnceTheFileIsDeleted() throws Exception {
        Path file = dir.resolve("j.db");
        assertWritesFailAfter(file, Files::delete);

        // Nothing was acknowledged that a new journal at this path lacks.
        try (SqliteJournal reopened = SqliteJournal.open(file)) {
            assertThat(await(reopened.latestSeq())).isZero();
        }
    }

    @Test
    void appendsFailOnceTheFileIsMovedAway() throws Exception {
        Path file = dir.resolve("j.db");
        Path moved = dir.resolve("moved.db");
        assertWritesFailAfter(file, f -> Files.move(f, moved));
        assertThat(file).doesNotExist();
        // What was acknowledged went with the file, WAL included; what failed was not written.
        try (SqliteJournal reopened = SqliteJournal.open(moved)) {
            assertThat(await(reopened.since(0, null))).containsExactly(
                    entry(1).withSeq(1), entry(2).withSeq(2), entry(3).withSeq(3));
        }
    }

    @Test
    void appendsFailOnceTheFileIsReplacedAndTheReplacementIsLeftAlone() throws Exception {
        Path file = dir.resolve("j.db");
        Path other = dir.resolve("other.db");
        try (SqliteJournal journal = SqliteJournal.open(other)) {
            await(journal.append(entry(100)));
        }
        String replacement = sha256(other);
        assertWritesFailAfter(file, f -> Files.move(other, f, StandardCopyOption.REPLACE_EXISTING));

        assertThat(sha256(file)).isEqualTo(replacement);
        try (SqliteJournal reopened = SqliteJournal.open(file)) {
            assertThat(await(reopened.since(0, null))).containsExactly(entry(100).withSeq(1));
        }
    }

    @Test
    void anUntouchedFileKeepsWorking() throws Exception {
        Path file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            for (long i = 1; i <= 50; i++) {
                assertThat(await(journal.append(entry(i)))).isEqualTo(i);
            }
            assertThat(await(journal.compact(10))).isEqualTo(9);
        }
    }
}
