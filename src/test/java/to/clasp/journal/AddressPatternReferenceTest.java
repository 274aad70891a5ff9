package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares the matcher with a second, independent statement of the same rules: a translation
 * of well-formed patterns into {@link java.util.regex} over UTF-8 bytes. The reference is
 * slow and may backtrack, so it only sees short inputs; it first has to pass the conformance
 * vectors itself.
 */
class AddressPatternReferenceTest {

    @ParameterizedTest(name = "{0}: ''{1}'' vs ''{2}'' -> {3}")
    @MethodSource("to.clasp.journal.AddressPatternTest#vectors")
    void referenceAgreesWithTheVectors(String group, String pattern, String path, boolean expected) {
        assertThat(Reference.matches(pattern, path)).isEqualTo(expected);
    }

    static List<Arguments> seeds() {
        return List.of(Arguments.of(1L), Arguments.of(2L), Arguments.of(3L), Arguments.of(4L));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomPatternsAgreeWithReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] tokens = {"a", "b", "é", "/", "/", "*", "**", "?", "[ab]", "[!a]", "[/]", "{a,b/}",
            "{,a*}", "{**/a,b}", "\\*", "!", "/**/", "/**"};
        for (int round = 0; round < 1_500; round++) {
            StringBuilder pattern = new StringBuilder(random.nextInt(6) == 0 ? "!" : "");
            StringBuilder padded = new StringBuilder(pattern);
            boolean large = false;
            for (int t = 1 + random.nextInt(7); t > 0; t--) {
                String token = tokens[random.nextInt(tokens.length)];
                pattern.append(token);
                // Wrapping a literal in braces and adding empty groups keeps the meaning (no
                // '/' or '*' next to it changes) but grows the program past one long.
                if (!large && (token.equals("a") || token.equals("b"))) {
                    padded.append('{').append(token).append('}').append("{}".repeat(40));
                    large = true;
                } else {
                    padded.append(token);
                }
            }
            AddressPattern compiled = AddressPattern.compile(pattern.toString());
            AddressPattern grown = AddressPattern.compile(padded.toString());
            for (int i = 0; i < 40; i++) {
                String address = randomAddress(random);
                boolean expected = Reference.matches(pattern.toString(), address);
                String what = "'" + pattern + "' vs '" + address + "'";
                assertThat(compiled.matches(address)).as(what).isEqualTo(expected);
                assertThat(grown.matches(address)).as("padded " + what).isEqualTo(expected);
            }
        }
    }

    private static String randomAddress(SplittableRandom random) {
        String alphabet = "ab/é*";
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(9); i > 0; i--) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** The rules as a regular expression over bytes (each byte one char), for valid patterns. */
    static final class Reference {

        static boolean matches(String glob, String path) {
            byte[] g = glob.getBytes(StandardCharsets.UTF_8);
            int start = 0;
            while (start < g.length && g[start] == '!') {
                start++;
            }
            Pattern regex = Pattern.compile(translate(g, start), Pattern.DOTALL);
            String bytes = new String(path.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            return regex.matcher(bytes).matches() != (start % 2 == 1);
        }

        private static String translate(byte[] g, int start) {
            StringBuilder out = new StringBuilder();
            int depth = 0;
            int i = start;
            while (i < g.length) {
                int c = g[i] & 0xFF;
                if (c == '\\') {
                    out.append(literal(unescape(g[i + 1] & 0xFF)));
                    i += 2;
                } else if (c == '*') {
                    int end = i;
                    while (end < g.length && g[end] == '*') {
                        end++;
                    }
                    boolean afterBoundary = i == start || g[i - 1] == '/';
                    if (end - i == 2 && afterBoundary && segmentEnd(g, end)) {
                        while (end + 3 <= g.length && g[end] == '/' && g[end + 1] == '*' && g[end + 2] == '*'
                                && segmentEnd(g, end + 3)) {
                            end += 3;
                        }
                        if (end == g.length) {
                            out.append(".*");
                        } else {
                            out.append(i == start ? "(?:.*/)?" : "(?:.*/|(?=.))");
                            end++;
                        }
                    } else {
                        out.append("[^/]*");
                    }
                    i = end;
                } else if (c == '?') {
                    out.append("[^/]");
                    i++;
                } else if (c == '[') {
                    i = characterClass(g, i, out);
                } else if (c == '{') {
                    out.append("(?:");
                    depth++;
                    i++;
                } else if (c == ',' && depth > 0) {
                    out.append('|');
                    i++;
                } else if (c == '}' && depth > 0) {
                    out.append(')');
                    depth--;
                    i++;
                } else {
                    out.append(literal(c));
                    i++;
                }
            }
            return out.append(")".repeat(depth)).toString();
        }

        private static int characterClass(byte[] g, int i, StringBuilder out) {
            i++;
            boolean negate = g[i] == '!' || g[i] == '^';
            if (negate) {
                i++;
            }
            StringBuilder members = new StringBuilder();
            boolean first = true;
            while (first || g[i] != ']') {
                int low = g[i] & 0xFF;
                if (low == '\\') {
                    low = unescape(g[++i] & 0xFF);
                }
                i++;
                int high = low;
                if (g[i] == '-' && g[i + 1] != ']') {
                    high = g[++i] & 0xFF;
                    if (high == '\\') {
                        high = unescape(g[++i] & 0xFF);
                    }
                    i++;
                }
                if (low <= high) {
                    members.append(literal(low)).append('-').append(literal(high));
                }
                first = false;
            }
            if (members.length() == 0) {
                out.append(negate ? "." : "(?!)");
            } else {
                out.append(negate ? "[^" : "[").append(members).append(']');
            }
            return i + 1;
        }

        private static boolean segmentEnd(byte[] g, int i) {
            return i == g.length || g[i] == '/';
        }

        private static int unescape(int c) {
            return switch (c) {
                case 'b' -> 8;
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> c;
            };
        }

        private static String literal(int b) {
            return String.format("\\x%02x", b);
        }
    }
}
