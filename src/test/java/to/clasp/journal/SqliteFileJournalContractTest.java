package to.clasp.journal;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract, run against a {@link SqliteJournal} file. */
class SqliteFileJournalContractTest extends JournalContract {

    @TempDir
    Path dir;

    @Override
    protected Journal newJournal() {
        return SqliteJournal.open(dir.resolve("journal.db"));
    }
}
