package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SignalType;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/** export and import: a lossless round trip, compared entry by entry, and how seqs are handled. */
class CliExportImportTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    /** Values that plain JSON would change: bytes, non-finite floats, floats that look integral, order, $-keys. */
    static List<Value> trickyValues() {
        Map<String, Value> ordered = new LinkedHashMap<>();
        ordered.put("z", Value.of(1));
        ordered.put("a", Value.of(new byte[] {0, -1, 127}));
        ordered.put("m", Value.of(Double.NaN));
        return List.of(
                Value.NULL, Value.of(true), Value.of(Long.MAX_VALUE), Value.of(Long.MIN_VALUE), Value.of(1.0),
                Value.of(-0.0), Value.of(-2.5e-7), Value.of(Double.MIN_VALUE), Value.of(Double.MAX_VALUE),
                Value.of(Double.NaN), Value.of(Double.POSITIVE_INFINITY), Value.of(Double.NEGATIVE_INFINITY),
                Value.of(""), Value.of("héllo \"quoted\" \n line \u0000 \uD83D\uDE00"), Value.of("lone \uD800 surrogate"),
                Value.of(new byte[0]), Value.of(new byte[] {0, 1, 2, (byte) 255}),
                Value.of(List.of(Value.of(1), Value.of(2.5), Value.of("x"), Value.of(new byte[] {9}))),
                Value.of(ordered), Value.of(Map.of()),
                Value.of(Map.of("$bytes", Value.of("not bytes"))), Value.of(Map.of("$map", Value.of(Map.of()))),
                Value.of(Map.of("$x", Value.of(1), "y", Value.of(2))));
    }

    private Path journalWithTrickyValues(String name) {
        Path file = dir.resolve(name);
        try (SqliteJournal j = SqliteJournal.open(file)) {
            List<Value> values = trickyValues();
            for (int i = 0; i < values.size(); i++) {
                JournalEntry e = i % 2 == 0
                        ? JournalEntry.fromSet("/v/" + i, values.get(i), i, "author-" + i, T0 + i)
                        : JournalEntry.fromPublish("/v/" + i, SignalType.values()[1 + i % 4], values.get(i), "ü", T0 - i);
                j.append(e).join();
            }
        }
        return file;
    }

    private static List<JournalEntry> all(Path file) {
        try (SqliteJournal j = SqliteJournal.openReadOnly(file)) {
            return j.since(0, null).join();
        }
    }

    @Test
    void roundTripIntoANewFileKeepsEveryEntryExactly() {
        Path source = journalWithTrickyValues("source.db");
        Path jsonl = dir.resolve("dump.jsonl");
        Cli.Result export = Cli.run("export", source.toString(), "--out", jsonl.toString());
        assertThat(export.code()).as(export.toString()).isZero();
        assertThat(export.err()).isEqualTo("exported 23 entries (seqs 1..23) to " + jsonl + "\n");

        Path copy = dir.resolve("copy.db");
        Cli.Result imported = Cli.run("import", copy.toString(), "--in", jsonl.toString(), "--keep-seqs");
        assertThat(imported.code()).as(imported.toString()).isZero();
        assertThat(imported.out()).isEqualTo("imported 23 entries into " + copy + "; seqs kept (1..23)\n");

        List<JournalEntry> before = all(source);
        List<JournalEntry> after = all(copy);
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i)).as("entry %d", i + 1).isEqualTo(before.get(i));
            assertThat(after.get(i).value().toString()).isEqualTo(before.get(i).value().toString());
        }
        // Map order is part of equality only through the string form: check it directly too.
        Value.Map ordered = (Value.Map) after.get(18).value();
        assertThat(new ArrayList<>(ordered.entries().keySet())).containsExactly("z", "a", "m");
    }

    @Test
    void everyLineIsSelfDescribingJson() throws Exception {
        Path source = journalWithTrickyValues("source.db");
        Cli.Result export = Cli.run("export", source.toString(), "/v/1{0,1,6}");
        assertThat(export.code()).isZero();
        assertThat(export.out().lines()).containsExactly(
                "{\"seq\":11,\"timestamp\":1708500000000010,\"author\":\"author-10\",\"address\":\"/v/10\","
                        + "\"signal_type\":\"param\",\"value\":{\"$float\":\"Infinity\"},\"revision\":10,\"msg_type\":33}",
                "{\"seq\":12,\"timestamp\":1708499999999989,\"author\":\"ü\",\"address\":\"/v/11\","
                        + "\"signal_type\":\"timeline\",\"value\":{\"$float\":\"-Infinity\"},\"revision\":null,\"msg_type\":32}",
                "{\"seq\":17,\"timestamp\":1708500000000016,\"author\":\"author-16\",\"address\":\"/v/16\","
                        + "\"signal_type\":\"param\",\"value\":{\"$bytes\":\"AAEC/w==\"},\"revision\":16,\"msg_type\":33}");
        assertThat(export.err()).isEqualTo("exported 3 entries (seqs 11..17)\n");
    }

    @Test
    void rustFileWithGapsIsRenumberedAndSaysHow() throws Exception {
        Path rust = Cli.fixture("journal.db", dir);
        String hash = Cli.sha256(rust);
        Path jsonl = dir.resolve("rust.jsonl");
        assertThat(Cli.run("export", rust.toString(), "--out", jsonl.toString()).code()).isZero();
        assertThat(Cli.sha256(rust)).isEqualTo(hash);

        Path copy = dir.resolve("copy.db");
        Cli.Result refused = Cli.run("import", copy.toString(), "--in", jsonl.toString(), "--keep-seqs");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("the seqs cannot be kept", "starts at seq 3", "nothing was written");
        assertThat(copy).as("a refused import creates no file").doesNotExist();

        Path map = dir.resolve("map.txt");
        Cli.Result imported = Cli.run("import", copy.toString(), "--in", jsonl.toString(), "--seq-map", map.toString());
        assertThat(imported.code()).as(imported.toString()).isZero();
        assertThat(imported.out()).contains("renumbered: exported seqs 3..28 became 1..26, in the same order");
        assertThat(Files.readAllLines(map)).hasSize(26).startsWith("3 1", "4 2").endsWith("28 26");
        List<JournalEntry> before = all(rust);
        List<JournalEntry> after = all(copy);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i)).isEqualTo(before.get(i).withSeq(i + 1));
        }
    }

    @Test
    void aBadLineWritesNothing() throws Exception {
        Path source = journalWithTrickyValues("source.db");
        Path jsonl = dir.resolve("dump.jsonl");
        Cli.run("export", source.toString(), "--out", jsonl.toString());
        List<String> lines = new ArrayList<>(Files.readAllLines(jsonl));
        Path target = journalWithTrickyValues("target.db");
        String hash = Cli.sha256(target);

        List<String[]> cases = List.of(
                new String[] {lines.get(2).replace("\"address\":\"/v/2\"", "\"address\":\"v/2\""), "address"},
                new String[] {"{not json", "not valid JSON"},
                new String[] {lines.get(2).replace("\"msg_type\":33", "\"msg_type\":7"), "msg_type"},
                new String[] {lines.get(2).replace("\"seq\":3,", "\"seq\":3,\"extra\":1,"), "unknown field 'extra'"},
                new String[] {lines.get(2).replace("\"seq\":3,", "\"seq\":1,"), "does not follow seq 2"},
                new String[] {lines.get(2).replace("\"value\":", "\"value\":{\"$what\":1},\"x\":"), "unknown"});
        for (String[] c : cases) {
            List<String> broken = new ArrayList<>(lines);
            broken.set(2, c[0]);
            Path bad = Files.write(dir.resolve("bad.jsonl"), broken);
            Cli.Result r = Cli.run("import", target.toString(), "--in", bad.toString());
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(r.toString()).startsWith("clasp-journal import: line 3 of ").contains(c[1])
                    .contains("nothing was written");
            assertThat(Cli.sha256(target)).isEqualTo(hash);
        }
    }

    @Test
    void importIntoAJournalWithEntriesAppendsAfterThem() {
        Path source = journalWithTrickyValues("source.db");
        Path jsonl = dir.resolve("dump.jsonl");
        Cli.run("export", source.toString(), "/v/2", "--out", jsonl.toString());
        Path target = journalWithTrickyValues("target.db");
        Cli.Result r = Cli.run("import", target.toString(), "--in", jsonl.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("renumbered: exported seqs 3..3 became 24..24");
        assertThat(all(target).get(23)).isEqualTo(all(source).get(2).withSeq(24));
    }

    @Test
    void valueFormParsesBack() {
        for (Value v : trickyValues()) {
            assertThat(EntryJson.parseValue(EntryJson.value(v))).isEqualTo(v);
        }
        assertThat(EntryJson.value(Value.of(Map.of("$bytes", Value.of("x"))))).isEqualTo("{\"$map\":{\"$bytes\":\"x\"}}");
        assertThat(EntryJson.value(Value.of("lone \uD800"))).isEqualTo("\"lone \\ud800\"");
        assertThat(EntryJson.parseValue("1")).isEqualTo(Value.of(1));
        assertThat(EntryJson.parseValue("1.0")).isEqualTo(Value.of(1.0));
        assertThat(EntryJson.parseValue("1e2")).isEqualTo(Value.of(100.0));
    }
}
