package to.clasp.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Reactive Streams TCK against {@link SqliteJournal#follow} on a file. */
public class SqliteFileFollowTckTest extends FollowTck {

    public SqliteFileFollowTckTest() {
        super(SqliteJournal.open(tempFile()));
    }

    private static Path tempFile() {
        try {
            Path dir = Files.createTempDirectory("clasp-journal-tck");
            dir.toFile().deleteOnExit();
            return dir.resolve("journal.db");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
