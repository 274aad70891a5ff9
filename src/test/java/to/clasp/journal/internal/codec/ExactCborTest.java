package to.clasp.journal.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.internal.codec.RustJsonTest.array;
import static to.clasp.journal.internal.codec.RustJsonTest.bytes;
import static to.clasp.journal.internal.codec.RustJsonTest.map;
import static to.clasp.journal.internal.codec.RustJsonTest.nestedArrays;
import static to.clasp.journal.internal.codec.RustJsonTest.nestedMaps;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import to.clasp.journal.Value;

/** The exact binary form: {@code toExact} and {@code fromExact}. */
public class ExactCborTest {

    static Value roundTrip(Value v) {
        return ExactCbor.fromExact(ExactCbor.toExact(v));
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    @Test
    void everyKindRoundTripsExactly() {
        List<Value> values = List.of(
                Value.NULL, Value.of(true), Value.of(false),
                Value.of(0L), Value.of(23L), Value.of(24L), Value.of(-24L), Value.of(-25L), Value.of(255L),
                Value.of(65536L), Value.of(Long.MIN_VALUE), Value.of(Long.MAX_VALUE),
                Value.of(0.0), Value.of(-0.0), Value.of(1.0), Value.of(0.5), Value.of(4.9E-324),
                Value.of(1.7976931348623157E308), Value.of(1e23), Value.of(Double.NaN),
                Value.of(Double.POSITIVE_INFINITY), Value.of(Double.NEGATIVE_INFINITY),
                Value.of(""), Value.of("héllo \"quoted\" \n line"), Value.of("😀 中文 \u0000\u001f"),
                Value.of("lone \uD800 high"), Value.of("\uDC00 lone low"), Value.of("\uDFFF\uD800"),
                bytes(), bytes(0, 1, 2, 255), Value.of(new byte[100_000]),
                array(), map(),
                array(bytes(1, 2), map("b", bytes(255)), Value.of(Double.NaN), array(bytes())),
                map("z", Value.of(1L), "a", Value.of(Double.NEGATIVE_INFINITY), "é😀", array(bytes(9))),
                map("\uD800key", Value.of(1L), "ok", Value.of("\uDC00"), "", map("\uDBFF", bytes(3))),
                nestedArrays(100), nestedMaps(100), nestedArrays(ValueCodec.MAX_DEPTH));
        for (Value v : values) {
            assertThat(roundTrip(v)).as("round trip of %s", v).isEqualTo(v);
        }
    }

    @Test
    void kindsAreKeptWhereJsonWouldChangeThem() {
        assertThat(roundTrip(Value.of(1.0))).isInstanceOf(Value.Float.class);
        assertThat(roundTrip(bytes(0, 1))).isInstanceOf(Value.Bytes.class);
        assertThat(roundTrip(bytes())).isInstanceOf(Value.Bytes.class);
        assertThat(roundTrip(Value.of(Double.NaN))).isInstanceOf(Value.Float.class);
        double negZero = ((Value.Float) roundTrip(Value.of(-0.0))).value();
        assertThat(Double.doubleToRawLongBits(negZero)).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void mapOrderIsKept() {
        Value v = map("c", Value.of(1L), "a", bytes(2), "b", Value.of(3.0));
        assertThat(((Value.Map) roundTrip(v)).entries().keySet()).containsExactly("c", "a", "b");
        Value odd = map("c", Value.of(1L), "\uD800", Value.of(2L), "b", Value.of(3L));
        assertThat(((Value.Map) roundTrip(odd)).entries().keySet()).containsExactly("c", "\uD800", "b");
    }

    /** The layout is a stored format: these bytes must never change under version 1. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "null|01 f6",
        "true|01 f5",
        "int 1|01 01",
        "int -1|01 20",
        "int 255|01 18 ff",
        "int max|01 1b 7fffffffffffffff",
        "int min|01 3b 7fffffffffffffff",
        "float 1.0|01 fb 3ff0000000000000",
        "float NaN|01 fb 7ff8000000000000",
        "string a|01 61 61",
        "bytes|01 44 000102ff",
        "array|01 82 01 f4",
        "map|01 a1 61 6b 80",
        "lone surrogate|01 d8 41 44 d800 0061",
        "lone surrogate key|01 da 6a6d6170 82 d8 41 42 dc00 f6",
    })
    void encodingIsCompactAndStable(String name, String expectedHex) {
        Value v = switch (name) {
            case "null" -> Value.NULL;
            case "true" -> Value.of(true);
            case "int 1" -> Value.of(1L);
            case "int -1" -> Value.of(-1L);
            case "int 255" -> Value.of(255L);
            case "int max" -> Value.of(Long.MAX_VALUE);
            case "int min" -> Value.of(Long.MIN_VALUE);
            case "float 1.0" -> Value.of(1.0);
            case "float NaN" -> Value.of(Double.NaN);
            case "string a" -> Value.of("a");
            case "bytes" -> bytes(0, 1, 2, 255);
            case "array" -> array(Value.of(1L), Value.of(false));
            case "map" -> map("k", array());
            case "lone surrogate" -> Value.of("\uD800a");
            case "lone surrogate key" -> map("\uDC00", Value.NULL);
            default -> throw new IllegalArgumentException(name);
        };
        assertThat(HexFormat.of().formatHex(ExactCbor.toExact(v))).isEqualTo(expectedHex.replace(" ", ""));
        assertThat(ExactCbor.fromExact(hex(expectedHex))).isEqualTo(v);
    }

    @Test
    void otherWellFormedCborReadsAsTheSameValue() {
        // Shorter floats widen exactly; indefinite lengths are fine.
        assertThat(ExactCbor.fromExact(hex("01 f9 3c00"))).isEqualTo(Value.of(1.0));
        assertThat(ExactCbor.fromExact(hex("01 fa 7fc00000"))).isEqualTo(Value.of(Double.NaN));
        assertThat(ExactCbor.fromExact(hex("01 9f 01 02 ff"))).isEqualTo(array(Value.of(1L), Value.of(2L)));
        assertThat(ExactCbor.fromExact(hex("01 bf 61 61 01 ff"))).isEqualTo(map("a", Value.of(1L)));
        assertThat(ExactCbor.fromExact(hex("01 5f 41 01 41 02 ff"))).isEqualTo(bytes(1, 2));
        assertThat(ExactCbor.fromExact(hex("01 19 0001"))).isEqualTo(Value.of(1L)); // not the shortest width
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                       // nothing at all
        "01",                     // a version byte and no item
        "00 f6",                  // unknown version
        "02 f6",                  // a later version
        "f6",                     // raw CBOR without the version byte
        "01 f6 f6",               // trailing item
        "01 82 01",               // truncated array
        "01 62 61",               // truncated string
        "01 44 0001",             // truncated bytes
        "01 fb 3ff0",             // truncated float
        "01 1b 8000000000000000", // integer above Long.MAX_VALUE
        "01 3b 8000000000000000", // integer below Long.MIN_VALUE
        "01 c2 41 01",            // bignum
        "01 c1 01",               // tagged integer (epoch time)
        "01 c0 61 61",            // tagged string
        "01 d8 41 43 d80000",     // odd-length UTF-16 string
        "01 da 6a6d6170 81 61 61", // map as pairs with a key and no value
        "01 da 6a6d6170 82 01 01",  // map as pairs with a non-string key
        "01 ff",                  // a stray break
        "01 1c",                  // reserved additional information
        "01 61 ff",               // invalid UTF-8
        "01 9b ffffffffffffffff 01", // absurd declared length
        "01 5b 7fffffffffffffff 00", // absurd declared byte-string length
    })
    void malformedInputIsRejected(String hexInput) {
        assertThatThrownBy(() -> ExactCbor.fromExact(hex(hexInput)))
                .isInstanceOf(IllegalArgumentException.class)
                .message().isNotBlank();
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertThatThrownBy(() -> ExactCbor.fromExact(hex("02 f6"))).hasMessageContaining("version 2");
        assertThatThrownBy(() -> ExactCbor.fromExact(new byte[0])).hasMessageContaining("no data");
        assertThatThrownBy(() -> ExactCbor.fromExact(hex("01 f6 f6"))).hasMessageContaining("after the value");
        assertThatThrownBy(() -> ExactCbor.fromExact(hex("01 c1 01"))).hasMessageContaining("tag");
    }

    @Test
    void depthIsLimitedBothWays() {
        assertThatThrownBy(() -> ExactCbor.toExact(nestedArrays(ValueCodec.MAX_DEPTH + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper than");
        byte[] tooDeep = new byte[ValueCodec.MAX_DEPTH + 3];
        tooDeep[0] = 1;
        java.util.Arrays.fill(tooDeep, 1, tooDeep.length - 1, (byte) 0x81); // one-element arrays
        tooDeep[tooDeep.length - 1] = (byte) 0xf6;
        assertThatThrownBy(() -> ExactCbor.fromExact(tooDeep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper than");
        byte[] hostile = new byte[1_000_000];
        java.util.Arrays.fill(hostile, (byte) 0x9f); // indefinite arrays, never closed
        hostile[0] = 1;
        assertThatThrownBy(() -> ExactCbor.fromExact(hostile)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachCallReturnsAFreshArray() {
        byte[] first = ExactCbor.toExact(Value.of(1L));
        first[1] = 0x02;
        assertThat(ExactCbor.toExact(Value.of(1L))).containsExactly(1, 1);
    }

    @Test
    void nullArgumentsThrowNullPointerException() {
        assertThatThrownBy(() -> ExactCbor.toExact(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ExactCbor.fromExact(null)).isInstanceOf(NullPointerException.class);
    }
}
