package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AddressPatternTest {

    private static final Duration FAST = Duration.ofSeconds(5);

    // ------------------------------------------------------------ conformance vectors

    static Stream<Arguments> vectors() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(
                        AddressPatternTest.class.getResourceAsStream("/glob-match.tsv"), "glob-match.tsv");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = reader.readLine();
            assertThat(header).isEqualTo("group\tpattern\tpath\texpected");
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split("\t", -1);
                assertThat(fields).as(line).hasSize(4);
                assertThat(fields[3]).isIn("true", "false");
                rows.add(Arguments.of(fields[0], fields[1], fields[2], Boolean.parseBoolean(fields[3])));
            }
        }
        return rows.stream();
    }

    @Test
    void allConformanceRowsAreRead() throws IOException {
        assertThat(vectors().count()).isEqualTo(1230);
    }

    @ParameterizedTest(name = "{0}: ''{1}'' vs ''{2}'' -> {3}")
    @MethodSource("vectors")
    void conformance(String group, String pattern, String path, boolean expected) {
        String row = group + ": '" + pattern + "' vs '" + path + "'";
        assertThat(AddressPattern.compile(pattern).matches(path)).as(row).isEqualTo(expected);
        assertThat(AddressPattern.matches(pattern, path)).as(row).isEqualTo(expected);
    }

    // ------------------------------------------------------------ CLASP addresses

    @ParameterizedTest(name = "''{0}'' vs ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /lights/**               | /lights/room1/brightness | true
            /lights/**               | /lights/                 | true
            /lights/**               | /lights                  | false
            /lights/**               | /lightsaber              | false
            /lights/*                | /lights/room1            | true
            /lights/*                | /lights/                 | true
            /lights/*                | /lights/room1/brightness | false
            /lights/*                | /lights                  | false
            /lights/**/brightness    | /lights/brightness       | true
            /lights/**/brightness    | /lights/a/b/brightness   | true
            /lights/**/brightness    | /lights/abrightness      | false
            /sensors/{temp,hum}      | /sensors/temp            | true
            /sensors/{temp,hum}      | /sensors/hum             | true
            /sensors/{temp,hum}      | /sensors/humidity        | false
            /sensors/{temp,hum/*}    | /sensors/hum/a           | true
            /lights/room?/*          | /lights/room1/brightness | true
            /lights/room[12]/*       | /lights/room2/brightness | true
            /lights/room[12]/*       | /lights/room3/brightness | false
            /lights/room[!12]/*      | /lights/room3/brightness | true
            !/lights/**              | /audio/mixer/volume      | true
            !/lights/**              | /lights/room1/brightness | false
            /LIGHTS/**               | /lights/room1            | false
            /lights/room_/**         | /lights/room1/x          | false
            /lights/room_/**         | /lights/room_/x          | true
            /lights/100%             | /lights/1000             | false
            /lights/100%             | /lights/100%             | true
            /a\\*b                   | /a*b                     | true
            /a\\*b                   | /axb                     | false
            **                       | /a/b/c                   | true
            /**                      | /                        | true
            /*/*/brightness          | /lights/room1/brightness | true
            /*/*/brightness          | /lights/brightness       | false
            """)
    void claspAddresses(String pattern, String address, boolean expected) {
        assertThat(AddressPattern.matches(pattern, address)).isEqualTo(expected);
    }

    /** The memory-journal column of the Rust crate's own run over six addresses. */
    @Test
    void upstreamRustSemanticsFixture() {
        List<String> addresses = List.of("/lights/room1/brightness", "/lights/room2/brightness",
                "/audio/mixer/volume", "/sensors/temp/room1", "/sensors/temp", "/a/b/c/d/e");
        String[][] expected = {
            {"/**", "123456"}, {"**", "123456"}, {"/lights/**", "12"}, {"/LIGHTS/**", ""},
            {"/lights/room_/**", ""}, {"/sensors/*", "5"}, {"/Sensors/*", ""},
            {"/sensors/temp/**", "4"}, {"/sensors/temp/*", "4"}, {"/sensors/**", "45"},
            {"/a/**", "6"}, {"/*/*/brightness", "12"}, {"/lights/room1/brightness", "1"},
            {"/sensors/te*", "5"}, {"/sensors/{temp,hum}", "5"}, {"/a/b/**/e", "6"},
            {"/lights/room?/brightness", "12"}, {"/lights/room[12]/brightness", "12"},
            {"/lights/room?/*", "12"},
        };
        for (String[] row : expected) {
            AddressPattern pattern = AddressPattern.compile(row[0]);
            StringBuilder selected = new StringBuilder();
            for (int i = 0; i < addresses.size(); i++) {
                if (pattern.matches(addresses.get(i))) {
                    selected.append(i + 1);
                }
            }
            assertThat(selected.toString()).as(row[0]).isEqualTo(row[1]);
        }
    }

    // ------------------------------------------------------------ rules beyond the vectors

    @ParameterizedTest(name = "''{0}'' vs ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
            ''           | ''      | true
            ''           | a       | false
            !            | ''      | false
            !            | a       | true
            !!a          | a       | true
            a/**/*       | a/      | false
            a/**/*       | a/b     | true
            a/**/**      | a/      | true
            a/**/        | a/      | false
            a/**/b       | a//b    | true
            **/*         | ''      | true
            **/*         | a/      | false
            **/a         | a       | true
            a**          | a/b     | true
            a**          | ab      | true
            a/***        | a/b/c   | false
            a/**b        | a/b     | true
            {**/a,b}     | x/a     | true
            {**/a,b}     | x/y/a   | false
            {a/**,b}     | a/x/y   | false
            a/{**}/b     | a/x/y/b | false
            a,b}         | a,b}    | true
            {a,b         | b       | true
            {a,b         | c       | false
            {a,{b,c}d    | cd      | true
            {}           | ''      | false
            a{}b         | ab      | true
            [a-]         | -       | true
            [z-a]        | a       | false
            []]          | ]       | true
            [!]a]        | b       | true
            [/]          | /       | true
            [!a]         | /       | true
            ?            | /       | false
            *            | /       | false
            """)
    void inferredRules(String pattern, String address, boolean expected) {
        assertThat(AddressPattern.matches(pattern, address)).isEqualTo(expected);
    }

    /** The crate's answers that surprise, and the spellings that avoid them (see docs/reference.md). */
    @ParameterizedTest(name = "''{0}'' vs ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            **/*/*                                      | a/a                       | false
            /**/*/*                                     | /a%b/0/param3/0/ab        | false
            **/*                                        | a/                        | false
            **/                                         | /                         | false
            /{                                          | /                         | false
            ****                                        | /                         | true
            /a**                                        | /a/                       | true
            {**                                         | /                         | true
            /lights/**/*/brightness                     | /lights/room1/brightness  | false
            /lights/**/*/brightness                     | /lights//brightness       | true
            {/lights/*/brightness,/lights/*/*/brightness} | /lights/a/b/brightness  | true
            /lights/**/room*/brightness                 | /lights/a/room1/brightness | true
            /lights/{*,*/*}/brightness                  | /lights/a/b/brightness    | false
            /lights{,/room1}                            | /lights                   | false
            {/lights,/lights/room1}                     | /lights                   | true
            /lights/{a,b                                | /lights/b                 | true
            /a{                                         | /a                        | false
            /lights/**/                                 | /lights/a/                | true
            /lights/**/                                 | /lights/                  | false
            /lights/*/x                                 | /lights//x                | true
            **/*/*                                      | a/b/c                     | false
            */**/*                                      | a/b/c                     | true
            */**/*                                      | a/a                       | true
            /x/{a,ab}b                                  | /x/ab                     | false
            /x/{ab,abb}                                 | /x/abb                    | true
            {a\\}b,c}                                   | a}b                       | false
            {a[}]b,c}                                   | a}b                       | true
            !**/a                                       | x/y/a                     | true
            !/**/a                                      | /x/y/a                    | false
            !/**/a                                      | /x/y/b                    | true
            /lights/**                                  | /lights/a/                | true
            /a/**                                       | /a                        | false
            /x/{ab,abb}                                 | /x/ab                     | true
            {a[,]b,c}                                   | a,b                       | true
            /lights/?*/x                                | /lights//x                | false
            /lights/?*/x                                | /lights/a/x               | true
            /**/*                                       | /a/                       | false
            /**                                         | /a/                       | true
            /lights{,/room1}                            | /lights/room1             | true
            """)
    void crateQuirks(String pattern, String address, boolean expected) {
        assertThat(AddressPattern.matches(pattern, address)).isEqualTo(expected);
        assertThat(AddressPattern.compile(pattern).matches(address)).isEqualTo(expected);
    }

    /**
     * A literal followed by nothing or by stars is answered without walking the pattern; a
     * class for its first character ({@code [/]} for {@code /}) means the same to the crate but
     * takes the walk, so both must agree, surrogates and negation included.
     */
    @Test
    void literalShapesAgreeWithTheWalk() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        String[] pieces = {"a", "b", "/", "é", "\uD83D\uDCA1", "\uD800", "\uDC00", "\\*", "\\\\", "%"};
        String[] tails = {"", "*", "**", "***", "****", "/**", "/*", "/**/**"};
        String[] addressPieces = {"a", "b", "/", "é", "\uD83D\uDCA1", "\uD800", "\uDC00", "*", "\\", "%"};
        int matched = 0;
        for (int round = 0; round < 3_000; round++) {
            StringBuilder literal = new StringBuilder("/");
            for (int i = random.nextInt(4); i > 0; i--) {
                literal.append(pieces[random.nextInt(pieces.length)]);
            }
            String negation = random.nextInt(4) == 0 ? "!" : "";
            String tail = tails[random.nextInt(tails.length)];
            AddressPattern direct = AddressPattern.compile(negation + literal + tail);
            AddressPattern walked = AddressPattern.compile(negation + "[/]" + literal.substring(1) + tail);
            for (int k = 0; k < 20; k++) {
                StringBuilder address = new StringBuilder(random.nextBoolean() ? literal.toString()
                        .replace("\\\\", "\\").replace("\\*", "*") : "/");
                for (int i = random.nextInt(4); i > 0; i--) {
                    address.append(addressPieces[random.nextInt(addressPieces.length)]);
                }
                boolean answer = direct.matches(address.toString());
                assertThat(answer).as("'%s' vs '%s'", direct, address)
                        .isEqualTo(walked.matches(address.toString()));
                matched += answer ? 1 : 0;
            }
        }
        assertThat(matched).isGreaterThan(10_000);
    }

    @Test
    void escapes() {
        assertThat(AddressPattern.matches("\\*", "*")).isTrue();
        assertThat(AddressPattern.matches("\\b", "\b")).isTrue();
        assertThat(AddressPattern.matches("\\b", "b")).isFalse();
        assertThat(AddressPattern.matches("\\n\\r\\t", "\n\r\t")).isTrue();
        assertThat(AddressPattern.matches("\\a\\z\\\\", "az\\")).isTrue();
        assertThat(AddressPattern.matches("[\\]]", "]")).isTrue();
        assertThat(AddressPattern.matches("\\!a", "!a")).isTrue();
        assertThat(AddressPattern.matches("{a\\,b,c}", "a,b")).isTrue();
        // The byte after an escaped '}' still closes the brace, as in the crate.
        assertThat(AddressPattern.matches("{a\\}b,c}", "a}b")).isFalse();
        assertThat(AddressPattern.matches("{a\\}b,c}", "a}b,c}")).isTrue();
    }

    @Test
    void invalidPartsNeverMatchAndFailEvenWhenNegated() {
        assertThat(AddressPattern.matches("a[bc", "ab")).isFalse();
        assertThat(AddressPattern.matches("a[bc", "a[bc")).isFalse();
        assertThat(AddressPattern.matches("a\\", "a\\")).isFalse();
        assertThat(AddressPattern.matches("a\\", "a")).isFalse();
        // Reached with address bytes left: false whatever the negation.
        assertThat(AddressPattern.matches("!a[bc", "ab")).isFalse();
        assertThat(AddressPattern.matches("!a\\", "ab")).isFalse();
        // Not reached, or reached at the end of the address: plain non-match, so negation holds.
        assertThat(AddressPattern.matches("!a[bc", "xb")).isTrue();
        assertThat(AddressPattern.matches("!a[bc", "a")).isTrue();
        assertThat(AddressPattern.matches("!a\\", "a")).isTrue();
        assertThat(AddressPattern.matches("[", "")).isFalse();
        assertThat(AddressPattern.matches("[\\", "a")).isFalse();
        assertThat(AddressPattern.matches("[a-\\", "a")).isFalse();
    }

    @Test
    void matchingIsOnUtf8Bytes() {
        assertThat(AddressPattern.matches("/caf?", "/café")).isFalse();
        assertThat(AddressPattern.matches("/caf??", "/café")).isTrue();
        assertThat(AddressPattern.matches("/caf*", "/café")).isTrue();
        assertThat(AddressPattern.matches("/café", "/café")).isTrue();
        assertThat(AddressPattern.matches("/*/x", "/\uD83D\uDCA1/x")).isTrue();
        assertThat(AddressPattern.matches("/????/x", "/\uD83D\uDCA1/x")).isTrue();
        assertThat(AddressPattern.matches("/\\é", "/é")).isTrue();
        assertThat(AddressPattern.matches("[é][é]", "é")).isTrue();
        // An unpaired surrogate is its own three bytes: it matches itself, not U+FFFD.
        assertThat(AddressPattern.matches("/a\uD800", "/a\uD800")).isTrue();
        assertThat(AddressPattern.matches("/a\uD800", "/a\uFFFD")).isFalse();
        assertThat(AddressPattern.matches("/a\uFFFD", "/a\uD800")).isFalse();
        assertThat(AddressPattern.matches("/a???", "/a\uDC00")).isTrue();
    }

    // ------------------------------------------------------------ API contract

    @Test
    void nullsAreRejected() {
        assertThatThrownBy(() -> AddressPattern.compile(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AddressPattern.compile("/a").matches(null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AddressPattern.matches(null, "/a")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AddressPattern.matches("/a", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void identityIsThePatternText() {
        AddressPattern a = AddressPattern.compile("/lights/**");
        AddressPattern b = AddressPattern.compile("/lights/**");
        AddressPattern c = AddressPattern.compile("/lights/**/**");
        assertThat(a.pattern()).isEqualTo("/lights/**");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c).isNotEqualTo("/lights/**");
        assertThat(a.toString()).isEqualTo("/lights/**");
    }

    @Test
    void everyStringCompiles() {
        for (String pattern : List.of("", "!", "[", "]", "{", "}", ",", "\\", "[!", "[^", "{,", "{{{{",
                "}}}}", "[]", "[!]", "***", "/**/**/**", "{[}]", "\uD800", "\uDC00\uD800")) {
            AddressPattern compiled = AddressPattern.compile(pattern);
            compiled.matches("");
            compiled.matches("/a/b");
            assertThat(compiled.pushdown()).isNotNull();
        }
    }

    @Test
    void concurrentUseAgrees() throws Exception {
        // The second pattern also uses the per-thread brace stack.
        AddressPattern small = AddressPattern.compile("/lights/**/room?/*");
        AddressPattern large = AddressPattern.compile("/lights/**/{a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t}?/"
                + "{a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t}?x");
        List<String> addresses = List.of("/lights/x/room1/b", "/lights/room1/b", "/lights/a/b/c/uyx",
                "/lights/a/b/cq/tyx", "/lights/", "/audio/x");
        boolean[][] expected = new boolean[2][addresses.size()];
        for (int i = 0; i < addresses.size(); i++) {
            expected[0][i] = small.matches(addresses.get(i));
            expected[1][i] = large.matches(addresses.get(i));
        }
        assertThat(expected[0]).containsExactly(true, true, false, false, false, false);
        assertThat(expected[1]).containsExactly(false, false, false, true, false, false);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int round = 0; round < 2_000; round++) {
                        for (int i = 0; i < addresses.size(); i++) {
                            assertThat(small.matches(addresses.get(i))).isEqualTo(expected[0][i]);
                            assertThat(large.matches(addresses.get(i))).isEqualTo(expected[1][i]);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void matchingDoesNotAllocate() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        AddressPattern small = AddressPattern.compile("/lights/**/{room?,hall}/*");
        AddressPattern large = AddressPattern.compile("/a/{b,c}" + "{}".repeat(40) + "/**/x*");
        String[] addresses = {"/lights/a/b/room1/brightness", "/lights/hall/x", "/audio/é/x", "/a/b/c/d/xy"};
        int hits = 0;
        for (int warmup = 0; warmup < 20_000; warmup++) {
            hits += small.matches(addresses[warmup & 3]) ? 1 : 0;
            hits += large.matches(addresses[warmup & 3]) ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int round = 0; round < 100_000; round++) {
            hits += small.matches(addresses[round & 3]) ? 1 : 0;
            hits += large.matches(addresses[round & 3]) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertThat(hits).isEqualTo(120_000 / 4 * 3);
        // A few hundred bytes of slack for the measuring itself; an allocation per call would
        // show up as megabytes here.
        assertThat(allocated).isLessThan(10_000);
    }

    // ------------------------------------------------------------ linear time

    @Test
    void manyStarsAgainstLongInput() {
        String address = "a".repeat(100_000);
        assertTimeoutPreemptively(FAST, () -> {
            assertThat(AddressPattern.matches("a*a*a*a*a*a*a*a*a*a*b", address)).isFalse();
            assertThat(AddressPattern.matches("a*a*a*a*a*a*a*a*a*a*a", address)).isTrue();
            assertThat(AddressPattern.matches("*".repeat(200) + "b", address)).isFalse();
            assertThat(AddressPattern.matches("?*".repeat(100) + "b", address)).isFalse();
        });
    }

    @Test
    void globstarsAgainstDeepPath() {
        String deep = "/a".repeat(20_000) + "/y";
        assertTimeoutPreemptively(FAST, () -> {
            assertThat(AddressPattern.matches("**/**/**/**/**/**/x", deep)).isFalse();
            assertThat(AddressPattern.matches("/**/a/**/a/**/a/**/a/**/a/**/a/**/x", deep)).isFalse();
            assertThat(AddressPattern.matches("/**/a/**/a/**/a/**/a/**/a/**/a/**/y", deep)).isTrue();
            assertThat(AddressPattern.matches("/**/*a*/**/*a*/**/*a*/**/*a*/**/z", deep)).isFalse();
            assertThat(AddressPattern.matches("**/" + "*/".repeat(100) + "x", deep)).isFalse();
        });
    }

    @Test
    void nestedBracesAgainstLongInput() {
        String address = "a".repeat(50_000);
        String nested = "{a,{a,{a,b}}}*";
        assertTimeoutPreemptively(FAST, () -> {
            assertThat(AddressPattern.matches(nested.repeat(10) + "b", address)).isFalse();
            assertThat(AddressPattern.matches(nested.repeat(10), address)).isTrue();
            assertThat(AddressPattern.matches("{".repeat(2_000) + "a" + "}".repeat(2_000) + "*b", address))
                    .isFalse();
            assertThat(AddressPattern.matches("{a*,{a*,{a*,{a*,b}}}}".repeat(20) + "c", address)).isFalse();
            assertThat(AddressPattern.matches("{**/a,{**/a,**/b}}/**/{*,?}/x", "/a".repeat(10_000)))
                    .isFalse();
        });
    }

    @Test
    void starsInsideBracesBehindAStarStayBounded() {
        // The crate's walk grows with the cube of the address here; this one stops at its
        // step bound and answers false.
        AddressPattern cubic = AddressPattern.compile("*{*{*x}}y");
        String address = "a".repeat(4_000);
        assertTimeoutPreemptively(FAST, () -> {
            assertThat(cubic.matches(address)).isFalse();
            assertThat(cubic.cutShort(address)).isTrue();
            assertThat(AddressPattern.matches("!*{*{*x}}y", address)).isFalse();
            assertThat(AddressPattern.matches("*{*x,*y}z", "a".repeat(20_000))).isFalse();
        });
        // Short addresses get the crate's own verdict.
        assertThat(cubic.matches("aaxy")).isTrue();
        assertThat(cubic.matches("aaxay")).isFalse();
        assertThat(cubic.cutShort("a".repeat(60) + "xy")).isFalse();
        assertThat(cubic.matches("a".repeat(60) + "xy")).isTrue();
    }

    @Test
    void theLongInputsAboveGetTheCratesVerdictNotTheBound() {
        String as = "a".repeat(50_000);
        String deep = "/a".repeat(20_000) + "/y";
        String nested = "{a,{a,{a,b}}}*";
        List<String[]> cases = List.of(
                new String[] {"a*a*a*a*a*a*a*a*a*a*b", "a".repeat(100_000)},
                new String[] {"?*".repeat(100) + "b", "a".repeat(100_000)},
                new String[] {"/**/a/**/a/**/a/**/a/**/a/**/a/**/x", deep},
                new String[] {"/**/*a*/**/*a*/**/*a*/**/*a*/**/z", deep},
                new String[] {"**/" + "*/".repeat(100) + "x", deep},
                new String[] {nested.repeat(10) + "b", as},
                new String[] {nested.repeat(10), as},
                new String[] {"{a*,{a*,{a*,{a*,b}}}}".repeat(20) + "c", as},
                new String[] {"{**/a,{**/a,**/b}}/**/{*,?}/x", "/a".repeat(10_000)});
        assertTimeoutPreemptively(FAST, () -> {
            for (String[] c : cases) {
                assertThat(AddressPattern.compile(c[0]).cutShort(c[1])).as(c[0]).isFalse();
            }
        });
    }

    @Test
    void hugePatternCompilesAndMatches() {
        String pattern = "/a*".repeat(30_000) + "/{x,y}";
        String address = "/ab".repeat(30_000) + "/y";
        assertTimeoutPreemptively(FAST, () -> {
            AddressPattern compiled = AddressPattern.compile(pattern);
            assertThat(compiled.matches(address)).isTrue();
            assertThat(compiled.matches(address + "z")).isFalse();
        });
    }
}
