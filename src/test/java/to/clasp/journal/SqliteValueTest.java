package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values come back from a file exactly as written, and the Rust columns stay in the Rust form. */
class SqliteValueTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    static List<Value> tricky() {
        Map<String, Value> ordered = new LinkedHashMap<>();
        ordered.put("z", Value.of(new byte[] {1}));
        ordered.put("a", Value.of(Double.NaN));
        ordered.put("é", Value.of(List.of()));
        return List.of(Value.NULL, Value.of(true), Value.of(Long.MIN_VALUE), Value.of(Long.MAX_VALUE),
                Value.of(1.0), Value.of(-0.0), Value.of(0.0), Value.of(Double.NaN),
                Value.of(Double.POSITIVE_INFINITY), Value.of(Double.NEGATIVE_INFINITY), Value.of(Double.MIN_VALUE),
                Value.of(-2.5e-7), Value.of(1e300), Value.of(""), Value.of("héllo \"q\" \n ✓ 🎛 \u0000 \\"),
                Value.of(new byte[0]), Value.of(new byte[] {0, 1, 2, (byte) 255}),
                Value.of(List.of(Value.of(new byte[] {7}), Value.of(List.of(Value.of(Double.NaN))))),
                Value.of(ordered), Value.of(Map.of()));
    }

    @Test
    void everyKindOfValueRoundTripsThroughAFile() {
        Path file = dir.resolve("v.db");
        List<Value> values = tricky();
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            for (int i = 0; i < values.size(); i++) {
                await(journal.append(JournalEntry.fromSet("/v/" + i, values.get(i), i, "w", T0)));
            }
            await(journal.snapshot(List.of(new ParamSnapshot("/s", Value.of(values), 1, "w", T0))));
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<JournalEntry> read = await(journal.since(0, null));
            assertThat(read).extracting(JournalEntry::value).containsExactlyElementsOf(values);
            Value.Map map = (Value.Map) read.get(18).value();
            assertThat(map.entries().keySet()).containsExactly("z", "a", "é");
            assertThat(await(journal.loadSnapshot()).orElseThrow().get(0).value()).isEqualTo(Value.of(values));
        }
    }

    @Test
    void valueJsonStaysInTheRustFormAndTheExactValueColumnIsUsedOnlyWhenNeeded() throws Exception {
        Path file = dir.resolve("v.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(new byte[] {0, 1, (byte) 255}), 1, "w", T0)));
            await(journal.append(JournalEntry.fromSet("/a", Value.of(Double.NaN), 2, "w", T0)));
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1.0), 3, "w", T0)));
            await(journal.append(JournalEntry.fromSet("/a", Value.of("x"), 4, "w", T0)));
            await(journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(1.0), 3, "w", T0))));
        }
        try (Connection c = jdbc(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT value_json, value_exact IS NOT NULL FROM journal_entries ORDER BY seq")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getBoolean(2));
            }
            assertThat(rows).containsExactly("[0,1,255] true", "null true", "1.0 false", "\"x\" false");
        }
        try (Connection c = jdbc(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT data_json, data_exact IS NOT NULL FROM snapshots")) {
            assertThat(rs.getString(1)).isEqualTo(
                    "[{\"address\":\"/a\",\"value\":1.0,\"revision\":3,\"writer\":\"w\",\"timestamp\":" + T0 + "}]");
            assertThat(rs.getBoolean(2)).isTrue();
        }
    }

    @Test
    void randomValuesRoundTrip() {
        Random random = new Random(7);
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            values.add(randomValue(random, 3));
        }
        Path file = dir.resolve("r.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (Value v : values) {
                futures.add(journal.append(JournalEntry.fromPublish("/r", SignalType.EVENT, v, "w", T0)));
            }
            futures.forEach(CompletableFuture::join);
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            assertThat(await(journal.since(0, null))).extracting(JournalEntry::value).containsExactlyElementsOf(values);
        }
    }

    static Value randomValue(Random r, int depth) {
        switch (r.nextInt(depth > 0 ? 9 : 7)) {
            case 0: return Value.NULL;
            case 1: return Value.of(r.nextBoolean());
            case 2: return Value.of(r.nextInt(4) == 0 ? Long.MIN_VALUE + r.nextInt(3) : r.nextLong());
            case 3: {
                double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1.0,
                    Double.MAX_VALUE, Double.MIN_VALUE};
                return Value.of(r.nextInt(3) == 0 ? special[r.nextInt(special.length)]
                        : Double.longBitsToDouble(r.nextLong()));
            }
            case 4: {
                StringBuilder sb = new StringBuilder();
                int n = r.nextInt(8);
                for (int i = 0; i < n; i++) {
                    int cp;
                    do {
                        cp = r.nextInt(4) == 0 ? r.nextInt(0x11_0000) : r.nextInt(0x80);
                    } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
                    sb.appendCodePoint(cp);
                }
                return Value.of(sb.toString());
            }
            case 5:
            case 6: {
                byte[] b = new byte[r.nextInt(6)];
                r.nextBytes(b);
                return Value.of(b);
            }
            case 7: {
                List<Value> items = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    items.add(randomValue(r, depth - 1));
                }
                return Value.of(items);
            }
            default: {
                Map<String, Value> m = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    m.put("k" + r.nextInt(100), randomValue(r, depth - 1));
                }
                return Value.of(m);
            }
        }
    }
}
