package to.clasp.journal.router;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.Journal;
import to.clasp.journal.SqliteJournal;

/**
 * The hook on a SQLite file. A "crash" abandons the journal without closing it and opens the
 * same file again: a record whose future completed was committed to the write-ahead log, which
 * survives the death of the process, so recovery must find it without a clean shutdown.
 */
class SqliteRouterJournalHookTest extends RouterJournalHookContract {

    @TempDir
    Path dir;

    @Override
    protected Journal newJournal() {
        return SqliteJournal.open(dir.resolve("journal.db"));
    }

    @Override
    protected Journal reopen(Journal crashed) {
        return SqliteJournal.open(dir.resolve("journal.db"));
    }
}
