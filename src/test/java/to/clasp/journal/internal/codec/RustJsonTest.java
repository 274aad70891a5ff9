package to.clasp.journal.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;

/** The Rust JSON form of single values: {@code toJson}, {@code fromJson}, {@code isJsonExact}. */
public class RustJsonTest {

    static Value map(Object... keysAndValues) {
        Map<String, Value> entries = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            entries.put((String) keysAndValues[i], (Value) keysAndValues[i + 1]);
        }
        return Value.of(entries);
    }

    static Value array(Value... items) {
        return Value.of(List.of(items));
    }

    static Value nestedArrays(int depth) {
        Value v = Value.of(1L);
        for (int i = 0; i < depth; i++) {
            v = Value.of(List.of(v));
        }
        return v;
    }

    static Value nestedMaps(int depth) {
        Value v = Value.of("leaf");
        for (int i = 0; i < depth; i++) {
            v = Value.of(Map.of("k" + i, v));
        }
        return v;
    }

    static Value bytes(int... unsigned) {
        byte[] data = new byte[unsigned.length];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) unsigned[i];
        }
        return Value.of(data);
    }

    static final String HELLO = "héllo \"quoted\" \n line";

    /** The values the Rust crate wrote into its fixture journal and the value_json it stored. */
    @Nested
    class WritesWhatRustWrites {

        @Test
        void everyFixtureValue() {
            assertThat(RustJson.toJson(Value.of(0.75))).isEqualTo("0.75");
            assertThat(RustJson.toJson(Value.of(1.0))).isEqualTo("1.0");
            assertThat(RustJson.toJson(Value.of(-2.5e-7))).isEqualTo("-2.5e-7");
            assertThat(RustJson.toJson(Value.of(42L))).isEqualTo("42");
            assertThat(RustJson.toJson(Value.of(-9007199254740993L))).isEqualTo("-9007199254740993");
            assertThat(RustJson.toJson(Value.of(Long.MAX_VALUE))).isEqualTo("9223372036854775807");
            assertThat(RustJson.toJson(Value.of(true))).isEqualTo("true");
            assertThat(RustJson.toJson(Value.of(false))).isEqualTo("false");
            assertThat(RustJson.toJson(Value.NULL)).isEqualTo("null");
            assertThat(RustJson.toJson(Value.of(HELLO))).isEqualTo("\"héllo \\\"quoted\\\" \\n line\"");
            assertThat(RustJson.toJson(array(Value.of(1L), Value.of(2.5), Value.of("x")))).isEqualTo("[1,2.5,\"x\"]");
            assertThat(RustJson.toJson(map("r", Value.of(255L), "g", Value.of(0.5)))).isEqualTo("{\"r\":255,\"g\":0.5}");
            assertThat(RustJson.toJson(bytes(0, 1, 2, 255))).isEqualTo("[0,1,2,255]");
            assertThat(RustJson.toJson(Value.of(Double.NaN))).isEqualTo("null");
            assertThat(RustJson.toJson(Value.of(0.5))).isEqualTo("0.5");
        }

        @Test
        void nonFiniteFloatsBecomeNullAtAnyDepth() {
            assertThat(RustJson.toJson(Value.of(Double.POSITIVE_INFINITY))).isEqualTo("null");
            assertThat(RustJson.toJson(Value.of(Double.NEGATIVE_INFINITY))).isEqualTo("null");
            assertThat(RustJson.toJson(array(Value.of(Double.NaN), map("i", Value.of(Double.NEGATIVE_INFINITY)))))
                    .isEqualTo("[null,{\"i\":null}]");
        }

        @Test
        void bytesAreUnsignedIntegersAtAnyDepth() {
            assertThat(RustJson.toJson(bytes())).isEqualTo("[]");
            assertThat(RustJson.toJson(bytes(128, 127, 0xfe))).isEqualTo("[128,127,254]");
            assertThat(RustJson.toJson(map("b", array(bytes(7))))).isEqualTo("{\"b\":[[7]]}");
        }

        @Test
        void containersAreCompactAndKeepMapOrder() {
            assertThat(RustJson.toJson(array())).isEqualTo("[]");
            assertThat(RustJson.toJson(map())).isEqualTo("{}");
            assertThat(RustJson.toJson(map("z", Value.of(1L), "a", array(), "m", map("", Value.NULL))))
                    .isEqualTo("{\"z\":1,\"a\":[],\"m\":{\"\":null}}");
        }

        @Test
        void stringsEscapeOnlyWhatSerdeJsonEscapes() {
            String controls = "\u0000\u0001\u001f\b\t\n\f\r";
            assertThat(RustJson.toJson(Value.of(controls)))
                    .isEqualTo("\"\\u0000\\u0001\\u001f\\b\\t\\n\\f\\r\"");
            assertThat(RustJson.toJson(Value.of("a/b\u007f\u2028é😀中"))).isEqualTo("\"a/b\u007f\u2028é😀中\"");
            assertThat(RustJson.toJson(Value.of("\\\""))).isEqualTo("\"\\\\\\\"\"");
            assertThat(RustJson.toJson(map("k\n\"é", Value.of(1L)))).isEqualTo("{\"k\\n\\\"é\":1}");
        }

        @Test
        void unpairedSurrogatesBecomeReplacementCharacters() {
            assertThat(RustJson.toJson(Value.of("a\uD800b\uDC00"))).isEqualTo("\"a\uFFFDb\uFFFD\"");
            assertThat(RustJson.toJson(Value.of("\uDBFF"))).isEqualTo("\"\uFFFD\"");
            assertThat(RustJson.toJson(map("\uDC00\uD800", Value.of(1L)))).isEqualTo("{\"\uFFFD\uFFFD\":1}");
            // A well-formed pair is kept.
            assertThat(RustJson.toJson(Value.of("\uD83D\uDE00"))).isEqualTo("\"😀\"");
        }
    }

    /** Floats laid out as Rust's ryu does: shortest digits, plain within [1e-5, 1e16). */
    @Nested
    class FloatFormatting {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
            "0.0|0.0",
            "-0.0|-0.0",
            "1.0|1.0",
            "-1.5|-1.5",
            "3.1|3.1",
            "255.0|255.0",
            "1e7|10000000.0",
            "1e15|1000000000000000.0",
            "9999999999999998|9999999999999998.0",
            "1e16|1e16",
            "1.5e16|1.5e16",
            "123456789012345680|1.2345678901234568e17",
            "123456.789|123456.789",
            "0.001|0.001",
            "0.0001|0.0001",
            "0.00001|0.00001",
            "0.000012345|0.000012345",
            "1e-6|1e-6",
            "1.25e-6|1.25e-6",
            "-2.5e-7|-2.5e-7",
            "1e23|1e23",
            "1e22|1e22",
            "1e21|1e21",
            "4.9E-324|5e-324",
            "-4.9E-324|-5e-324",
            "1.0E-323|1e-323",
            "1.5E-323|1.5e-323",
            "2.2250738585072014E-308|2.2250738585072014e-308",
            "1.7976931348623157E308|1.7976931348623157e308",
            "-1.7976931348623157E308|-1.7976931348623157e308",
            "2.220446049250313E-16|2.220446049250313e-16",
            "0.30000000000000004|0.30000000000000004",
            "9007199254740993|9007199254740992.0",
        })
        void matchesRyu(String input, String expected) {
            double d = Double.parseDouble(input);
            assertThat(RustJson.formatDouble(d)).isEqualTo(expected);
            assertThat(RustJson.toJson(Value.of(d))).isEqualTo(expected);
            assertThat(RustJson.toJson(array(Value.of(d)))).isEqualTo("[" + expected + "]");
        }

        @Test
        void twoSubnormalsApartStillReadBack() {
            for (long bits = 1; bits <= 5000; bits++) {
                double d = Double.longBitsToDouble(bits);
                String text = RustJson.formatDouble(d);
                assertThat(Double.parseDouble(text)).as(text).isEqualTo(d);
                assertThat(text.replace("-", "").replace(".", "").replaceAll("e.*", "").replaceAll("^0+", "").length())
                        .as("digits of %s (Java: %s)", text, Double.toString(d))
                        .isLessThanOrEqualTo(Double.toString(d).replaceAll("E.*", "").replace(".", "")
                                .replaceAll("^0+", "").replaceAll("0+$", "").length());
            }
        }
    }

    /** The value_json strings of the Rust fixture read back as the Rust crate reads them. */
    @Nested
    class ReadsWhatRustReads {

        @Test
        void fixtureStrings() {
            assertThat(RustJson.fromJson("{\"r\":255,\"g\":0.5}"))
                    .isEqualTo(map("r", Value.of(255L), "g", Value.of(0.5)));
            assertThat(((Value.Map) RustJson.fromJson("{\"r\":255,\"g\":0.5}")).entries().keySet())
                    .containsExactly("r", "g");
            assertThat(RustJson.fromJson("{\"g\":0.5,\"r\":255}").toString()).isEqualTo(
                    map("g", Value.of(0.5), "r", Value.of(255L)).toString());
            assertThat(RustJson.fromJson("[1,2.5,\"x\"]")).isEqualTo(array(Value.of(1L), Value.of(2.5), Value.of("x")));
            assertThat(RustJson.fromJson("9223372036854775807")).isEqualTo(Value.of(Long.MAX_VALUE));
            assertThat(RustJson.fromJson("-9007199254740993")).isEqualTo(Value.of(-9007199254740993L));
            assertThat(RustJson.fromJson("\"héllo \\\"quoted\\\" \\n line\"")).isEqualTo(Value.of(HELLO));
            assertThat(RustJson.fromJson("1.0")).isEqualTo(Value.of(1.0)).isInstanceOf(Value.Float.class);
            assertThat(RustJson.fromJson("[0,1,2,255]"))
                    .isEqualTo(array(Value.of(0L), Value.of(1L), Value.of(2L), Value.of(255L)));
            assertThat(RustJson.fromJson("null")).isSameAs(Value.NULL);
            assertThat(RustJson.fromJson("-2.5e-7")).isEqualTo(Value.of(-2.5e-7));
            assertThat(RustJson.fromJson("0.75")).isEqualTo(Value.of(0.75));
            assertThat(RustJson.fromJson("42")).isEqualTo(Value.of(42L));
            assertThat(RustJson.fromJson("true")).isEqualTo(Value.of(true));
            assertThat(RustJson.fromJson("false")).isEqualTo(Value.of(false));
        }

        @Test
        void integersOutsideTheLongRangeAreFloats() {
            assertThat(RustJson.fromJson("9223372036854775808")).isEqualTo(Value.of(9.223372036854775807E18));
            assertThat(RustJson.fromJson("-9223372036854775808")).isEqualTo(Value.of(Long.MIN_VALUE));
            assertThat(RustJson.fromJson("-9223372036854775809")).isEqualTo(Value.of(-9.223372036854775807E18));
            assertThat(RustJson.fromJson("18446744073709551615")).isEqualTo(Value.of(1.8446744073709552E19));
            assertThat(RustJson.fromJson("1" + "0".repeat(300))).isEqualTo(Value.of(1e300));
        }

        @Test
        void numbersWithAFractionOrExponentAreFloats() {
            assertThat(RustJson.fromJson("1e2")).isEqualTo(Value.of(100.0));
            assertThat(RustJson.fromJson("1E+2")).isEqualTo(Value.of(100.0));
            assertThat(RustJson.fromJson("0.0")).isEqualTo(Value.of(0.0));
            assertThat(RustJson.fromJson("-0.0")).isEqualTo(Value.of(-0.0));
            assertThat(RustJson.fromJson("1e-400")).isEqualTo(Value.of(0.0));
            assertThat(RustJson.fromJson("5e-324")).isEqualTo(Value.of(Double.MIN_VALUE));
            assertThat(RustJson.fromJson("1.7976931348623157e308")).isEqualTo(Value.of(Double.MAX_VALUE));
        }

        @Test
        void minusZeroIsAFloatAsInSerdeJson() {
            assertThat(RustJson.fromJson("-0")).isEqualTo(Value.of(-0.0));
            assertThat(RustJson.fromJson("0")).isEqualTo(Value.of(0L));
            assertThat(RustJson.fromJson("[-0,0]")).isEqualTo(array(Value.of(-0.0), Value.of(0L)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"1e400", "-1e400", "1E309"})
        void numbersBeyondTheDoubleRangeAreRejected(String json) {
            assertThatThrownBy(() -> RustJson.fromJson(json))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("number out of range");
        }

        @Test
        void duplicateKeysLastValueWinsAtTheFirstPosition() {
            Value v = RustJson.fromJson("{\"a\":1,\"b\":2,\"a\":3}");
            assertThat(v).isEqualTo(map("a", Value.of(3L), "b", Value.of(2L)));
            assertThat(((Value.Map) v).entries().keySet()).containsExactly("a", "b");
        }

        @Test
        void escapesAndWhitespace() {
            assertThat(RustJson.fromJson(" \t\r\n 42 \n")).isEqualTo(Value.of(42L));
            assertThat(RustJson.fromJson("\"\\u00e9\\/\\b\\f\\u001F\\ud83d\\ude00\"")).isEqualTo(Value.of("é/\b\f\u001f😀"));
            assertThat(RustJson.fromJson("[ 1 , { \"a\" : [ ] } ]")).isEqualTo(array(Value.of(1L), map("a", array())));
            // Rust rejects an escaped lone surrogate; accepting it loses nothing.
            assertThat(RustJson.fromJson("\"\\ud800\"")).isEqualTo(Value.of("\uD800"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "", "   ", "{", "}", "[1,2", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{1:2}",
            "tru", "nul", "True", "NaN", "-Infinity", "Infinity", "01", "-01", "1.", ".5", "+1", "1e", "--1",
            "'a'", "\"unterminated", "\"tab\there\"", "\"bad \\x escape\"", "\"\\u12\"",
            "1 2", "[1]x", "null null", "{} {}", "[1]]", "// comment\n1", "1 /* c */", "0x10",
        })
        void malformedJsonIsRejected(String json) {
            assertThatThrownBy(() -> RustJson.fromJson(json))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("malformed JSON");
        }

        @Test
        void errorsSayWhere() {
            assertThatThrownBy(() -> RustJson.fromJson("[1,\n  2,\n  x]"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("line 3");
            assertThatThrownBy(() -> RustJson.fromJson("[1] 2"))
                    .hasMessageContaining("after the value")
                    .hasMessageContaining("column 5");
        }

        @Test
        void nullArgumentsThrowNullPointerException() {
            assertThatThrownBy(() -> RustJson.fromJson(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> RustJson.toJson(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> RustJson.isJsonExact(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ValueCodec.checkNesting(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Nested
    class RoundTrip {

        @Test
        void everyExactKind() {
            List<Value> values = List.of(
                    Value.NULL, Value.of(true), Value.of(false),
                    Value.of(0L), Value.of(-1L), Value.of(Long.MIN_VALUE), Value.of(Long.MAX_VALUE),
                    Value.of(0.0), Value.of(-0.0), Value.of(1.0), Value.of(-1.0), Value.of(0.1), Value.of(1e23),
                    Value.of(4.9E-324), Value.of(Double.MIN_NORMAL), Value.of(1.7976931348623157E308),
                    Value.of(-Double.MAX_VALUE), Value.of(9007199254740993.0), Value.of(1e16), Value.of(123456.789),
                    Value.of(""), Value.of(HELLO), Value.of("émoji 😀 中文 \u0000\u001f\u007f\u2028\uFFFF"),
                    array(), map(), array(array(), map()),
                    map("z", Value.of(1L), "a", Value.of(2.0), "é😀", array(Value.NULL, Value.of("x"))),
                    nestedArrays(100), nestedMaps(100));
            for (Value v : values) {
                assertThat(RustJson.isJsonExact(v)).as("exact: %s", v).isTrue();
                assertThat(RustJson.fromJson(RustJson.toJson(v))).as("round trip of %s", v).isEqualTo(v);
            }
        }

        @Test
        void floatOneStaysAFloatAndMinusZeroKeepsItsSign() {
            assertThat(RustJson.fromJson(RustJson.toJson(Value.of(1.0)))).isInstanceOf(Value.Float.class);
            Value negZero = RustJson.fromJson(RustJson.toJson(Value.of(-0.0)));
            assertThat(Double.doubleToRawLongBits(((Value.Float) negZero).value()))
                    .isEqualTo(Double.doubleToRawLongBits(-0.0));
        }

        @Test
        void mapOrderIsKept() {
            Value v = map("c", Value.of(1L), "a", Value.of(2L), "b", Value.of(3L));
            assertThat(((Value.Map) RustJson.fromJson(RustJson.toJson(v))).entries().keySet())
                    .containsExactly("c", "a", "b");
        }

        @Test
        void lossyKindsReadBackAsRustWouldReadThem() {
            assertThat(RustJson.fromJson(RustJson.toJson(bytes(0, 1, 2, 255))))
                    .isEqualTo(array(Value.of(0L), Value.of(1L), Value.of(2L), Value.of(255L)));
            assertThat(RustJson.fromJson(RustJson.toJson(bytes()))).isEqualTo(array());
            assertThat(RustJson.fromJson(RustJson.toJson(Value.of(Double.NaN)))).isSameAs(Value.NULL);
            assertThat(RustJson.fromJson(RustJson.toJson(Value.of("\uD800x")))).isEqualTo(Value.of("\uFFFDx"));
        }
    }

    @Nested
    class JsonExactness {

        @Test
        void bytesAnywhereAreNotExact() {
            assertThat(RustJson.isJsonExact(bytes())).isFalse();
            assertThat(RustJson.isJsonExact(bytes(1, 2))).isFalse();
            assertThat(RustJson.isJsonExact(array(Value.of(1L), map("b", array(bytes(0)))))).isFalse();
        }

        @Test
        void nonFiniteFloatsAnywhereAreNotExact() {
            assertThat(RustJson.isJsonExact(Value.of(Double.NaN))).isFalse();
            assertThat(RustJson.isJsonExact(Value.of(Double.POSITIVE_INFINITY))).isFalse();
            assertThat(RustJson.isJsonExact(map("x", array(Value.of(Double.NEGATIVE_INFINITY))))).isFalse();
        }

        @Test
        void unpairedSurrogatesInStringsOrKeysAreNotExact() {
            assertThat(RustJson.isJsonExact(Value.of("a\uD800"))).isFalse();
            assertThat(RustJson.isJsonExact(Value.of("\uDC00a"))).isFalse();
            assertThat(RustJson.isJsonExact(map("\uD800", Value.NULL))).isFalse();
            assertThat(RustJson.isJsonExact(array(Value.of("ok"), Value.of("\uDFFF")))).isFalse();
            assertThat(RustJson.isJsonExact(Value.of("\uD83D\uDE00"))).isTrue();
        }

        @Test
        void everythingElseIsExact() {
            assertThat(RustJson.isJsonExact(Value.of(-0.0))).isTrue();
            assertThat(RustJson.isJsonExact(Value.of(Long.MIN_VALUE))).isTrue();
            assertThat(RustJson.isJsonExact(map("a", array(Value.NULL, Value.of(1.0), Value.of("é"))))).isTrue();
        }
    }

    @Nested
    class Depth {

        @Test
        void theDeepestAllowedValueRoundTrips() {
            Value arrays = nestedArrays(ValueCodec.MAX_DEPTH);
            Value maps = nestedMaps(ValueCodec.MAX_DEPTH);
            ValueCodec.checkNesting(arrays);
            ValueCodec.checkNesting(maps);
            assertThat(RustJson.isJsonExact(arrays)).isTrue();
            assertThat(RustJson.fromJson(RustJson.toJson(arrays))).isEqualTo(arrays);
            assertThat(RustJson.fromJson(RustJson.toJson(maps))).isEqualTo(maps);
        }

        @Test
        void theDeepestValueStaysWithinTheRustReadersNestingLimitEvenInASnapshot() {
            // serde_json gives up past 127 nested arrays and objects.
            String json = RustJson.paramsToJson(List.of(
                    new ParamSnapshot("/p", nestedMaps(ValueCodec.MAX_DEPTH), 1, "w", 1)));
            int depth = 0;
            int deepest = 0;
            boolean inString = false;
            for (int i = 0; i < json.length(); i++) {
                char c = json.charAt(i);
                if (inString) {
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '[' || c == '{') {
                    deepest = Math.max(deepest, ++depth);
                } else if (c == ']' || c == '}') {
                    depth--;
                }
            }
            assertThat(deepest).isEqualTo(127);
        }

        @Test
        void deeperValuesAreRefusedOnWrite() {
            Value tooDeep = nestedArrays(ValueCodec.MAX_DEPTH + 1);
            assertThat(RustJson.isJsonExact(tooDeep)).isFalse();
            assertThatThrownBy(() -> ValueCodec.checkNesting(tooDeep))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("deeper than " + ValueCodec.MAX_DEPTH);
            assertThatThrownBy(() -> ValueCodec.checkNesting(map("m", nestedMaps(ValueCodec.MAX_DEPTH))))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> RustJson.toJson(tooDeep))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("deeper than " + ValueCodec.MAX_DEPTH);
            assertThatThrownBy(() -> RustJson.toJson(nestedMaps(ValueCodec.MAX_DEPTH + 1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void bytesCountAsALevelBecauseTheyAreWrittenAsAnArray() {
            Value deepest = bytes(1);
            for (int i = 1; i < ValueCodec.MAX_DEPTH; i++) {
                deepest = Value.of(List.of(deepest));
            }
            Value expected = Value.of(List.of(Value.of(1L)));
            for (int i = 1; i < ValueCodec.MAX_DEPTH; i++) {
                expected = Value.of(List.of(expected));
            }
            assertThat(RustJson.fromJson(RustJson.toJson(deepest))).isEqualTo(expected);
            ValueCodec.checkNesting(deepest);
            Value tooDeep = Value.of(List.of(deepest));
            assertThatThrownBy(() -> RustJson.toJson(tooDeep)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ExactCbor.toExact(tooDeep)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ValueCodec.checkNesting(tooDeep)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void deeperTextIsRefusedOnReadWithoutExhaustingTheStack() {
            String justTooDeep = "[".repeat(ValueCodec.MAX_DEPTH + 1) + "]".repeat(ValueCodec.MAX_DEPTH + 1);
            assertThatThrownBy(() -> RustJson.fromJson(justTooDeep))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("deeper than " + ValueCodec.MAX_DEPTH);
            String hostile = "[".repeat(500_000);
            assertThatThrownBy(() -> RustJson.fromJson(hostile)).isInstanceOf(IllegalArgumentException.class);
            String hostileMaps = "{\"a\":".repeat(500_000);
            assertThatThrownBy(() -> RustJson.fromJson(hostileMaps)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void longStringsAndKeysRoundTrip() {
        String big = "é".repeat(3_000_000) + "x";
        Value v = map(big, Value.of(big));
        assertThat(RustJson.fromJson(RustJson.toJson(v))).isEqualTo(v);
    }
}
