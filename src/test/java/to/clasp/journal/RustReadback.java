package to.clasp.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the Rust crate printed when it read a journal back: {@code len}, {@code latest_seq}, the
 * entries ({@code E} lines), {@code since(0)}'s seqs and the latest snapshot's params
 * ({@code P} lines). Values are written as {@code N}, {@code B:true}, {@code I:42},
 * {@code F:} and the IEEE bits in hex, {@code S:"..."} with Rust escapes (backslash, u, and the code point in hex in braces),
 * {@code X:} and hex bytes, {@code A[...]} and {@code M{key:value,...}}.
 */
record RustReadback(long len, long latestSeq, List<JournalEntry> entries, List<Long> sinceSeqs,
        List<ParamSnapshot> params) {

    static RustReadback parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long len = -1;
        long latest = -1;
        List<JournalEntry> entries = new ArrayList<>();
        List<Long> since = new ArrayList<>();
        List<ParamSnapshot> params = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("len=Ok(")) {
                len = Long.parseLong(line.substring(7, line.length() - 1));
            } else if (line.startsWith("latest_seq=Ok(")) {
                latest = Long.parseLong(line.substring(14, line.length() - 1));
            } else if (line.startsWith("E ")) {
                entries.add(entry(new Cursor(line.substring(2))));
            } else if (line.startsWith("P ")) {
                params.add(param(new Cursor(line.substring(2))));
            } else if (line.startsWith("since(0) seqs=[")) {
                String list = line.substring(line.indexOf('[') + 1, line.lastIndexOf(']'));
                for (String s : list.split(", ")) {
                    since.add(Long.parseLong(s));
                }
            }
        }
        return new RustReadback(len, latest, entries, since, params);
    }

    private static JournalEntry entry(Cursor c) {
        long seq = c.number("seq");
        long ts = c.number("ts");
        c.key("author");
        String author = c.string();
        c.key("addr");
        String address = c.string();
        c.key("sig");
        SignalType type = SignalType.fromWireName(c.word());
        c.key("rev");
        String rev = c.word();
        long msg = c.number("msg");
        c.key("value");
        Value value = c.value();
        return new JournalEntry(seq, ts, author, address, type, value,
                rev.equals("-") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(rev)), (int) msg);
    }

    private static ParamSnapshot param(Cursor c) {
        c.key("addr");
        String address = c.string();
        c.key("value");
        Value value = c.value();
        long rev = c.number("rev");
        c.key("writer");
        String writer = c.string();
        long ts = c.number("ts");
        return new ParamSnapshot(address, value, rev, writer, ts);
    }

    /** Reads one line from left to right. */
    private static final class Cursor {
        private final String s;
        private int i;

        Cursor(String s) {
            this.s = s;
        }

        void key(String name) {
            while (s.charAt(i) == ' ') {
                i++;
            }
            expect(name + "=");
        }

        long number(String name) {
            key(name);
            return Long.parseLong(word());
        }

        String word() {
            int start = i;
            while (i < s.length() && s.charAt(i) != ' ') {
                i++;
            }
            return s.substring(start, i);
        }

        String string() {
            expect("S:\"");
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                if (s.startsWith("\\u{", i)) {
                    int end = s.indexOf('}', i);
                    b.appendCodePoint(Integer.parseInt(s.substring(i + 3, end), 16));
                    i = end + 1;
                } else {
                    b.append(s.charAt(i++));
                }
            }
            i++;
            return b.toString();
        }

        Value value() {
            char c = s.charAt(i);
            switch (c) {
                case 'N':
                    i++;
                    return Value.NULL;
                case 'B':
                    expect("B:");
                    return Value.of(Boolean.parseBoolean(token()));
                case 'I':
                    expect("I:");
                    return Value.of(Long.parseLong(token()));
                case 'F':
                    expect("F:");
                    return Value.of(Double.longBitsToDouble(Long.parseUnsignedLong(token(), 16)));
                case 'X':
                    expect("X:");
                    return Value.of(HexFormat.of().parseHex(token()));
                case 'S':
                    return Value.of(string());
                case 'A': {
                    expect("A[");
                    List<Value> items = new ArrayList<>();
                    while (s.charAt(i) != ']') {
                        items.add(value());
                        if (s.charAt(i) == ',') {
                            i++;
                        }
                    }
                    i++;
                    return Value.of(items);
                }
                case 'M': {
                    expect("M{");
                    Map<String, Value> map = new LinkedHashMap<>();
                    while (s.charAt(i) != '}') {
                        String k = string();
                        expect(":");
                        map.put(k, value());
                        if (s.charAt(i) == ',') {
                            i++;
                        }
                    }
                    i++;
                    return Value.of(map);
                }
                default:
                    throw new IllegalArgumentException("unexpected '" + c + "' at " + i + " in " + s);
            }
        }

        /** A scalar's text: up to the next ',', ']', '}' or space. */
        private String token() {
            int start = i;
            while (i < s.length() && ",]} ".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return s.substring(start, i);
        }

        private void expect(String text) {
            if (!s.startsWith(text, i)) {
                throw new IllegalArgumentException("expected " + text + " at " + i + " in " + s);
            }
            i += text.length();
        }
    }
}
