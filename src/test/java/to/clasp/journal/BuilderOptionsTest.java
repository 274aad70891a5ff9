package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The options both SQL builders share refuse the same values, with the same messages. */
class BuilderOptionsTest {

    /** The setters both builders have, by name, applied to one builder or the other. */
    private record Setters(String name, Consumer<byte[]> hmacKey, Consumer<Integer> snapshotsToKeep,
            Consumer<Integer> maxBatchSize) {}

    private static List<Setters> builders() {
        // Setters only: neither builder is built, so no file or server is needed.
        return List.of(
                new Setters("SQLite", k -> SqliteJournal.builder(Path.of("unused.db")).hmacKey(k),
                        n -> SqliteJournal.builder(Path.of("unused.db")).snapshotsToKeep(n),
                        n -> SqliteJournal.builder(Path.of("unused.db")).maxBatchSize(n)),
                new Setters("PostgreSQL", k -> PostgresJournal.builder("jdbc:postgresql://unused/db", null, null)
                        .hmacKey(k),
                        n -> PostgresJournal.builder("jdbc:postgresql://unused/db", null, null).snapshotsToKeep(n),
                        n -> PostgresJournal.builder("jdbc:postgresql://unused/db", null, null).maxBatchSize(n)));
    }

    @Test
    void bothBuildersRefuseTheSameValuesWithTheSameMessages() {
        for (Setters b : builders()) {
            assertThatThrownBy(() -> b.hmacKey().accept(new byte[31])).as(b.name())
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an HMAC key must be exactly 32 bytes, got 31");
            assertThatThrownBy(() -> b.snapshotsToKeep().accept(0)).as(b.name())
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("snapshotsToKeep must be at least 1: 0");
            assertThatThrownBy(() -> b.maxBatchSize().accept(0)).as(b.name())
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxBatchSize must be from 1 to 65536: 0");
            assertThatThrownBy(() -> b.maxBatchSize().accept(65_537)).as(b.name())
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxBatchSize must be from 1 to 65536: 65537");
        }
    }

    @Test
    void bothBuildersTakeTheBoundsAndNoKey() {
        for (Setters b : builders()) {
            assertThatCode(() -> {
                b.hmacKey().accept(null);
                b.hmacKey().accept(new byte[32]);
                b.snapshotsToKeep().accept(1);
                b.maxBatchSize().accept(1);
                b.maxBatchSize().accept(SqliteJournal.MAX_BATCH_SIZE);
                b.maxBatchSize().accept(PostgresJournal.MAX_BATCH_SIZE);
            }).as(b.name()).doesNotThrowAnyException();
        }
    }
}
