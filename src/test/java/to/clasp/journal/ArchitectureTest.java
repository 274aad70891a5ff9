package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house rules, read from the main sources' imports, so that a change that breaks one fails
 * the build instead of waiting for a reviewer:
 *
 * <ul>
 *   <li>{@code router}, {@code cli} and {@code micrometer} see only the public API: no internal
 *       package, no database driver, no connection pool;</li>
 *   <li>the core (the API package and the internal packages) never imports {@code router},
 *       {@code cli} or {@code micrometer};</li>
 *   <li>the internal packages never import a backend's public entry point ({@code SqliteJournal},
 *       {@code PostgresJournal}, {@code MemoryJournal}), only the data types nested in it: the
 *       entry points sit above the machinery, not beside it;</li>
 *   <li>{@code MemoryJournal} touches neither JDBC nor a SQL backend;</li>
 *   <li>the internal packages import one another without cycles, and each says in its
 *       {@code package-info} that it is not API;</li>
 *   <li>no main source file is over 1,000 lines.</li>
 * </ul>
 *
 * The API package and the internal packages do refer to each other, by design: the machinery
 * works on the API's data types ({@code JournalEntry}, {@code Value}) and the public entry points
 * are built on the machinery, as {@code HikariDataSource} is on {@code HikariPool}.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final String ROOT = "to.clasp.journal";
    private static final String INTERNAL = ROOT + ".internal";
    private static final Set<String> OUTER = Set.of(ROOT + ".router", ROOT + ".cli", ROOT + ".micrometer");
    private static final Set<String> ENTRY_POINTS = Set.of("SqliteJournal", "PostgresJournal", "MemoryJournal");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)(?:\\.\\*)?;", Pattern.MULTILINE);

    /** A main source file: its package, its imports and how many lines it has. */
    record Source(Path path, String pkg, List<String> imports, long lines) {
        String name() {
            return path.getFileName().toString();
        }
    }

    private static List<Source> sources;

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(ArchitectureTest::read).toList();
        }
        assertThat(sources).as("main sources under " + MAIN.toAbsolutePath()).hasSizeGreaterThan(50);
    }

    private static Source read(Path path) {
        try {
            String text = Files.readString(path);
            Matcher pkg = PACKAGE.matcher(text);
            List<String> imports = new ArrayList<>();
            Matcher imp = IMPORT.matcher(text);
            while (imp.find()) {
                imports.add(imp.group(1));
            }
            return new Source(path, pkg.find() ? pkg.group(1) : "", imports, text.lines().count());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void routerCliAndMetricsSeeOnlyThePublicApi() {
        List<String> violations = new ArrayList<>();
        for (Source s : sources) {
            if (!OUTER.contains(s.pkg())) {
                continue;
            }
            for (String imp : s.imports()) {
                boolean internal = imp.startsWith(INTERNAL + ".");
                boolean driver = imp.startsWith("org.sqlite") || imp.startsWith("org.postgresql")
                        || imp.startsWith("com.zaxxer") || imp.startsWith("javax.sql");
                // The tool reads the SQLSTATE of a failed open's cause to word its usage errors;
                // it never opens a connection itself.
                boolean jdbc = imp.startsWith("java.sql.") && !imp.equals("java.sql.SQLException");
                if (internal || driver || jdbc) {
                    violations.add(s.path() + " imports " + imp);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theCoreNeverImportsTheLayersAboveIt() {
        List<String> violations = new ArrayList<>();
        for (Source s : sources) {
            if (OUTER.contains(s.pkg())) {
                continue;
            }
            for (String imp : s.imports()) {
                if (OUTER.stream().anyMatch(outer -> imp.startsWith(outer + "."))) {
                    violations.add(s.path() + " imports " + imp);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theMachineryNeverImportsABackendsEntryPoint() {
        List<String> violations = new ArrayList<>();
        for (Source s : sources) {
            if (!s.pkg().startsWith(INTERNAL)) {
                continue;
            }
            for (String imp : s.imports()) {
                for (String entryPoint : ENTRY_POINTS) {
                    if (imp.equals(ROOT + "." + entryPoint)) {
                        violations.add(s.path() + " imports " + imp);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theMemoryJournalTouchesNeitherJdbcNorASqlBackend() {
        Source memory = sources.stream().filter(s -> s.name().equals("MemoryJournal.java")).findFirst().orElseThrow();
        assertThat(memory.imports()).noneMatch(imp -> imp.startsWith("java.sql") || imp.startsWith("javax.sql")
                || imp.startsWith("org.sqlite") || imp.startsWith("org.postgresql")
                || imp.startsWith(INTERNAL + ".sqlite") || imp.startsWith(INTERNAL + ".postgres"));
    }

    @Test
    void theInternalPackagesImportEachOtherWithoutCycles() {
        Map<String, Set<String>> edges = new TreeMap<>();
        for (Source s : sources) {
            if (!s.pkg().startsWith(INTERNAL)) {
                continue;
            }
            Set<String> targets = edges.computeIfAbsent(s.pkg(), k -> new TreeSet<>());
            for (String imp : s.imports()) {
                String target = packageOf(imp);
                if (target.startsWith(INTERNAL) && !target.equals(s.pkg())) {
                    targets.add(target);
                }
            }
        }
        assertThat(cycle(edges)).as("a cycle among the internal packages").isEmpty();
    }

    @Test
    void everyInternalPackageSaysItIsNotApi() throws IOException {
        Set<String> packages = new TreeSet<>();
        for (Source s : sources) {
            if (s.pkg().startsWith(INTERNAL) && !s.name().equals("package-info.java")) {
                packages.add(s.pkg());
            }
        }
        for (String pkg : packages) {
            Path info = MAIN.resolve(pkg.replace('.', '/')).resolve("package-info.java");
            assertThat(info).as(pkg).exists();
            assertThat(Files.readString(info)).as(pkg).contains("Internal: not part of the library's API");
        }
    }

    @Test
    void noMainSourceFileIsOverAThousandLines() {
        assertThat(sources).allSatisfy(s -> assertThat(s.lines()).as(s.path().toString()).isLessThanOrEqualTo(1_000));
    }

    /** The package of an imported name: the part before the first segment that starts in upper case. */
    private static String packageOf(String imported) {
        StringBuilder pkg = new StringBuilder();
        for (String part : imported.split("\\.")) {
            if (!part.isEmpty() && Character.isUpperCase(part.charAt(0))) {
                break;
            }
            if (pkg.length() > 0) {
                pkg.append('.');
            }
            pkg.append(part);
        }
        return pkg.toString();
    }

    /** A cycle in the graph, as the packages along it, or an empty list when there is none. */
    private static List<String> cycle(Map<String, Set<String>> edges) {
        Map<String, Integer> state = new HashMap<>(); // 1: on the current path, 2: done
        for (String start : edges.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, edges, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> edges, Map<String, Integer> state,
            List<String> path) {
        Integer seen = state.get(node);
        if (seen != null) {
            if (seen == 1) {
                path.add(node);
                return true;
            }
            return false;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : edges.getOrDefault(node, Set.of())) {
            if (visit(next, edges, state, path)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return false;
    }
}
