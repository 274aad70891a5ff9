package to.clasp.journal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The differential pattern test on a SQLite file and an in-memory SQLite journal. */
class SqliteDifferentialTest extends DifferentialContract {

    @TempDir
    static Path dir;

    private int opened;

    @Override
    protected Map<String, Journal> openJournals() {
        Map<String, Journal> journals = new LinkedHashMap<>();
        journals.put("a file", SqliteJournal.open(dir.resolve("diff" + opened++ + ".db")));
        journals.put("in memory", SqliteJournal.inMemory());
        return journals;
    }
}
