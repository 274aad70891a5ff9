package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/tool.md's "state" section that run on the Rust crate's fixture are what
 * the tool prints: each {@code $ clasp-journal ...} line is run, and its stdout and stderr must be
 * the lines that follow it ({@code $ echo $?} the exit code before).
 */
class CliStateDocsTest {

    @TempDir
    Path dir;

    @Test
    void theFixtureExamplesAreTheToolsOutput() throws Exception {
        List<String> doc = Files.readAllLines(Path.of("docs", "tool.md"));
        int start = doc.indexOf("## state");
        int end = doc.indexOf("## diff");
        assertThat(start).as("docs/tool.md has a state section before diff").isPositive().isLessThan(end);
        Path fixture = Cli.fixture("journal.db", dir);
        int commands = 0;
        List<String> block = null;
        for (String line : doc.subList(start, end)) {
            if (line.equals("```text")) {
                block = new ArrayList<>();
            } else if (line.equals("```") && block != null) {
                if (block.get(0).startsWith("$ clasp-journal ") && block.get(0).contains(" journal.db ")) {
                    commands += check(block, fixture);
                }
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        assertThat(commands).as("commands checked").isGreaterThanOrEqualTo(6);
    }

    /** Runs each command of the block and compares; returns how many ran. */
    private static int check(List<String> block, Path fixture) {
        int ran = 0;
        Cli.Result last = null;
        for (int i = 0; i < block.size(); i++) {
            String line = block.get(i);
            if (!line.startsWith("$ ")) {
                continue;
            }
            List<String> expected = new ArrayList<>();
            for (int k = i + 1; k < block.size() && !block.get(k).startsWith("$ "); k++) {
                expected.add(block.get(k));
            }
            while (!expected.isEmpty() && expected.get(expected.size() - 1).isEmpty()) {
                expected.remove(expected.size() - 1);
            }
            if (line.equals("$ echo $?")) {
                assertThat(last).as("an exit code follows a command").isNotNull();
                assertThat(expected).as(line + " after " + last).containsExactly(Integer.toString(last.code()));
                continue;
            }
            List<String> args = words(line.substring("$ clasp-journal ".length()));
            args.replaceAll(a -> a.equals("journal.db") ? fixture.toString() : a);
            last = Cli.run(args.toArray(new String[0]));
            String printed = (last.out() + last.err()).replace(fixture.toString(), "journal.db");
            assertThat(printed.lines().toList()).as(line + "\n" + last).containsExactlyElementsOf(expected);
            ran++;
        }
        return ran;
    }

    /** The words of a command line: split at spaces, single quotes kept together. */
    private static List<String> words(String commandLine) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        for (char c : commandLine.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words;
    }
}
