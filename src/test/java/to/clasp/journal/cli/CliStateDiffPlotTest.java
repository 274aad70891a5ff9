package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SignalType;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/** state, diff and plot on SQLite files: outputs, the JSON round trip through import, charts, errors. */
class CliStateDiffPlotTest {

    private static final long T0 = 1_708_500_000_000_000L;
    private static final long SECOND = 1_000_000L;

    @TempDir
    Path dir;

    Path file;
    String hash;

    /**
     * Nine entries, one a second from T0 + 1 s: /mix/a 1 then 3, /mix/b 2.5 (set again to 2.5),
     * /mix/c "scene" then 4, /mix/d bytes, a PUBLISH at seq 3, a SET at seq 6 with a lower
     * revision that loses, and a snapshot at seq 6.
     */
    @BeforeEach
    void journal() {
        file = dir.resolve("show.db");
        try (SqliteJournal j = SqliteJournal.open(file)) {
            set(j, "/mix/a", Value.of(1), 1, 1);
            set(j, "/mix/b", Value.of(2.5), 1, 2);
            j.append(JournalEntry.fromPublish("/cue/go", SignalType.EVENT, Value.of("go"), "desk", at(3))).join();
            set(j, "/mix/a", Value.of(3), 2, 4);
            set(j, "/mix/c", Value.of("scene"), 1, 5);
            set(j, "/mix/a", Value.of(99), 1, 6);
            j.snapshot(j.stateAt(6).join().params()).join();
            set(j, "/mix/b", Value.of(2.5), 2, 7);
            set(j, "/mix/c", Value.of(4), 2, 8);
            set(j, "/mix/d", Value.of(new byte[] {1, 2}), 1, 9);
        }
        hash = Cli.sha256(file);
    }

    private static void set(SqliteJournal j, String address, Value v, long revision, int second) {
        j.append(JournalEntry.fromSet(address, v, revision, "router-a", at(second))).join();
    }

    private static long at(int second) {
        return T0 + second * SECOND;
    }

    private static String iso(long micros) {
        return Args.iso(micros);
    }

    private Cli.Result run(String command, String... more) {
        String[] args = new String[more.length + 2];
        args[0] = command;
        args[1] = file.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return Cli.run(args);
    }

    private void assertUnchanged() {
        assertThat(Cli.sha256(file)).as("the journal's bytes").isEqualTo(hash);
    }

