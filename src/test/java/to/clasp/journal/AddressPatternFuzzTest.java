package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The 150,000 random pairs of {@code shared/conformance/glob-fuzz.tsv}, each answered by the
 * {@code glob-match} 0.2.1 crate itself. Each test runs every row and reports every row that
 * disagrees, so one failure shows the whole damage.
 */
class AddressPatternFuzzTest {

    /** Where CI lays out the shared data: beside the clone, seen from the project directory. */
    static final Path FUZZ_FILE = Path.of("..", "shared", "conformance", "glob-fuzz.tsv");

    private static List<Row> cached;

    /** One judged pair; {@code line} is its line number in the file. */
    record Row(int line, String pattern, String path, boolean expected) {
        @Override
        public String toString() {
            return "line " + line + ": '" + pattern + "' vs '" + path + "' should be " + expected;
        }
    }

    /** Reads the file once per test run; fails with the path if the file is missing or malformed. */
    static synchronized List<Row> rows() {
        if (cached != null) {
            return cached;
        }
        assertThat(FUZZ_FILE).as("the crate's fuzz answers (a checkout of shared/ beside the project)")
                .isRegularFile();
        List<String> lines;
        try {
            lines = Files.readAllLines(FUZZ_FILE, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Row> rows = new ArrayList<>(150_000);
        boolean header = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            assertThat(fields).as("line %d of %s", i + 1, FUZZ_FILE).hasSize(3);
            if (!header) {
                assertThat(fields).as("header of %s", FUZZ_FILE).containsExactly("pattern", "path", "expected");
                header = true;
                continue;
            }
            assertThat(fields[2]).as("line %d of %s", i + 1, FUZZ_FILE).isIn("true", "false");
            rows.add(new Row(i + 1, fields[0], fields[1], fields[2].equals("true")));
        }
        assertThat(rows).as("rows of %s", FUZZ_FILE).hasSize(150_000);
        cached = List.copyOf(rows);
        return cached;
    }

    @Test
    void everyRowThroughTheOneShotMatcher() {
        List<Row> failures = new ArrayList<>();
        for (Row row : rows()) {
            if (AddressPattern.matches(row.pattern(), row.path()) != row.expected()) {
                failures.add(row);
            }
        }
        assertThat(failures).as("rows where AddressPattern.matches(p, a) disagrees with the crate").isEmpty();
    }

    @Test
    void everyRowThroughACompiledPattern() {
        Map<String, AddressPattern> compiled = new HashMap<>();
        List<Row> failures = new ArrayList<>();
        int matched = 0;
        for (Row row : rows()) {
            AddressPattern pattern = compiled.computeIfAbsent(row.pattern(), AddressPattern::compile);
            boolean answer = pattern.matches(row.path());
            if (answer != row.expected() || pattern.cutShort(row.path())) {
                failures.add(row);
            }
            matched += answer ? 1 : 0;
        }
        assertThat(failures).as("rows where a compiled pattern disagrees with the crate or hits the step bound")
                .isEmpty();
        // Reused patterns are where compiled state could leak from one address to the next.
        assertThat(compiled.size()).isLessThan(rows().size());
        assertThat(matched).as("rows that match").isGreaterThan(40_000);
    }
}
