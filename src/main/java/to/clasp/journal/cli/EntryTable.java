package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;

/** Entries as an aligned text table: seq, time (UTC), type, address, value, revision, author. */
final class EntryTable {

    private static final String[] HEADER = {"SEQ", "TIME (UTC)", "TYPE", "ADDRESS", "VALUE", "REV", "AUTHOR"};
    private static final boolean[] RIGHT = {true, false, false, false, false, true, false};
    private static final int MAX_VALUE = 48;

    private final int[] widths;

    private EntryTable(int[] widths) {
        this.widths = widths;
    }

    /** A layout wide enough for these entries (and the header). */
    static EntryTable fitting(List<JournalEntry> entries) {
        int[] w = new int[HEADER.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = HEADER[i].length();
        }
        w[0] = Math.max(w[0], 6);
        w[3] = Math.max(w[3], 24);
        for (JournalEntry e : entries) {
            String[] c = cells(e);
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], c[i].length());
            }
        }
        return new EntryTable(w);
    }

    /**
     * A layout for these entries and the ones still to come (tail -f): the type column fits
     * every signal type, and the value and author columns leave room, so later rows line up.
     */
    static EntryTable growing(List<JournalEntry> entries) {
        int[] w = fitting(entries).widths.clone();
        w[0] = Math.max(w[0], 8);
        w[2] = Math.max(w[2], "timeline".length());
        w[4] = Math.max(w[4], 24);
        w[5] = Math.max(w[5], 5);
        return new EntryTable(w);
    }

    /** Prints the entries as a table, or as JSON Lines; says so when there are none. */
    static void printEntries(PrintWriter out, List<JournalEntry> entries, boolean json) {
        if (json) {
            for (JournalEntry e : entries) {
                out.println(EntryJson.entry(e));
            }
        } else if (entries.isEmpty()) {
            out.println("(no entries)");
        } else {
            print(out, entries);
        }
    }

    /** Prints a header and the entries. */
    static void print(PrintWriter out, List<JournalEntry> entries) {
        EntryTable t = fitting(entries);
        t.printHeader(out);
        for (JournalEntry e : entries) {
            t.printRow(out, e);
        }
    }

    void printHeader(PrintWriter out) {
        out.println(format(HEADER));
    }

    void printRow(PrintWriter out, JournalEntry e) {
        out.println(format(cells(e)));
    }

    private String format(String[] cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append("  ");
            }
            String c = cells[i];
            boolean last = i == cells.length - 1;
            int pad = Math.max(0, widths[i] - c.length());
            if (RIGHT[i]) {
                sb.append(" ".repeat(pad)).append(c);
            } else {
                sb.append(c);
                if (!last) {
                    sb.append(" ".repeat(pad));
                }
            }
        }
        return sb.toString();
    }

    private static String[] cells(JournalEntry e) {
        return new String[] {
            Long.toString(e.seq()),
            Args.iso(e.timestamp()),
            e.signalType().wireName(),
            e.address(),
            shorten(EntryJson.value(e.value())),
            e.revision().isPresent() ? Long.toString(e.revision().getAsLong()) : "",
            e.author()
        };
    }

    /** A value for a table cell: its JSON form, cut short with "..." when long. */
    static String shorten(String s) {
        String oneLine = s.replace("\n", "\\n");
        return oneLine.length() <= MAX_VALUE ? oneLine : oneLine.substring(0, MAX_VALUE - 3) + "...";
    }

    /** The params of a state or snapshot as a table: address, value, revision, writer, time. */
    static List<String> params(List<ParamSnapshot> params) {
        List<String[]> rows = new ArrayList<>(params.size() + 1);
        rows.add(new String[] {"ADDRESS", "VALUE", "REV", "WRITER", "TIME (UTC)"});
        for (ParamSnapshot p : params) {
            rows.add(new String[] {p.address(), shorten(EntryJson.value(p.value())), Long.toString(p.revision()),
                p.writer(), Args.iso(p.timestamp())});
        }
        return align(rows);
    }

    /** Rows for a table of other things than entries: the same alignment rules, left-aligned. */
    static List<String> align(List<String[]> rows) {
        int cols = rows.isEmpty() ? 0 : rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        List<String> out = new ArrayList<>(rows.size());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                if (i > 0) {
                    sb.append("  ");
                }
                sb.append(r[i]);
                if (i < cols - 1) {
                    sb.append(" ".repeat(w[i] - r[i].length()));
                }
            }
            out.add(sb.toString().stripTrailing());
        }
        return out;
    }
}
