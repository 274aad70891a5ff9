package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The option defaults README and {@code docs/} state agree with the code: every builder example
 * line that says {@code // default} and every row of an options table, per backend.
 */
class DocumentedDefaultsTest {

    /** Each backend's options with a default, as the docs write the default. */
    private static final Map<String, Map<String, String>> DEFAULTS = Map.of(
            "SqliteJournal", Map.of(
                    "maxBatchSize", count(SqliteJournal.DEFAULT_MAX_BATCH_SIZE),
                    "snapshotsToKeep", count(SqliteJournal.DEFAULT_SNAPSHOTS_TO_KEEP),
                    "followPollInterval", millis(SqliteJournal.DEFAULT_FOLLOW_POLL_INTERVAL),
                    "memoryMapSize", count(SqliteJournal.DEFAULT_MEMORY_MAP_SIZE),
                    "durability", "NORMAL",
                    "integrityMode", "CHAIN"),
            "PostgresJournal", Map.of(
                    "maxBatchSize", count(PostgresJournal.DEFAULT_MAX_BATCH_SIZE),
                    "snapshotsToKeep", count(PostgresJournal.DEFAULT_SNAPSHOTS_TO_KEEP),
                    "schema", PostgresJournal.DEFAULT_SCHEMA));

    /** {@code .option(argument) // default...} in a builder example. */
    private static final Pattern EXAMPLE = Pattern.compile("^\\s*\\.(\\w+)\\((.*)\\)\\s*//\\s*default\\b(.*)$");
    /** A row of an options table: {@code | `option(x)` | default | meaning |}. */
    private static final Pattern TABLE_ROW = Pattern.compile("^\\|\\s*`(\\w+)\\([^)]*\\)`\\s*\\|\\s*([^|]+?)\\s*\\|");
    private static final Pattern NUMBER = Pattern.compile("\\d[\\d,_]*(?:L?\\s*<<\\s*\\d+)?");

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }

    /** A number as the docs write it ({@code 16_384}, {@code 16,384}, {@code 256L << 20}) in the {@code %,d} form. */
    private static String normalized(String number) {
        String n = number.replace("_", "").replace(",", "").replace(" ", "");
        if (n.contains("<<")) {
            String[] parts = n.split("<<");
            return count(Long.parseLong(parts[0].replace("L", "")) << Integer.parseInt(parts[1]));
        }
        return count(Long.parseLong(n.replace("L", "")));
    }

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        Path readme = Path.of("README.md");
        assertThat(readme).exists();
        docs.add(readme);
        Path dir = Path.of("docs");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
            }
        }
        return docs;
    }

    @Test
    void everyStatedDefaultIsTheCodes() throws IOException {
        int checked = 0;
        for (Path doc : documents()) {
            String backend = null;      // whose builder the current code block shows
            String sectionBackend = null; // whose storage the current section describes
            int sectionLevel = 0;         // the level of the heading that named it
            for (String line : Files.readAllLines(doc)) {
                if (line.startsWith("#")) {
                    // A heading naming a backend starts its section (a page's title covers the page); a
                    // heading at the same level or above that names none ends it.
                    int level = line.indexOf(' ') < 0 ? line.length() : line.indexOf(' ');
                    String named = line.contains("PostgreSQL") ? "PostgresJournal"
                            : line.contains("SQLite") ? "SqliteJournal" : null;
                    if (named != null) {
                        sectionBackend = named;
                        sectionLevel = level;
                    } else if (level <= sectionLevel) {
                        sectionBackend = null;
                    }
                }
                Matcher builder = Pattern.compile("(SqliteJournal|PostgresJournal)\\.builder\\(").matcher(line);
                if (builder.find()) {
                    backend = builder.group(1);
                }
                if (line.startsWith("```")) {
                    backend = null;
                }
                Matcher example = EXAMPLE.matcher(line);
                if (example.matches() && backend != null && DEFAULTS.get(backend).containsKey(example.group(1))) {
                    String expected = DEFAULTS.get(backend).get(example.group(1));
                    String comment = example.group(3).strip();
                    String stated = comment.startsWith(";") || comment.isEmpty() ? example.group(2) : comment;
                    assertThat(statedDefault(stated, expected))
                            .as("%s: %s says the default of %s's %s is '%s'", doc, line.strip(), backend,
                                    example.group(1), stated)
                            .isEqualTo(expected);
                    checked++;
                }
                Matcher row = TABLE_ROW.matcher(line);
                if (row.find() && sectionBackend != null && DEFAULTS.get(sectionBackend).containsKey(row.group(1))) {
                    String expected = DEFAULTS.get(sectionBackend).get(row.group(1));
                    assertThat(statedDefault(row.group(2), expected))
                            .as("%s: %s states the default of %s's %s", doc, line, sectionBackend, row.group(1))
                            .isEqualTo(expected);
                    checked++;
                }
            }
        }
        // The SQLite builder example has five, PostgreSQL's three, and its options table three.
        assertThat(checked).as("defaults found in the docs").isGreaterThanOrEqualTo(11);
    }

    /** What a piece of the docs gives as a default, in the form {@code expected} has. */
    private static String statedDefault(String stated, String expected) {
        String s = stated.strip().replace("`", "").replace("\"", "");
        if (expected.endsWith(" ms")) {
            Matcher m = Pattern.compile("Duration\\.ofMillis\\((\\d+)\\)|(\\d+)\\s*ms").matcher(s);
            return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) + " ms" : s;
        }
        if (Character.isDigit(expected.charAt(0))) {
            Matcher m = NUMBER.matcher(s);
            return m.find() ? normalized(m.group()) : s;
        }
        Matcher word = Pattern.compile("[A-Za-z_][\\w.]*").matcher(s);
        String last = s;
        while (word.find()) {
            last = word.group();
            if (last.equals(expected) || last.endsWith("." + expected)) {
                return expected;
            }
        }
        return last;
    }
}
