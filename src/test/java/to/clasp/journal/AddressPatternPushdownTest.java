package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import to.clasp.journal.internal.pattern.Pushdown.Kind;
import to.clasp.journal.internal.pattern.Pushdown;

/**
 * The pushdown is what a SQL backend turns into an index range, so its claims are checked
 * against {@code matches()} on many generated patterns and addresses (fixed seed).
 */
class AddressPatternPushdownTest {

    private static final String ADDRESS_CHARS = "aAbB_%.0é-";

    @ParameterizedTest(name = "''{0}'' -> {1} ''{2}''")
    @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
            **                  | MATCH_ALL | ''
            /**                 | MATCH_ALL | ''
            /**/**              | MATCH_ALL | ''
            **/**               | MATCH_ALL | ''
            /lights/room1       | EXACT     | /lights/room1
            /a\\*b              | EXACT     | /a*b
            /a\\{b\\}\\[c\\]    | EXACT     | /a{b}[c]
            /a,b}               | EXACT     | /a,b}
            /a!b                | EXACT     | /a!b
            !!/a                | EXACT     | /a
            ''                  | EXACT     | ''
            /lights/**          | SUBTREE   | /lights/
            /lights/**/**       | SUBTREE   | /lights/
            /a\\*/**            | SUBTREE   | /a*/
            /lights/*           | CHILDREN  | /lights/
            /lights/***         | CHILDREN  | /lights/
            /*                  | CHILDREN  | /
            /lights/**/x        | GENERAL   | /lights/
            /lights/room?/x     | GENERAL   | /lights/room
            /sensors/{temp,hum} | GENERAL   | /sensors/
            /a[bc]              | GENERAL   | /a
            /lights**           | GENERAL   | /lights
            /lights/**x         | GENERAL   | /lights/
            /a[bc               | GENERAL   | /a
            /a\\                | GENERAL   | /a
            !/lights/**         | GENERAL   | ''
            !                   | GENERAL   | ''
            *                   | GENERAL   | ''
            **/x                | GENERAL   | ''
            """)
    void shapes(String pattern, Kind kind, String prefix) {
        assertThat(AddressPattern.compile(pattern).pushdown()).isEqualTo(new Pushdown(kind, prefix));
    }

    @Test
    void bareLiteralOfSubtreeAndChildrenDoesNotMatch() {
        AddressPattern subtree = AddressPattern.compile("/lights/**");
        assertThat(subtree.matches("/lights")).isFalse();
        assertThat(subtree.matches("/lights/")).isTrue();
        AddressPattern children = AddressPattern.compile("/lights/*");
        assertThat(children.matches("/lights")).isFalse();
        assertThat(children.matches("/lights/")).isTrue();
    }

    @Test
    void surrogateSplitByEscapeIsNoPrefix() {
        // The escape takes the first byte of the low surrogate's encoding, so the literal bytes
        // spell a surrogate pair's halves that no Java string encodes to.
        AddressPattern pattern = AddressPattern.compile("/\uD800" + "\\" + "\uDC00");
        assertThat(pattern.pushdown()).isEqualTo(new Pushdown(Kind.GENERAL, ""));
        assertThat(pattern.matches("/\uD800\uDC00")).isFalse();
        assertThat(AddressPattern.compile("/a\uD800/**").pushdown())
                .isEqualTo(new Pushdown(Kind.SUBTREE, "/a\uD800/"));
    }

    @Test
    void claimsHoldForGeneratedShapes() {
        SplittableRandom random = new SplittableRandom(0x5eed_c1a5L);
        int checked = 0;
        for (int round = 0; round < 400; round++) {
            Literal literal = literalPath(random, 1 + random.nextInt(3));
            List<Example> examples = List.of(
                    new Example(literal.pattern, Kind.EXACT, literal.text),
                    new Example(literal.pattern + "/**", Kind.SUBTREE, literal.text + "/"),
                    new Example(literal.pattern + "/*", Kind.CHILDREN, literal.text + "/"),
                    new Example(random.nextBoolean() ? "/**" : "**", Kind.MATCH_ALL, ""));
            for (Example example : examples) {
                AddressPattern compiled = AddressPattern.compile(example.pattern);
                assertThat(compiled.pushdown()).as(example.pattern)
                        .isEqualTo(new Pushdown(example.kind, example.prefix));
                for (String address : addressesNear(random, literal.text)) {
                    checkClaims(compiled, address);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(50_000);
    }

    @Test
    void claimsHoldForGeneratedGeneralPatterns() {
        SplittableRandom random = new SplittableRandom(0xc1a5_9e4eL);
        int matched = 0;
        for (int round = 0; round < 1_500; round++) {
            StringBuilder pattern = new StringBuilder();
            StringBuilder sample = new StringBuilder();
            if (random.nextInt(5) == 0) {
                pattern.append('!');
            }
            int tokens = 1 + random.nextInt(6);
            for (int t = 0; t < tokens; t++) {
                appendToken(random, pattern, sample);
            }
            AddressPattern compiled = AddressPattern.compile(pattern.toString());
            List<String> addresses = addressesNear(random, sample.toString());
            for (String address : addresses) {
                matched += checkClaims(compiled, address) ? 1 : 0;
            }
        }
        // The generator aims at matches, so the superset claims are tested where they bite.
        assertThat(matched).isGreaterThan(5_000);
    }

    @Test
    void claimsHoldForEveryFuzzRow() {
        java.util.Map<String, AddressPattern> compiled = new java.util.HashMap<>();
        java.util.EnumMap<Kind, Integer> kinds = new java.util.EnumMap<>(Kind.class);
        int matched = 0;
        for (AddressPatternFuzzTest.Row row : AddressPatternFuzzTest.rows()) {
            AddressPattern pattern = compiled.computeIfAbsent(row.pattern(), AddressPattern::compile);
            matched += checkClaims(pattern, row.path()) ? 1 : 0;
            kinds.merge(pattern.pushdown().kind(), 1, Integer::sum);
        }
        assertThat(matched).isGreaterThan(40_000);
        // Every kind is exercised by the crate's own patterns, not only by the shapes above.
        assertThat(kinds.keySet()).containsExactlyInAnyOrder(Kind.values());
    }

    /** Checks the pushdown's promise for one address; returns whether it matched. */
    private static boolean checkClaims(AddressPattern pattern, String address) {
        Pushdown pushdown = pattern.pushdown();
        String prefix = pushdown.prefix();
        boolean matches = pattern.matches(address);
        String what = "'" + pattern.pattern() + "' " + pushdown + " vs '" + address + "'";
        switch (pushdown.kind()) {
            case MATCH_ALL -> {
                assertThat(prefix).isEmpty();
                if (address.startsWith("/")) {
                    assertThat(matches).as(what).isTrue();
                }
            }
            case EXACT -> assertThat(matches).as(what).isEqualTo(address.equals(prefix));
            case SUBTREE -> {
                assertThat(prefix).endsWith("/");
                assertThat(matches).as(what).isEqualTo(address.startsWith(prefix));
            }
            case CHILDREN -> {
                assertThat(prefix).endsWith("/");
                assertThat(matches).as(what).isEqualTo(
                        address.startsWith(prefix) && address.indexOf('/', prefix.length()) < 0);
            }
            case GENERAL -> {
                if (matches) {
                    assertThat(address).as(what).startsWith(prefix);
                }
            }
        }
        return matches;
    }

    private record Example(String pattern, Kind kind, String prefix) {}

    /** A literal path as pattern text (with escapes) and as the text it matches. */
    private record Literal(String pattern, String text) {}

    // Pattern text and the characters it stands for: plain, escaped metacharacters, the escapes
    // the crate maps to control characters, and characters only special inside braces.
    private static final String[][] LITERAL_PIECES = {
        {"a", "a"}, {"A", "A"}, {"b", "b"}, {"_", "_"}, {"%", "%"}, {".", "."}, {"0", "0"},
        {"é", "é"}, {"-", "-"}, {"!", "!"}, {",", ","}, {"}", "}"}, {"\\*", "*"}, {"\\?", "?"},
        {"\\[", "["}, {"\\{", "{"}, {"\\\\", "\\"}, {"\\b", "\b"}, {"\\n", "\n"}, {"\\_", "_"},
    };

    private static Literal literalPath(SplittableRandom random, int depth) {
        StringBuilder pattern = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int d = 0; d < depth; d++) {
            pattern.append('/');
            text.append('/');
            for (int i = random.nextInt(5); i > 0; i--) {
                String[] piece = LITERAL_PIECES[random.nextInt(LITERAL_PIECES.length)];
                pattern.append(piece[0]);
                text.append(piece[1]);
            }
        }
        return new Literal(pattern.toString(), text.toString());
    }

    private static void appendToken(SplittableRandom random, StringBuilder pattern, StringBuilder sample) {
        switch (random.nextInt(11)) {
            case 0, 1 -> {
                Literal literal = literalPath(random, 1);
                pattern.append(literal.pattern);
                sample.append(literal.text);
            }
            case 2 -> {
                pattern.append('*');
                sample.append(randomChars(random, "aA_%.é", random.nextInt(4)));
            }
            case 3 -> {
                pattern.append('?');
                sample.append(randomChars(random, "aA_%.", 1));
            }
            case 4 -> {
                pattern.append("[aA_]");
                sample.append("aA_".charAt(random.nextInt(3)));
            }
            case 5 -> {
                pattern.append("[!b]");
                sample.append("a%/".charAt(random.nextInt(3)));
            }
            case 6 -> {
                pattern.append("{temp,hum,a/b}");
                sample.append(List.of("temp", "hum", "a/b").get(random.nextInt(3)));
            }
            case 7 -> {
                pattern.append("/**/");
                sample.append('/');
                for (int i = random.nextInt(3); i > 0; i--) {
                    sample.append(randomChars(random, "aB_", 1 + random.nextInt(2))).append('/');
                }
            }
            case 8 -> {
                pattern.append("/**");
                sample.append('/').append(randomChars(random, "aB_/", random.nextInt(5)));
            }
            case 9 -> {
                pattern.append("/*");
                sample.append('/').append(randomChars(random, "aB_%", random.nextInt(3)));
            }
            default -> {
                pattern.append('/');
                sample.append('/');
            }
        }
    }

    /** Addresses around {@code base}: itself, cut short, extended, altered, and random ones. */
    private static List<String> addressesNear(SplittableRandom random, String base) {
        List<String> out = new ArrayList<>();
        out.add(base);
        out.add(base + "/");
        out.add(base.isEmpty() ? "" : base.substring(0, base.length() - 1));
        out.add("/");
        out.add("");
        for (int i = 0; i < 30; i++) {
            String cut = base.substring(0, random.nextInt(base.length() + 1));
            String address = switch (random.nextInt(6)) {
                case 0 -> cut;
                case 1 -> base + randomChars(random, ADDRESS_CHARS, 1 + random.nextInt(4));
                case 2 -> base + "/" + randomChars(random, ADDRESS_CHARS + "/", random.nextInt(8));
                case 3 -> flipCase(random, base);
                case 4 -> cut + randomChars(random, ADDRESS_CHARS + "/", random.nextInt(6));
                default -> randomAddress(random);
            };
            out.add(address);
        }
        return out;
    }

    private static String randomAddress(SplittableRandom random) {
        StringBuilder out = new StringBuilder();
        for (int d = random.nextInt(5); d >= 0; d--) {
            out.append('/').append(randomChars(random, ADDRESS_CHARS, random.nextInt(5)));
        }
        if (random.nextInt(4) == 0) {
            out.append('/');
        }
        return out.toString();
    }

    private static String flipCase(SplittableRandom random, String s) {
        StringBuilder out = new StringBuilder(s);
        if (!s.isEmpty()) {
            int i = random.nextInt(s.length());
            char c = s.charAt(i);
            out.setCharAt(i, Character.isUpperCase(c) ? Character.toLowerCase(c)
                    : c == '_' ? 'x' : c == '%' ? '5' : Character.toUpperCase(c));
        }
        return out.toString();
    }

    private static String randomChars(SplittableRandom random, String alphabet, int count) {
        StringBuilder out = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
