package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in README.md and {@code docs/} is code that a test compiles and runs: the code
 * lines of each {@code ```java} block (blank lines, comments and surrounding whitespace aside)
 * appear, in order, as lines of one file under {@code src/test/java}. A block that cannot run (it
 * needs a server, say) is marked by a line {@code <!-- not-compiled: reason -->} right before its
 * fence, and only those are skipped.
 */
class DocsExamplesTest {

    private static final String MARK = "<!-- not-compiled:";
    /** Blocks marked {@code not-compiled} in all the docs together; keep it small. */
    private static final int MOST_NOT_COMPILED = 5;

    record Block(Path doc, int line, List<String> code, boolean marked) {}

    @Test
    void everyJavaExampleIsCodeATestRuns() throws IOException {
        Map<Path, List<String>> sources = testSources();
        List<Block> blocks = new ArrayList<>();
        for (Path doc : documents()) {
            blocks.addAll(javaBlocks(doc));
        }
        assertThat(blocks).as("```java blocks in README.md and docs/").hasSizeGreaterThan(20);

        List<String> unmirrored = new ArrayList<>();
        int marked = 0;
        for (Block b : blocks) {
            if (b.marked()) {
                marked++;
                continue;
            }
            assertThat(b.code()).as("%s:%d: a java block without code", b.doc(), b.line()).isNotEmpty();
            if (sources.values().stream().noneMatch(lines -> containsInOrder(lines, b.code()))) {
                unmirrored.add(String.format("%s:%d: no file under src/test/java holds this block's code in order;"
                        + " the longest prefix found ends before: %s", b.doc(), b.line(), firstMissing(sources, b.code())));
            }
        }
        assertThat(unmirrored)
                .as("java blocks neither run by a test nor marked '%s reason -->'", MARK)
                .isEmpty();
        assertThat(marked).as("java blocks marked not-compiled").isLessThanOrEqualTo(MOST_NOT_COMPILED);
    }

    @Test
    void codeLinesLoseCommentsAndWhitespaceOnly() {
        assertThat(codeLine("        .schema(\"clasp_journal\")      // default; journals on one schema"))
                .isEqualTo(".schema(\"clasp_journal\")");
        assertThat(codeLine("open(\"jdbc:postgresql://db:5432/ops\", \"clasp\", password); // a URL"))
                .isEqualTo("open(\"jdbc:postgresql://db:5432/ops\", \"clasp\", password);");
        assertThat(codeLine("char c = '\"'; String s = \"a\\\"//b\"; // c")).isEqualTo("char c = '\"'; String s = \"a\\\"//b\";");
        assertThat(codeLine("    // only a comment")).isEmpty();
        assertThat(codeLine("int a = 1; /* inline */ int b = 2;")).isEqualTo("int a = 1; /* inline */ int b = 2;");
        assertThat(containsInOrder(List.of("a", "x", "b", "c"), List.of("a", "b", "c"))).isTrue();
        assertThat(containsInOrder(List.of("b", "a", "c"), List.of("a", "b", "c"))).isFalse();
        assertThat(containsInOrder(List.of("a(); b"), List.of("a();"))).as("whole lines only").isFalse();
    }

    @Test
    void aMarkIsOnlyEverRightBeforeAJavaFence() throws IOException {
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().startsWith(MARK)) {
                    assertThat(lines.get(i).strip())
                            .as("%s:%d: a not-compiled mark gives its reason", doc, i + 1)
                            .matches("<!-- not-compiled: \\S.*-->");
                    assertThat(i + 1 < lines.size() ? lines.get(i + 1).strip() : "")
                            .as("%s:%d: a not-compiled mark is directly followed by a ```java fence", doc, i + 1)
                            .isEqualTo("```java");
                }
            }
        }
    }

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        assertThat(Path.of("README.md")).exists();
        docs.add(Path.of("README.md"));
        Path dir = Path.of("docs");
        assertThat(dir).isDirectory();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    static List<Block> javaBlocks(Path doc) throws IOException {
        List<String> lines = Files.readAllLines(doc);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String fence = lines.get(i).strip();
            if (!fence.startsWith("```")) {
                continue;
            }
            int start = i;
            List<String> code = new ArrayList<>();
            for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                String c = codeLine(lines.get(i));
                if (!c.isEmpty()) {
                    code.add(c);
                }
            }
            assertThat(i).as("%s:%d: an unclosed fence", doc, start + 1).isLessThan(lines.size());
            if (fence.equals("```java")) {
                boolean marked = start > 0 && lines.get(start - 1).strip().startsWith(MARK);
                blocks.add(new Block(doc, start + 1, code, marked));
            }
        }
        return blocks;
    }

    private static Map<Path, List<String>> testSources() throws IOException {
        Map<Path, List<String>> sources = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "test", "java"))) {
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> {
                try {
                    sources.put(f, Files.readAllLines(f).stream().map(DocsExamplesTest::codeLine)
                            .filter(l -> !l.isEmpty()).toList());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        assertThat(sources).as("test sources").isNotEmpty();
        return sources;
    }

    /** A line without its {@code //} comment (outside string and character literals) and surrounding whitespace. */
    static String codeLine(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
                return line.substring(0, i).strip();
            }
        }
        return line.strip();
    }

    /** Whether {@code wanted} is a subsequence of {@code lines}, line for whole line. */
    static boolean containsInOrder(List<String> lines, List<String> wanted) {
        return matchedPrefix(lines, wanted) == wanted.size();
    }

    private static int matchedPrefix(List<String> lines, List<String> wanted) {
        int w = 0;
        for (int i = 0; i < lines.size() && w < wanted.size(); i++) {
            if (lines.get(i).equals(wanted.get(w))) {
                w++;
            }
        }
        return w;
    }

    private static String firstMissing(Map<Path, List<String>> sources, List<String> code) {
        Path best = null;
        int most = -1;
        for (Map.Entry<Path, List<String>> e : sources.entrySet()) {
            int n = matchedPrefix(e.getValue(), code);
            if (n > most) {
                most = n;
                best = e.getKey();
            }
        }
        return "'" + code.get(most) + "' (" + most + " of " + code.size() + " lines in " + best + ")";
    }
}
