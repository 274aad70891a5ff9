package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random addresses and patterns: every query on SQLite returns what {@link MemoryJournal}
 * returns, and what filtering every entry with {@link JournalQuery#matches} gives. A sample of
 * the crate's fuzz pairs does the same with the crate's own odd patterns and its verdicts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqliteDifferentialTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final String[] SEGMENTS = {"lights", "Lights", "LIGHTS", "light", "lightsX", "room1", "room2",
        "room_", "room%", "room_1", "r%1", "a", "b", "ab", "abc", "A", "temp", "t3mp", "1", "12", "x_y", "é",
        "ü1", "level", "", "lights_", "*", "nul\u0000", "😀", "a😀b", "\uFFFF", "?", "\uFFFD", "中文"};
    private static final SignalType[] TYPES = SignalType.values();

    @TempDir
    static Path dir;

    private final Random random = new Random(20_261_126);
    private SqliteJournal sqlite;
    private SqliteJournal inMemory;
    private MemoryJournal memory;
    private final List<JournalEntry> all = new ArrayList<>();

    @BeforeAll
    void fill() {
        sqlite = SqliteJournal.open(dir.resolve("diff.db"));
        inMemory = SqliteJournal.inMemory();
        memory = new MemoryJournal(100_000);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            JournalEntry e = JournalEntry.fromPublish(randomAddress(), TYPES[random.nextInt(TYPES.length)],
                    Value.of(i), "a" + random.nextInt(3), T0 + random.nextInt(1_000));
            futures.add(sqlite.append(e));
            futures.add(inMemory.append(e));
            futures.add(memory.append(e));
            all.add(e.withSeq(i + 1));
        }
        futures.forEach(CompletableFuture::join);
    }

    @AfterAll
    void close() {
        sqlite.close();
        inMemory.close();
        memory.close();
    }

    private String segment() {
        return SEGMENTS[random.nextInt(SEGMENTS.length)];
    }

    private String randomAddress() {
        int depth = 1 + random.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < depth; d++) {
            sb.append('/').append(segment());
        }
        if (random.nextInt(20) == 0) {
            sb.append('/');
        }
        return sb.toString();
    }

    /** A pattern built from an existing address or from segments, with every kind of syntax. */
    private String randomPattern() {
        String address = all.get(random.nextInt(all.size())).address();
        String[] parts = address.substring(1).split("/", -1);
        String prefix = "/" + String.join("/", java.util.Arrays.copyOf(parts, Math.max(1, parts.length - 1)));
        switch (random.nextInt(16)) {
            case 0: return address;
            case 1: return prefix + "/**";
            case 2: return prefix + "/*";
            case 3: return "/" + segment() + "/**";
            case 4: return "/" + segment() + "/*";
            case 5: return random.nextBoolean() ? "/**" : "**";
            case 6: return random.nextBoolean() ? "*" : "/*";
            case 7: return address.replace('o', '?');
            case 8: return "/" + segment() + "/room[12_]/**";
            case 9: return "/{lights,Lights,a}/" + segment();
            case 10: return "!" + prefix + "/**";
            case 11: return "/li*ts/**";
            case 12: return "/*/room?/*";
            case 13: return "/**/" + segment();
            case 14: return "/" + segment() + "/[!a-z]*";
            default: return address.toUpperCase(java.util.Locale.ROOT);
        }
    }

    private List<JournalEntry> expected(JournalQuery q) {
        List<JournalEntry> out = new ArrayList<>();
        for (JournalEntry e : all) {
            if (q.matches(e)) {
                out.add(e);
            }
        }
        if (q.isDescending()) {
            out.sort(Comparator.comparingLong(JournalEntry::seq).reversed());
        }
        int limit = q.maxResults().orElse(Integer.MAX_VALUE);
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    private JournalQuery variant(JournalQuery q) {
        if (random.nextInt(3) == 0) {
            q = q.limit(random.nextInt(15));
        }
        if (random.nextInt(3) == 0) {
            q = q.from(T0 + random.nextInt(1_000));
        }
        if (random.nextInt(3) == 0) {
            q = q.to(T0 + random.nextInt(1_000));
        }
        if (random.nextInt(3) == 0) {
            q = q.types(TYPES[random.nextInt(TYPES.length)], TYPES[random.nextInt(TYPES.length)]);
        }
        if (random.nextBoolean()) {
            q = q.descending();
        }
        return q;
    }

    @Test
    void everyQueryAgreesWithMemoryJournalAndWithTheMatcher() {
        int nonEmpty = 0;
        for (int i = 0; i < 300; i++) {
            String pattern = randomPattern();
            for (JournalQuery q : List.of(JournalQuery.of(pattern), variant(JournalQuery.of(pattern)),
                    variant(JournalQuery.of(pattern)))) {
                List<JournalEntry> expected = expected(q);
                assertThat(await(sqlite.query(q))).as("%s on a file", q).containsExactlyElementsOf(expected);
                assertThat(await(inMemory.query(q))).as("%s in memory", q).containsExactlyElementsOf(expected);
                assertThat(await(memory.query(q))).as("%s on MemoryJournal", q).containsExactlyElementsOf(expected);
                nonEmpty += expected.isEmpty() ? 0 : 1;
            }
        }
        assertThat(nonEmpty).as("queries that found something").isGreaterThan(300);
    }

    /**
     * Fuzz rows whose address is a valid CLASP address, mostly ones the crate matches, in
     * groups of 400 (each group in fresh journals, to keep the check quadratic only in the
     * group): each row's address is stored, and each row's pattern must select the same
     * entries on every backend as the matcher does, its own address included exactly when the
     * crate said so.
     */
    @Test
    void fuzzSampleSelectsTheSameOnEveryBackend() {
        List<AddressPatternFuzzTest.Row> sample = new ArrayList<>();
        int skippedFalse = 0;
        for (AddressPatternFuzzTest.Row row : AddressPatternFuzzTest.rows()) {
            if (row.pattern().isEmpty() || !row.path().startsWith("/") || sample.size() == 2_000) {
                continue;
            }
            // Keep one non-matching row in four, so that most of the sample selects something.
            if (!row.expected() && skippedFalse++ % 4 != 0) {
                continue;
            }
            sample.add(row);
        }
        int patterns = 0;
        int selecting = 0;
        for (int from = 0; from < sample.size(); from += 400) {
            List<AddressPatternFuzzTest.Row> group = sample.subList(from, Math.min(sample.size(), from + 400));
            int[] counts = checkFuzzGroup(group, dir.resolve("fuzz" + from + ".db"));
            patterns += counts[0];
            selecting += counts[1];
        }
        assertThat(patterns).as("distinct patterns").isGreaterThan(1_500);
        assertThat(selecting).as("patterns that select something").isGreaterThan(1_200);
    }

    /** Checks one group; returns its number of distinct patterns and of those that select. */
    private static int[] checkFuzzGroup(List<AddressPatternFuzzTest.Row> group, Path file) {
        Map<String, Long> seqs = new LinkedHashMap<>();
        for (AddressPatternFuzzTest.Row row : group) {
            seqs.putIfAbsent(row.path(), seqs.size() + 1L);
        }
        try (SqliteJournal onFile = SqliteJournal.open(file);
                SqliteJournal inMemoryDb = SqliteJournal.inMemory();
                MemoryJournal mem = new MemoryJournal(seqs.size())) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (String address : seqs.keySet()) {
                JournalEntry e = JournalEntry.fromPublish(address, SignalType.EVENT, Value.NULL, "fuzz", T0);
                futures.add(onFile.append(e));
                futures.add(inMemoryDb.append(e));
                futures.add(mem.append(e));
            }
            futures.forEach(CompletableFuture::join);
            Set<String> seen = new LinkedHashSet<>();
            int selecting = 0;
            for (AddressPatternFuzzTest.Row row : group) {
                if (!seen.add(row.pattern())) {
                    continue;
                }
                AddressPattern pattern = AddressPattern.compile(row.pattern());
                List<Long> expected = new ArrayList<>();
                seqs.forEach((address, seq) -> {
                    if (pattern.matches(address)) {
                        expected.add(seq);
                    }
                });
                assertThat(expected.contains(seqs.get(row.path()))).as(row.toString()).isEqualTo(row.expected());
                JournalQuery q = JournalQuery.of(row.pattern());
                assertThat(seqsOf(await(onFile.query(q)))).as("%s on a file", row).isEqualTo(expected);
                assertThat(seqsOf(await(inMemoryDb.query(q)))).as("%s in memory", row).isEqualTo(expected);
                assertThat(seqsOf(await(mem.query(q)))).as("%s on MemoryJournal", row).isEqualTo(expected);
                selecting += expected.isEmpty() ? 0 : 1;
            }
            return new int[] {seen.size(), selecting};
        }
    }

    private static List<Long> seqsOf(List<JournalEntry> entries) {
        List<Long> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.seq()));
        return out;
    }

    @Test
    void sinceAgreesWithMemoryJournal() {
        for (int i = 0; i < 50; i++) {
            long after = random.nextInt(3_100);
            Integer limit = random.nextBoolean() ? null : random.nextInt(50);
            assertThat(await(sqlite.since(after, limit))).isEqualTo(await(memory.since(after, limit)));
        }
    }
}
