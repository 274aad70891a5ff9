package to.clasp.journal.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import to.clasp.journal.Value;
import to.clasp.journal.ValueArbitraries;

/**
 * {@code RustJson.fromJsonUtf8}, the read of {@code value_json} from its bytes: the same value,
 * bit for bit, or the same error as {@code fromJson} on the decoded text, for every input.
 */
public class RustJsonUtf8Test {

    private static void assertSameAsText(String json) {
        assertSameAsText(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertSameAsText(byte[] utf8) {
        String text = new String(utf8, StandardCharsets.UTF_8);
        Throwable textError = catchThrowable(() -> RustJson.fromJson(text));
        if (textError != null) {
            assertThatThrownBy(() -> RustJson.fromJsonUtf8(utf8)).as(text)
                    .isInstanceOf(textError.getClass()).hasMessage(textError.getMessage());
            return;
        }
        Value fromText = RustJson.fromJson(text);
        Value fromBytes = RustJson.fromJsonUtf8(utf8);
        assertThat(fromBytes).as(text).isEqualTo(fromText);
        if (fromText instanceof Value.Float f) {
            // equals compares as Double.compare does; say so for the bits too (-0.0, rounding)
            assertThat(Double.doubleToRawLongBits(((Value.Float) fromBytes).value())).as(text)
                    .isEqualTo(Double.doubleToRawLongBits(f.value()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "1", "-1", "42", "999999999999999999", "-999999999999999999",
        "1000000000000000000", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "123456789012345678901234567890", "0.0", "-0.0", "1.0", "-1.5", "0.1", "0.3",
        "123.0", "999999.5", "1e0", "1E0", "1e+2", "1e-2", "-0e0", "0e5", "1.5e3", "2.5e-7", "1e22", "1e23",
        "1e-22", "1e-23", "9007199254740993.0", "9007199254740992.0", "9007199254740993", "4.35",
        "0.000001", "5e-324", "1.7976931348623157e308", "1e309", "-1e309", "1e400", "1e-400", "1e9999",
        "1e99999", "0.30000000000000004", "true", "false", "null", "nul", "truee", "fals", "TRUE", "",
        " 1", "1 ", "01", "-", "+1", "1.", ".5", "1e", "1e+", "--1", "0x10", "1.0f", "NaN", "Infinity",
        "-Infinity", "1.2.3", "\"s\"", "[1]", "{\"a\":1}", "1,2", "[]", "\u00e9"})
    void literalsAndNumbersMatchTheTextPath(String json) {
        assertSameAsText(json);
    }

    @Test
    void invalidUtf8MatchesTheTextPath() {
        assertSameAsText(new byte[] {'"', (byte) 0xff, '"'});
        assertSameAsText(new byte[] {'1', (byte) 0xc3});
        assertSameAsText(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '1'});
    }

    @Test
    void whatRustWritesForRandomDoublesReadsBackExactly() {
        Random random = new Random(12);
        for (int i = 0; i < 20_000; i++) {
            double d = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong());
                case 1 -> random.nextInt(10_000_000) / 100.0;
                case 2 -> (double) random.nextInt();
                default -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            };
            if (!Double.isFinite(d)) {
                continue;
            }
            String json = RustJson.formatDouble(d);
            assertSameAsText(json);
            assertThat(RustJson.fromJsonUtf8(json.getBytes(StandardCharsets.US_ASCII))).isEqualTo(Value.of(d));
        }
    }

    @Test
    void randomNumberTextsMatchTheTextPath() {
        Random random = new Random(34);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder json = new StringBuilder();
            if (random.nextInt(3) == 0) {
                json.append('-');
            }
            digits(json, random, 1 + random.nextInt(24));
            if (random.nextBoolean()) {
                json.append('.');
                digits(json, random, random.nextInt(20)); // none at all is malformed
            }
            if (random.nextBoolean()) {
                json.append("eE".charAt(random.nextInt(2)));
                json.append(new String[] {"", "+", "-"}[random.nextInt(3)]);
                digits(json, random, random.nextInt(5));
            }
            assertSameAsText(json.toString());
        }
    }

    /** Digits, mostly zeros and nines at the edges so that leading zeros and carries come up. */
    private static void digits(StringBuilder out, Random random, int count) {
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(12);
            out.append(pick < 10 ? (char) ('0' + pick) : pick == 10 ? '0' : '9');
        }
    }

    @Property(tries = 1_000)
    void arbitraryValuesMatchTheTextPath(@ForAll("values") Value value) {
        assertSameAsText(RustJson.toJson(value));
    }

    @Provide
    Arbitrary<Value> values() {
        return ValueArbitraries.values();
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> RustJson.fromJsonUtf8(null)).isInstanceOf(NullPointerException.class);
    }
}
