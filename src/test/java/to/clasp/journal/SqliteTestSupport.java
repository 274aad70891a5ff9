package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/** Helpers shared by the SQLite tests. */
final class SqliteTestSupport {

    static final Duration WAIT = Duration.ofSeconds(30);

    private SqliteTestSupport() {}

    /** Copies a fixture from the test resources into {@code dir} (WAL needs a writable directory). */
    static Path copyFixture(String name, Path dir) {
        Path target = dir.resolve(name);
        try (InputStream in = SqliteTestSupport.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            Files.copy(in, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plain JDBC connection to a file, bypassing the journal. */
    static Connection jdbc(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    static <T> T await(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(WAIT);
        return future.join();
    }

    static <E extends JournalException> E assertFails(CompletableFuture<?> future, Class<E> type) {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        assertThat(future).failsWithin(WAIT).withThrowableThat()
                .satisfies(t -> cause.set(t.getCause()))
                .havingCause().isInstanceOf(type);
        return type.cast(cause.get());
    }

    static List<Long> seqs(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::seq).toList();
    }

    static byte[] key(int b) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) b);
        return key;
    }
}
