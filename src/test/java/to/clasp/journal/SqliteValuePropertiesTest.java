package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.domains.Domain;

/** Any value and any snapshot survive a file and a reopen unchanged. */
class SqliteValuePropertiesTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @Property(tries = 25)
    @Domain(ValueArbitraries.class)
    void anyValuesRoundTripThroughAReopenedFile(@ForAll @Size(max = 40) List<Value> values,
            @ForAll @Size(max = 5) List<ParamSnapshot> state) {
        Path dir = tempDir();
        try {
            Path file = dir.resolve("p.db");
            List<ParamSnapshot> valid = state.stream()
                    .map(p -> new ParamSnapshot("/" + wellFormed(p.address()), p.value(),
                            Math.abs(p.revision() % 1000), wellFormed(p.writer()), Math.abs(p.timestamp() % 1000)))
                    .toList();
            try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(SqliteTestSupport.key(5)).build()) {
                List<CompletableFuture<Long>> futures = new ArrayList<>();
                for (Value v : values) {
                    futures.add(journal.append(JournalEntry.fromPublish("/p", SignalType.EVENT, v, "w", T0)));
                }
                futures.forEach(CompletableFuture::join);
                journal.snapshot(valid).join();
            }
            try (SqliteJournal journal = SqliteJournal.builder(file).hmacKey(SqliteTestSupport.key(5)).build()) {
                assertThat(journal.since(0, null).join()).extracting(JournalEntry::value)
                        .containsExactlyElementsOf(values);
                assertThat(journal.loadSnapshot().join()).contains(valid);
            }
        } finally {
            delete(dir);
        }
    }

    /** Addresses and writers must be well-formed UTF-16 (values need not be): mend lone surrogates. */
    private static String wellFormed(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.appendCodePoint(
                cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? 0xFFFD : cp));
        return out.toString();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("sqlite-props");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
