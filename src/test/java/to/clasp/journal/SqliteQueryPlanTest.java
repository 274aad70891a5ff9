package to.clasp.journal;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import to.clasp.journal.internal.sql.AddressRange;
import to.clasp.journal.internal.sql.QueryPlan;
import to.clasp.journal.internal.sql.SqlSelect;
import to.clasp.journal.internal.sqlite.SqliteOpener;
import to.clasp.journal.internal.sqlite.SqliteQueryRunner;
import to.clasp.journal.internal.sqlite.SqliteSchema;

/** The SQL a query runs: which index it uses, and the prefix ranges it is built from. */
class SqliteQueryPlanTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void fill() {
        file = dir.resolve("j.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                futures.add(journal.append(JournalEntry.fromSet("/area" + (i % 40) + "/dev" + (i % 7) + "/level",
                        Value.of(i), i, "w", T0 + i)));
            }
            futures.forEach(CompletableFuture::join);
        }
    }

    private String explain(JournalQuery query) throws Exception {
        SqlSelect plan = planFor(query);
        StringBuilder details = new StringBuilder();
        try (Connection c = jdbc(file); PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + plan.sql())) {
            for (int i = 0; i < plan.params().size(); i++) {
                ps.setObject(i + 1, plan.params().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    details.append(rs.getString("detail")).append('\n');
                }
            }
        }
        return details.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/area1/dev2/level", "/area1/**", "/area1/*", "/area1/dev?/level", "/area1/{dev1,dev2}/*"})
    void addressQueriesUseTheAddressIndex(String pattern) throws Exception {
        assertThat(explain(JournalQuery.of(pattern))).contains("idx_entries_address").doesNotContain("LIKE");
        assertThat(explain(JournalQuery.of(pattern).descending().limit(5))).contains("idx_entries_address");
        assertThat(explain(JournalQuery.of(pattern).types(SignalType.PARAM, SignalType.EVENT)))
                .contains("idx_entries_address");
        assertThat(explain(JournalQuery.of(pattern).from(T0 + 10))).contains("idx_entries_address");
    }

    @Test
    void theSqlNeverUsesLike() {
        for (String pattern : List.of("/a/**", "/a_b/*", "/a%/**", "/x/y", "/**", "/a/*/c", "!/a/**")) {
            assertThat(planFor(JournalQuery.of(pattern)).sql()).doesNotContainIgnoringCase("like");
        }
    }

    @Test
    void exactQueriesNeedNoRecheckAndPushTheLimit() {
        SqlSelect plan = planFor(JournalQuery.of("/a/b").limit(3).from(5));
        assertThat(plan.recheck()).isFalse();
        assertThat(plan.sql()).contains("address = ?").endsWith("LIMIT ?");
        assertThat(plan.params()).containsExactly("/a/b", 5L, 3L);

        SqlSelect prefix = planFor(JournalQuery.of("/a_b/**").limit(3));
        assertThat(prefix.recheck()).isTrue();
        assertThat(prefix.sql()).contains("address >= ? AND address < ?").doesNotContain("LIMIT");
        assertThat(prefix.params()).containsExactly("/a_b/", "/a_b0");
    }

    @Test
    void timeRangesUseTheTimestampIndex() throws Exception {
        assertThat(explain(JournalQuery.of("/**").from(T0 + 10).to(T0 + 20))).contains("idx_entries_timestamp");
    }

    private static String explain(Path db, SqlSelect plan) throws Exception {
        StringBuilder details = new StringBuilder();
        try (Connection c = jdbc(db); PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + plan.sql())) {
            for (int i = 0; i < plan.params().size(); i++) {
                ps.setObject(i + 1, plan.params().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    details.append(rs.getString("detail")).append('\n');
                }
            }
        }
        return details.toString();
    }

    @Test
    void timeWindowsWalkTheirSeqsInOrderWithoutASort() throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            JournalQuery window = JournalQuery.of("/**").from(T0 + 500).to(T0 + 699);
            SqlSelect plan = planOnRows(journal, window);
            assertThat(plan.params()).containsExactly(501L, 700L, T0 + 500, T0 + 699);
            assertThat(explain(file, plan)).contains("INTEGER PRIMARY KEY (rowid>? AND rowid<?)")
                    .doesNotContain("TEMP B-TREE").doesNotContain("idx_entries_timestamp");
            assertThat(await(journal.query(window))).extracting(JournalEntry::seq)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(501, 700).boxed().toList());
            assertThat(await(journal.query(window.descending().limit(3)))).extracting(JournalEntry::seq)
                    .containsExactly(700L, 699L, 698L);
            assertThat(await(journal.query(JournalQuery.of("/area1/**").from(T0 + 500).to(T0 + 699))))
                    .extracting(JournalEntry::seq).containsExactly(522L, 562L, 602L, 642L, 682L);
            assertThat(planOnRows(journal, JournalQuery.of("/**").from(T0 + 5_000))).isNull();
            assertThat(await(journal.query(JournalQuery.of("/**").from(T0 + 5_000)))).isEmpty();
        }
    }

    @Test
    void timeWindowsOverTimestampsOutOfSeqOrderFindEveryEntry() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("t.db"))) {
            // Clocks go back: the entries of a window are spread over all seqs (or nearly).
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                long t = i % 2 == 0 ? T0 + i : T0 + (i * 7_919L) % 1_000;
                futures.add(journal.append(JournalEntry.fromSet("/a/" + (i % 3), Value.of(i), i, "w", t)));
            }
            futures.forEach(CompletableFuture::join);
            List<JournalEntry> all = await(journal.since(0, null));
            for (JournalQuery q : List.of(JournalQuery.of("/**").from(T0 + 100).to(T0 + 199),
                    JournalQuery.of("/**").from(T0 + 990), JournalQuery.of("/**").to(T0 + 3),
                    JournalQuery.of("/*/1").from(T0 + 400).to(T0 + 600).descending(),
                    JournalQuery.of("/**").from(T0 + 100).to(T0 + 900).limit(5).descending())) {
                List<JournalEntry> expected = new ArrayList<>(all.stream().filter(q::matches).toList());
                if (q.isDescending()) {
                    java.util.Collections.reverse(expected);
                }
                int max = q.maxResults().orElse(Integer.MAX_VALUE);
                assertThat(await(journal.query(q))).as(q.toString()).isNotEmpty()
                        .containsExactlyElementsOf(expected.subList(0, Math.min(max, expected.size())));
            }
        }
    }

    @Test
    void prefixRangesFollowUtf8ByteOrder() {
        assertThat(AddressRange.successor("/a/")).isEqualTo("/a0");
        assertThat(AddressRange.successor("/é/")).isEqualTo("/é0");
        assertThat(AddressRange.successor("/é")).isEqualTo("/ê");
        assertThat(AddressRange.successor("/a\uD7FF")).isEqualTo("/a\uE000"); // surrogates are skipped
        assertThat(AddressRange.successor("/a\uFFFF")).isEqualTo("/a\uD800\uDC00"); // U+FFFF -> U+10000
        assertThat(AddressRange.successor("/a\uDBFF\uDFFF")).isEqualTo("/b"); // U+10FFFF carries
        assertThat(AddressRange.successor("\uDBFF\uDFFF")).isNull();
    }

    @Test
    void prefixQueriesFindNonAsciiAddresses() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("u.db"))) {
            List<String> addresses = List.of("/é/a", "/é", "/é0", "/ê/a", "/e/a", "/é\uFFFF/x", "/é/\uD83C\uDF9B",
                    "/\uD83C\uDF9B/a", "/\uD83C\uDF9B/", "/\uD83C\uDF9C/a", "/\uFFFF/a");
            for (String a : addresses) {
                await(journal.append(JournalEntry.fromSet(a, Value.of(a), 1, "w", T0)));
            }
            for (String pattern : List.of("/é/**", "/é/*", "/\uD83C\uDF9B/**", "/\uFFFF/*", "/é*/**", "/ê/a")) {
                List<String> expected = addresses.stream().filter(a -> AddressPattern.matches(pattern, a)).toList();
                assertThat(await(journal.query(JournalQuery.of(pattern)))).as(pattern)
                        .extracting(JournalEntry::address).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void patternsMatchingFewAddressesReadOnlyThoseThroughTheIndex() throws Exception {
        // 4,000 rows over 50 addresses; a tenth of them match the middle wildcard.
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("d.db"))) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 4_000; i++) {
                String address = "/bench/room" + (i % 10) + "/param" + ((i / 10) % 5);
                futures.add(journal.append(i % 3 == 0
                        ? JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(i), "w", T0 + i)
                        : JournalEntry.fromSet(address, Value.of(i), i, "w", T0 + i)));
            }
            futures.forEach(CompletableFuture::join);
            List<JournalEntry> all = await(journal.since(0, null));

            SqlSelect narrowed = planOnRows(journal, JournalQuery.of("/bench/*/param3"));
            assertThat(narrowed.recheck()).isFalse();
            assertThat(narrowed.params()).hasSize(10).allSatisfy(p -> assertThat((String) p).endsWith("/param3"));
            assertThat(planOnRows(journal, JournalQuery.of("/bench/*/param9"))).isNull();
            // Most addresses match: reading the range is as cheap, and it is what runs.
            assertThat(planOnRows(journal, JournalQuery.of("!/bench/room1/**")).recheck()).isTrue();

            for (JournalQuery q : List.of(JournalQuery.of("/bench/*/param3"), JournalQuery.of("/bench/room{1,7}/param?"),
                    JournalQuery.of("/bench/*/param3").descending().limit(25), JournalQuery.of("/*/room2/*").limit(3),
                    JournalQuery.of("/bench/*/param1").from(T0 + 500).to(T0 + 1_500).types(SignalType.EVENT),
                    JournalQuery.of("!/bench/room1/**").descending().limit(7), JournalQuery.of("/bench/*/param9"))) {
                List<JournalEntry> expected = new ArrayList<>(all.stream().filter(q::matches).toList());
                if (q.isDescending()) {
                    java.util.Collections.reverse(expected);
                }
                int max = q.maxResults().orElse(Integer.MAX_VALUE);
                assertThat(await(journal.query(q))).as(q.toString())
                        .containsExactlyElementsOf(expected.subList(0, Math.min(max, expected.size())));
            }
        }
        try (Connection c = jdbc(dir.resolve("d.db"));
                PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + SqliteSchema.select(SqliteSchema.plan(
                        JournalQuery.of("/bench/*/param3")).forAddresses(List.of("/bench/room1/param3",
                        "/bench/room2/param3"))).sql())) {
            ps.setString(1, "/bench/room1/param3");
            ps.setString(2, "/bench/room2/param3");
            StringBuilder details = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    details.append(rs.getString("detail")).append('\n');
                }
            }
            assertThat(details.toString()).contains("idx_entries_address (address=?)").doesNotContain("SCAN journal_entries\n");
        }
    }

    @Test
    void limitedPrefixQueriesAnswerTheSameWhetherTheirRangeIsSmallOrLarge() {
        // /s/x/** matches 1 entry in 400 (a range smaller than the seq-order probe), /d/** all
        // but 1 in 400 (a range larger than it): both plans must give what the matcher gives.
        Path other = dir.resolve("ranges.db");
        try (SqliteJournal journal = SqliteJournal.open(other); MemoryJournal memory = MemoryJournal.withDefaultCapacity()) {
            List<CompletableFuture<Long>> pending = new ArrayList<>();
            for (int i = 0; i < 8_000; i++) {
                String address = i % 400 == 7 ? "/s/x/p" + (i % 3) : "/d/room" + (i % 50) + "/v";
                JournalEntry entry = i % 2 == 0
                        ? JournalEntry.fromSet(address, Value.of((double) i), i + 1, "t", 1_000 + i)
                        : JournalEntry.fromPublish(address, SignalType.EVENT, Value.of((long) i), "t", 1_000 + i);
                pending.add(journal.append(entry));
                memory.append(entry).join();
            }
            pending.forEach(CompletableFuture::join);
            for (JournalQuery q : List.of(
                    JournalQuery.of("/s/x/**").descending().limit(5),
                    JournalQuery.of("/s/x/**").limit(5),
                    JournalQuery.of("/s/*/p1").descending().limit(3),
                    JournalQuery.of("/s/x/**").types(SignalType.EVENT).descending().limit(4),
                    JournalQuery.of("/s/x/**").from(3_000).to(6_000).limit(2),
                    JournalQuery.of("/d/**").descending().limit(100),
                    JournalQuery.of("/d/room1*/**").limit(30))) {
                assertThat(journal.query(q).join()).as(q.toString()).isEqualTo(memory.query(q).join()).isNotEmpty();
            }
        }
    }

    @Test
    void readConnectionsKeepMorePagesThanSqlitesDefault() throws Exception {
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(readerPragma(journal, "cache_size")).isEqualTo(-SqliteOpener.READ_CACHE_KIB);
            assertThat(-readerPragma(journal, "cache_size")).isGreaterThan(2_000);
            assertThat(readerPragma(journal, "mmap_size")).isEqualTo(SqliteJournal.DEFAULT_MEMORY_MAP_SIZE);
        }
    }

    @Test
    void memoryMappingCanBeTurnedOffAndStillAnswersQueries() throws Exception {
        try (SqliteJournal journal = SqliteJournal.builder(file).memoryMapSize(0).build()) {
            journal.append(JournalEntry.fromSet("/a/b", Value.of(1.0), 1, "s", 10)).join();
            assertThat(readerPragma(journal, "mmap_size")).isZero();
            assertThat(journal.query(JournalQuery.of("/a/**")).join()).extracting(JournalEntry::address)
                    .containsExactly("/a/b");
        }
        try (SqliteJournal journal = SqliteJournal.builder(file).readOnly(true).memoryMapSize(4096).build()) {
            assertThat(readerPragma(journal, "mmap_size")).isEqualTo(4096);
        }
    }

    @Test
    void aNegativeMemoryMapSizeIsRefused() {
        assertThatThrownBy(() -> SqliteJournal.builder(file).memoryMapSize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryMapSize");
    }

    @Test
    void readOnlyConnectionsKeepAsManyPages() throws Exception {
        SqliteJournal.open(file).close();
        try (SqliteJournal journal = SqliteJournal.openReadOnly(file)) {
            assertThat(readerPragma(journal, "cache_size")).isEqualTo(-SqliteOpener.READ_CACHE_KIB);
        }
    }

    /** The SELECT a query runs with, for {@code EXPLAIN QUERY PLAN}. */
    private static SqlSelect planFor(JournalQuery query) {
        return SqliteSchema.select(SqliteSchema.plan(query));
    }

    /**
     * The plan a query without a limit runs with on a journal's rows, once the distinct
     * addresses are known; null when no address matches.
     */
    private static SqlSelect planOnRows(SqliteJournal journal, JournalQuery query) throws SQLException {
        QueryPlan chosen = journal.readers().read(r -> SqliteQueryRunner.planOnRows(r, SqliteSchema.plan(query)));
        return chosen == null ? null : SqliteSchema.select(chosen);
    }

    /** A PRAGMA's value as a read connection of the journal sees it. */
    private static long readerPragma(SqliteJournal journal, String pragma) throws SQLException {
        return journal.readers().read(r -> {
            try (java.sql.ResultSet rs = r.prepare("PRAGMA " + pragma).executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }
}
