package to.clasp.journal.router;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.Journal;
import to.clasp.journal.SqliteJournal;

/** The shared-journal cluster on one SQLite file, each writer with a {@link SqliteJournal} of its own. */
class SqliteSharedFileClusterTest extends SharedJournalClusterContract {

    @TempDir
    Path dir;

    @Override
    protected Journal openShared() {
        return SqliteJournal.open(dir.resolve("shared.db"));
    }
}