    @Test
    void stateAtASeqIsATableOfTheParams() {
        Cli.Result r = run("state", "--seq", "6");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().lines()).containsExactly(
                "state of " + file + " at seq 6: 3 params",
                "ADDRESS  VALUE    REV  WRITER    TIME (UTC)",
                "/mix/a   3        2    router-a  " + iso(at(4)),
                "/mix/b   2.5      1    router-a  " + iso(at(2)),
                "/mix/c   \"scene\"  1    router-a  " + iso(at(5)));
        assertUnchanged();
    }

    @Test
    void stateAtATimeIsTheStateAfterTheLastEntryAtOrBeforeIt() {
        Cli.Result between = run("state", "--at", Long.toString(at(4) + SECOND / 2));
        assertThat(between.code()).as(between.toString()).isZero();
        assertThat(between.out().lines().findFirst().orElseThrow()).isEqualTo("state of " + file
                + " at seq 4, the last entry at or before " + iso(at(4) + SECOND / 2) + " (stamped " + iso(at(4))
                + "): 2 params");
        Cli.Result exact = run("state", "--at", iso(at(4)));
        assertThat(exact.out()).as(exact.toString()).isEqualTo(between.out().replace(iso(at(4) + SECOND / 2),
                iso(at(4))));

        Cli.Result before = run("state", "--at", iso(at(0)));
        assertThat(before.code()).as(before.toString()).isZero();
        assertThat(before.out().lines()).containsExactly("state of " + file + " at seq 0, before the first entry (--at "
                + iso(at(0)) + "): 0 params");

        Cli.Result later = run("state", "--at", "2100-01-01");
        assertThat(later.out()).as(later.toString()).startsWith("state of " + file + " at seq 9, ")
                .contains("/mix/c   4  ").contains("/mix/d   {\"$bytes\":\"AQI=\"}");
        assertUnchanged();
    }

    @Test
    void aPatternNarrowsStateAndDiff() {
        Cli.Result state = run("state", "/mix/{a,d}", "--seq", "9");
        assertThat(state.code()).as(state.toString()).isZero();
        assertThat(state.out().lines()).containsExactly(
                "state of " + file + ", /mix/{a,d}, at seq 9: 2 params",
                "ADDRESS  VALUE              REV  WRITER    TIME (UTC)",
                "/mix/a   3                  2    router-a  " + iso(at(4)),
                "/mix/d   {\"$bytes\":\"AQI=\"}  1    router-a  " + iso(at(9)));
        Cli.Result json = run("state", "/mix/d", "--seq", "9", "--json");
        assertThat(json.out().lines()).hasSize(1).allMatch(l -> l.startsWith("{\"seq\":1,") && l.contains("/mix/d"));

        Cli.Result diff = run("diff", "/mix/?", "--from-seq", "2", "--to-seq", "4");
        assertThat(diff.out().lines()).as(diff.toString()).containsExactly(
                "diff of " + file + ", /mix/?, from seq 2 to seq 4: 1 changed, 0 added, 0 removed",
                "ADDRESS  CHANGE   FROM  TO  REV",
                "/mix/a   changed  1     3   1 -> 2");
        Cli.Result none = run("diff", "/cue/**", "--from-seq", "2", "--to-seq", "9");
        assertThat(none.out().lines()).containsExactly("diff of " + file
                + ", /cue/**, from seq 2 to seq 9: no param's value differs");
        assertThat(run("state", "mix", "--seq", "1").err()).contains("'mix' can never match");
    }

    @Test
    void stateAsJsonImportsToTheSameState() throws Exception {
        Cli.Result r = run("state", "--seq", "9", "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        List<JournalEntry> sets = r.out().lines().map(EntryJson::parseEntry).toList();
        assertThat(sets).extracting(JournalEntry::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(sets).allMatch(JournalEntry::isSet);
        assertThat(sets).extracting(JournalEntry::address).containsExactly("/mix/a", "/mix/b", "/mix/c", "/mix/d");
        assertThat(sets.get(3).value()).isEqualTo(Value.of(new byte[] {1, 2}));

        Path jsonl = Files.writeString(dir.resolve("state.jsonl"), r.out());
        Path copy = dir.resolve("copy.db");
        Cli.Result imported = Cli.run("import", copy.toString(), "--in", jsonl.toString());
        assertThat(imported.code()).as(imported.toString()).isZero();
        Cli.Result again = Cli.run("state", copy.toString(), "--seq", "4", "--json");
        assertThat(again.out()).as(again.toString()).isEqualTo(r.out());
        try (SqliteJournal j = SqliteJournal.openReadOnly(copy)) {
            List<ParamSnapshot> original;
            try (SqliteJournal o = SqliteJournal.openReadOnly(file)) {
                original = o.stateAt(9).join().params();
            }
            assertThat(j.stateAt(4).join().params()).isEqualTo(original);
        }
    }

    @Test
    void stateErrorsSayWhatIsWrong() {
        Cli.Result above = run("state", "--seq", "10");
        assertThat(above.code()).as(above.toString()).isEqualTo(2);
        assertThat(above.err()).isEqualTo("clasp-journal state: seq 10 is above the latest seq 9 of " + file
                + "; give a seq from 0 to 9\n");
        assertThat(run("state", "--seq", "-1").err()).contains("--seq must not be negative: -1");
        Cli.Result both = run("state", "--seq", "1", "--at", iso(at(1)));
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        Cli.Result neither = run("state");
        assertThat(neither.code()).isEqualTo(2);
        assertThat(neither.err()).contains("(--at=T | --seq=N)");
        assertThat(run("state", "--at", "yesterday").err()).contains("'yesterday' is not a time");
        Cli.Result missing = Cli.run("state", dir.resolve("missing.db").toString(), "--seq", "1");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(Files.exists(dir.resolve("missing.db"))).isFalse();
        assertUnchanged();
    }

    @Test
    void aCompactedPastIsReportedNotGuessed() {
        try (SqliteJournal j = SqliteJournal.open(file)) {
            j.compact(7).join(); // the snapshot at seq 6 still covers the rest
        }
        hash = Cli.sha256(file);
        assertThat(run("state", "--seq", "6").code()).isZero();

        Cli.Result truncated = run("state", "--seq", "3");
        assertThat(truncated.code()).as(truncated.toString()).isEqualTo(1);
        assertThat(truncated.err()).isEqualTo("clasp-journal state: the state at seq 3 cannot be rebuilt: the entries"
                + " from seq 1 to 6 were compacted, and no snapshot kept at or below seq 3 covers them; the state can"
                + " be rebuilt at least from seq 6 (the newest snapshot) on\n");

        Cli.Result early = run("state", "--at", iso(at(2)));
        assertThat(early.code()).as(early.toString()).isEqualTo(1);
        assertThat(early.err()).isEqualTo("clasp-journal state: --at " + iso(at(2)) + " is before the oldest entry "
                + file + " holds (seq 7, stamped " + iso(at(7)) + "): the entries before it were compacted, so the"
                + " state then is unknown; give a time at or after " + iso(at(7)) + "\n");

        Cli.Result diff = run("diff", "--from", iso(at(2)), "--to", iso(at(8)));
        assertThat(diff.code()).isEqualTo(1);
        assertThat(diff.err()).contains("--from " + iso(at(2)) + " is before the oldest entry");

        Path png = dir.resolve("rest.png");
        Cli.Result plot = run("plot", "/mix/**", "--out", png.toString());
        assertThat(plot.code()).as(plot.toString()).isZero();
        assertThat(plot.out().lines()).containsExactly(
                "note: the entries up to seq 6 were compacted, so each line starts at its param's first SET; give"
                        + " --from to start from the state at a moment",
                "plotted 2 params (2 values) of " + file + " matching /mix/**, " + iso(at(7)) + " .. " + iso(at(9))
                        + ", into " + png + " (PNG, 1000x500)",
                "left out 1 value that is not a number: /mix/d (bytes)");
        assertUnchanged();
    }

    @Test
    void aJournalWhoseEntriesWereAllCompactedPlacesNoTime() {
        try (SqliteJournal j = SqliteJournal.open(file)) {
            j.compact(10).join();
        }
        Cli.Result r = run("state", "--at", iso(at(5)));
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("clasp-journal state: " + file + " holds no entries (all 9 were compacted), so no"
                + " time can be placed; give --seq instead\n");
        assertThat(run("state", "--seq", "6").out()).startsWith("state of " + file + " at seq 6: 3 params");
    }

    @Test
    void diffListsChangedAddedAndRemovedParamsWithBothValues() {
        Cli.Result r = run("diff", "--from-seq", "2", "--to-seq", "9");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().lines()).containsExactly(
                "diff of " + file + " from seq 2 to seq 9: 1 changed, 2 added, 0 removed",
                "ADDRESS  CHANGE   FROM      TO                 REV",
                "/mix/a   changed  1         3                  1 -> 2",
                "/mix/c   added    (absent)  4                  - -> 2",
                "/mix/d   added    (absent)  {\"$bytes\":\"AQI=\"}  - -> 1");

        Cli.Result byTime = run("diff", "--from", iso(at(5)), "--to", iso(at(8) + 1));
        assertThat(byTime.code()).as(byTime.toString()).isZero();
        assertThat(byTime.out().lines()).containsExactly(
                "diff of " + file + " from seq 5, the last entry at or before " + iso(at(5)) + " (stamped " + iso(at(5))
                        + ") to seq 8, the last entry at or before " + iso(at(8) + 1) + " (stamped " + iso(at(8))
                        + "): 1 changed, 0 added, 0 removed",
                "ADDRESS  CHANGE   FROM     TO  REV",
                "/mix/c   changed  \"scene\"  4   1 -> 2");

        Cli.Result toLatest = run("diff", "--from-seq", "8");
        assertThat(toLatest.out()).as(toLatest.toString()).startsWith("diff of " + file
                + " from seq 8 to seq 9, the latest: 0 changed, 1 added, 0 removed");

        Cli.Result sameValue = run("diff", "--from-seq", "6", "--to-seq", "7");
        assertThat(sameValue.out().lines()).as("/mix/b set again to 2.5")
                .containsExactly("diff of " + file + " from seq 6 to seq 7: no param's value differs");
        assertUnchanged();
    }

    @Test
    void aSnapshotThatLeavesAParamOutShowsItRemoved() {
        Path other = dir.resolve("other.db");
        try (SqliteJournal j = SqliteJournal.open(other)) {
            set(j, "/x", Value.of(1), 1, 1);
            set(j, "/y", Value.of(2), 1, 2);
            set(j, "/x", Value.of(5), 2, 3);
            j.snapshot(List.of(new ParamSnapshot("/x", Value.of(5), 2, "router-a", at(3)))).join();
        }
        Cli.Result r = Cli.run("diff", other.toString(), "--from-seq", "2", "--to-seq", "3");
        assertThat(r.out().lines()).as(r.toString()).containsExactly(
                "diff of " + other + " from seq 2 to seq 3: 1 changed, 0 added, 1 removed",
                "ADDRESS  CHANGE   FROM  TO        REV",
                "/x       changed  1     5         1 -> 2",
                "/y       removed  2     (absent)  1 -> -");
    }

    @Test
    void diffRefusesMomentsInTheWrongOrder() {
        Cli.Result r = run("diff", "--from-seq", "5", "--to-seq", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("clasp-journal diff: the earlier moment (seq 5) is after the later one (seq 2);"
                + " swap them\n");
        assertThat(run("diff", "--to-seq", "2").err()).contains("(--from=T1 | --from-seq=N)");
        assertThat(run("diff", "--from-seq", "1", "--to-seq", "12").err()).contains("seq 12 is above the latest seq 9");
    }

    @Test
    void plotWritesAPngAndSaysWhatItLeftOut() throws Exception {
        Path png = dir.resolve("mix.png");
        Cli.Result r = run("plot", "/mix/**", "--out", png.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().lines()).containsExactly(
                "plotted 3 params (5 values) of " + file + " matching /mix/**, " + iso(at(1)) + " .. " + iso(at(9))
                        + ", into " + png + " (PNG, 1000x500)",
                "left out 2 values that are not numbers: /mix/c (string), /mix/d (bytes)");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG that decodes").isNotNull();
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(500);
        assertThat(dir.toFile().list()).as("no partial file left").noneMatch(n -> n.endsWith(".partial"));
        assertUnchanged();
    }

    @Test
    void plotWritesAnSvgWithOneLinePerParam() throws Exception {
        Path svg = dir.resolve("mix.SVG");
        Cli.Result r = run("plot", "/mix/*", "--out", svg.toString(), "--max-series", "2", "--width", "600",
                "--height", "300");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().lines()).hasSize(3);
        assertThat(r.out()).contains("plotted 2 params (4 values)", "(SVG, 600x300)",
                "\nleft out 1 value that is not a number: /mix/d (bytes)\n",
                "\nleft out 1 more param beyond --max-series 2: /mix/c (raise --max-series or narrow the pattern)\n");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getDocumentElement().getAttribute("width")).startsWith("600");
        String text = doc.getDocumentElement().getTextContent();
        assertThat(text).contains("/mix/a", "/mix/b", "/mix/* in " + file).doesNotContain("/mix/c", "/mix/d");
    }

    @Test
    void plotStartsFromTheStateAtFrom() {
        Path png = dir.resolve("window.png");
        Cli.Result r = run("plot", "/mix/**", "--from", Long.toString(at(4) + SECOND / 2), "--to",
                Long.toString(at(8) + SECOND / 2), "--out", png.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        // a 3 and b 2.5 from the state at seq 4; b's second 2.5 and c's 4 in the window; a's 99 loses.
        assertThat(r.out().lines()).containsExactly(
                "plotted 3 params (4 values) of " + file + " matching /mix/**, " + iso(at(4) + SECOND / 2) + " .. "
                        + iso(at(8) + SECOND / 2) + ", into " + png + " (PNG, 1000x500)",
                "left out 1 value that is not a number: /mix/c (string)");
    }

    @Test
    void plotErrorsWriteNothing() throws Exception {
        Path png = dir.resolve("x.png");
        Cli.Result jpg = run("plot", "/mix/**", "--out", dir.resolve("x.jpg").toString());
        assertThat(jpg.code()).isEqualTo(2);
        assertThat(jpg.err()).contains("the extension names the format, .png or .svg");
        Cli.Result noDir = run("plot", "/mix/**", "--out", dir.resolve("no/such/x.png").toString());
        assertThat(noDir.code()).isEqualTo(2);
        assertThat(noDir.err()).contains("does not exist; give a file that can be written");
        Cli.Result isDir = run("plot", "/mix/**", "--out", Files.createDirectory(dir.resolve("d.png")).toString());
        assertThat(isDir.code()).isEqualTo(2);
        assertThat(isDir.err()).contains("is a directory");
        Cli.Result pattern = run("plot", "mix/**", "--out", png.toString());
        assertThat(pattern.code()).isEqualTo(2);
        assertThat(pattern.err()).contains("'mix/**' can never match");
        Cli.Result order = run("plot", "/mix/**", "--from", iso(at(5)), "--to", iso(at(2)), "--out", png.toString());
        assertThat(order.code()).isEqualTo(2);
        assertThat(order.err()).contains("--from is after --to");
        Cli.Result series = run("plot", "/mix/**", "--max-series", "0", "--out", png.toString());
        assertThat(series.code()).isEqualTo(2);
        Cli.Result one = run("plot", "/mix/a", "--to", iso(at(2)), "--out", png.toString());
        assertThat(one.out()).as(one.toString()).startsWith("plotted 1 param (1 value) of ");
        Files.delete(png);
        Cli.Result nothing = run("plot", "/mix/d", "--out", png.toString());
        assertThat(nothing.code()).as(nothing.toString()).isEqualTo(1);
        assertThat(nothing.err()).isEqualTo("clasp-journal plot: nothing to plot: no SET of " + file + " matching /mix/d"
                + " holds a number in the range (1 value that is not a number: /mix/d (bytes)); " + png
                + " was not written\n");
        Cli.Result events = run("plot", "/cue/**", "--out", png.toString());
        assertThat(events.code()).isEqualTo(1);
        assertThat(events.err()).contains("nothing to plot: no SET of");
        assertThat(png).doesNotExist();
        assertUnchanged();
    }
}
