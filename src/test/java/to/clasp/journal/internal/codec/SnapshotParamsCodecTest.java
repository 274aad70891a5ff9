package to.clasp.journal.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.internal.codec.RustJsonTest.array;
import static to.clasp.journal.internal.codec.RustJsonTest.bytes;
import static to.clasp.journal.internal.codec.RustJsonTest.map;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;

/** Snapshot params in both forms: {@code paramsToJson}/{@code paramsFromJson} and the exact pair. */
public class SnapshotParamsCodecTest {

    /** data_json of the Rust fixture's snapshot #1, verbatim. */
    static final String RUST_SNAPSHOT_1 = "[{\"address\":\"/lights/room1/brightness\",\"value\":0.75,\"revision\":1,"
            + "\"writer\":\"session-abc\",\"timestamp\":1708500000000000},{\"address\":\"/a/b/c/d/e\","
            + "\"value\":9223372036854775807,\"revision\":6,\"writer\":\"session-abc\",\"timestamp\":1708500000005000},"
            + "{\"address\":\"/audio/mixer/volume\",\"value\":\"héllo \\\"quoted\\\" \\n line\",\"revision\":9,"
            + "\"writer\":\"session-abc\",\"timestamp\":1708500000008000}]";

    static final List<ParamSnapshot> SNAPSHOT_1 = List.of(
            new ParamSnapshot("/lights/room1/brightness", Value.of(0.75), 1, "session-abc", 1708500000000000L),
            new ParamSnapshot("/a/b/c/d/e", Value.of(Long.MAX_VALUE), 6, "session-abc", 1708500000005000L),
            new ParamSnapshot("/audio/mixer/volume", Value.of("héllo \"quoted\" \n line"), 9, "session-abc",
                    1708500000008000L));

    /** data_json of the Rust fixture's snapshot #2, verbatim: Bytes and NaN as Rust wrote them. */
    static final String RUST_SNAPSHOT_2 = "[{\"address\":\"/a/b/c/d/e\",\"value\":[0,1,2,255],\"revision\":12,"
            + "\"writer\":\"session-abc\",\"timestamp\":1708500000011000},{\"address\":\"/lights/room1/brightness\","
            + "\"value\":null,\"revision\":13,\"writer\":\"session-abc\",\"timestamp\":1708500000012000}]";

    static final List<ParamSnapshot> SNAPSHOT_2_WRITTEN = List.of(
            new ParamSnapshot("/a/b/c/d/e", bytes(0, 1, 2, 255), 12, "session-abc", 1708500000011000L),
            new ParamSnapshot("/lights/room1/brightness", Value.of(Double.NaN), 13, "session-abc", 1708500000012000L));

    static final List<ParamSnapshot> SNAPSHOT_2_READ = List.of(
            new ParamSnapshot("/a/b/c/d/e", array(Value.of(0L), Value.of(1L), Value.of(2L), Value.of(255L)), 12,
                    "session-abc", 1708500000011000L),
            new ParamSnapshot("/lights/room1/brightness", Value.NULL, 13, "session-abc", 1708500000012000L));

    static String one(String fields) {
        return "[{" + fields + "}]";
    }

    static final String GOOD_FIELDS = "\"address\":\"/a\",\"value\":1,\"revision\":2,\"writer\":\"w\",\"timestamp\":3";

    @Test
    void writesTheRustFixtureByteForByte() {
        assertThat(RustJson.paramsToJson(SNAPSHOT_1)).isEqualTo(RUST_SNAPSHOT_1);
        assertThat(RustJson.paramsToJson(SNAPSHOT_2_WRITTEN)).isEqualTo(RUST_SNAPSHOT_2);
    }

    @Test
    void readsTheRustFixture() {
        assertThat(RustJson.paramsFromJson(RUST_SNAPSHOT_1)).isEqualTo(SNAPSHOT_1);
        assertThat(RustJson.paramsFromJson(RUST_SNAPSHOT_2)).isEqualTo(SNAPSHOT_2_READ);
    }

    @Test
    void emptyListBothWays() {
        assertThat(RustJson.paramsToJson(List.of())).isEqualTo("[]");
        assertThat(RustJson.paramsFromJson("[]")).isEmpty();
        assertThat(RustJson.paramsFromJson(" [ ] ")).isEmpty();
        assertThat(ExactCbor.paramsFromExact(ExactCbor.paramsToExact(List.of()))).isEmpty();
    }

    @Test
    void fieldsMayComeInAnyOrderAndUnknownFieldsAreSkipped() {
        String json = "[{\"timestamp\":3,\"future\":{\"x\":[1,{\"y\":null}]},\"writer\":\"w\",\"revision\":2,"
                + "\"value\":{\"k\":[true]},\"address\":\"/a\",\"also\":\"new\"}]";
        assertThat(RustJson.paramsFromJson(json)).containsExactly(
                new ParamSnapshot("/a", map("k", array(Value.of(true))), 2, "w", 3));
    }

    @Test
    void theListReadIsImmutable() {
        List<ParamSnapshot> params = RustJson.paramsFromJson(RUST_SNAPSHOT_1);
        assertThatThrownBy(() -> params.add(SNAPSHOT_1.get(0))).isInstanceOf(UnsupportedOperationException.class);
        List<ParamSnapshot> exact = ExactCbor.paramsFromExact(ExactCbor.paramsToExact(SNAPSHOT_1));
        assertThatThrownBy(() -> exact.clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void extremesRoundTrip() {
        List<ParamSnapshot> params = List.of(
                new ParamSnapshot("/x", Value.of(Long.MIN_VALUE), Long.MAX_VALUE, "", Long.MAX_VALUE),
                new ParamSnapshot("/é/😀", map("z", Value.of(-0.0), "a", array()), 0, "w\u0000", 0));
        assertThat(RustJson.paramsFromJson(RustJson.paramsToJson(params))).isEqualTo(params);
        assertThat(ExactCbor.paramsFromExact(ExactCbor.paramsToExact(params))).isEqualTo(params);
    }

    @Test
    void theExactFormKeepsWhatJsonLoses() {
        List<ParamSnapshot> params = new ArrayList<>(SNAPSHOT_2_WRITTEN);
        params.add(new ParamSnapshot("/odd\uD800", array(bytes(), Value.of(Double.NEGATIVE_INFINITY), Value.of(1.0)),
                7, "w\uDC00", 8));
        params.add(new ParamSnapshot("/map", map("\uD800", bytes(1)), 9, "w", 10));
        assertThat(ExactCbor.paramsFromExact(ExactCbor.paramsToExact(params))).isEqualTo(params);
    }

    @Test
    void theExactFormStartsWithTheVersionByte() {
        assertThat(ExactCbor.paramsToExact(SNAPSHOT_1)[0]).isEqualTo((byte) ExactCbor.EXACT_FORMAT_VERSION);
    }

    @Test
    void writingRefusesWhatRustCouldNotRead() {
        ParamSnapshot negativeRevision = new ParamSnapshot("/a", Value.NULL, -1, "w", 0);
        ParamSnapshot negativeTimestamp = new ParamSnapshot("/a", Value.NULL, 0, "w", -5);
        assertThatThrownBy(() -> RustJson.paramsToJson(List.of(SNAPSHOT_1.get(0), negativeRevision)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("params[1].revision");
        assertThatThrownBy(() -> RustJson.paramsToJson(List.of(negativeTimestamp)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("params[0].timestamp");
        assertThatThrownBy(() -> ExactCbor.paramsToExact(List.of(negativeRevision)))
                .isInstanceOf(IllegalArgumentException.class);
        ParamSnapshot tooDeep = new ParamSnapshot("/a", RustJsonTest.nestedArrays(ValueCodec.MAX_DEPTH + 1), 0, "w", 0);
        assertThatThrownBy(() -> RustJson.paramsToJson(List.of(tooDeep))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExactCbor.paramsToExact(List.of(tooDeep))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDeepestAllowedValueFitsInAParam() {
        List<ParamSnapshot> params = List.of(
                new ParamSnapshot("/a", RustJsonTest.nestedArrays(ValueCodec.MAX_DEPTH), 0, "w", 0));
        assertThat(RustJson.paramsFromJson(RustJson.paramsToJson(params))).isEqualTo(params);
        assertThat(ExactCbor.paramsFromExact(ExactCbor.paramsToExact(params))).isEqualTo(params);
    }

    @Test
    void nullsThrowNullPointerException() {
        assertThatThrownBy(() -> RustJson.paramsToJson(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ExactCbor.paramsToExact(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RustJson.paramsFromJson(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(null)).isInstanceOf(NullPointerException.class);
        List<ParamSnapshot> withNull = Arrays.asList(SNAPSHOT_1.get(0), null);
        assertThatThrownBy(() -> RustJson.paramsToJson(withNull))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("params[1]");
        assertThatThrownBy(() -> ExactCbor.paramsToExact(withNull)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[", "[{]", "[{\"address\":}]", "[1,]", "[]]", "[] []", "[{}] x", "nope"})
    void invalidJsonIsRejected(String json) {
        assertThatThrownBy(() -> RustJson.paramsFromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot JSON");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[123, 456]|params[0] must be an object, found a number",
        "{}|must be an array, found an object",
        "null|must be an array, found null",
        "\"x\"|must be an array, found a string",
        "42|must be an array, found a number",
        "[{}]|params[0] is missing field \"address\"",
        "[[]]|params[0] must be an object, found an array",
        "[null]|params[0] must be an object, found null",
    })
    void wrongShapesAreRejected(String json, String message) {
        assertThatThrownBy(() -> RustJson.paramsFromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "address|params[0] is missing field \"address\"",
        "value|params[0] is missing field \"value\"",
        "revision|params[0] is missing field \"revision\"",
        "writer|params[0] is missing field \"writer\"",
        "timestamp|params[0] is missing field \"timestamp\"",
    })
    void everyFieldIsRequired(String field, String message) {
        String fields = GOOD_FIELDS.replaceAll("\"" + field + "\":(\"[^\"]*\"|\\d+),?", "").replaceAll(",$", "");
        assertThatThrownBy(() -> RustJson.paramsFromJson(one(fields)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        String second = "[{" + GOOD_FIELDS + "},{" + fields + "}]";
        assertThatThrownBy(() -> RustJson.paramsFromJson(second))
                .hasMessageContaining(message.replace("params[0]", "params[1]"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "address|null|params[0].address must be a string, found null",
        "address|1|params[0].address must be a string, found a number",
        "address|[\"/a\"]|params[0].address must be a string, found an array",
        "writer|null|params[0].writer must be a string, found null",
        "writer|{}|params[0].writer must be a string, found an object",
        "revision|-1|params[0].revision must be a non-negative integer, found -1",
        "revision|1.5|params[0].revision must be a non-negative integer, found 1.5",
        "revision|1e3|params[0].revision must be a non-negative integer, found 1e3",
        "revision|1.0|params[0].revision must be a non-negative integer, found 1.0",
        "revision|\"1\"|params[0].revision must be a non-negative integer, found a string",
        "revision|null|params[0].revision must be a non-negative integer, found null",
        "revision|18446744073709551615|params[0].revision is out of range: 18446744073709551615",
        "revision|-99999999999999999999|params[0].revision must be a non-negative integer",
        "timestamp|-1708500000000000|params[0].timestamp must be a non-negative integer",
        "timestamp|true|params[0].timestamp must be a non-negative integer, found a boolean",
        "value|01|malformed snapshot JSON",
        "value|1e400|number out of range",
    })
    void wrongFieldTypesAreRejected(String field, String json, String message) {
        String fields = GOOD_FIELDS.replaceAll("\"" + field + "\":(\"[^\"]*\"|\\d+)", "\"" + field + "\":" + json);
        assertThatThrownBy(() -> RustJson.paramsFromJson(one(fields)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void duplicateFieldsAreRejectedAsSerdeDoes() {
        assertThatThrownBy(() -> RustJson.paramsFromJson(one(GOOD_FIELDS + ",\"revision\":5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("params[0] has a duplicate field \"revision\"");
        assertThatThrownBy(() -> RustJson.paramsFromJson(one(GOOD_FIELDS + ",\"value\":null")))
                .hasMessageContaining("duplicate field \"value\"");
    }

    @Test
    void exactFormRejectsMalformedAndWrongShapes() {
        byte[] good = ExactCbor.paramsToExact(SNAPSHOT_1);
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(truncated)).isInstanceOf(IllegalArgumentException.class);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        trailing[good.length] = (byte) 0xf6;
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(trailing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after the value");
        byte[] otherVersion = good.clone();
        otherVersion[0] = 9;
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(otherVersion)).hasMessageContaining("version 9");
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(ExactCbor.toExact(Value.of(123L))))
                .hasMessageContaining("must be an array, found a number");
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(ExactCbor.toExact(array(Value.of(1L)))))
                .hasMessageContaining("params[0] must be an object");
        Value missingWriter = map("address", Value.of("/a"), "value", Value.NULL, "revision", Value.of(1L),
                "timestamp", Value.of(2L));
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(ExactCbor.toExact(array(missingWriter))))
                .hasMessageContaining("params[0] is missing field \"writer\"");
        Value bytesAddress = map("address", bytes(1), "value", Value.NULL, "revision", Value.of(1L),
                "writer", Value.of("w"), "timestamp", Value.of(2L));
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(ExactCbor.toExact(array(bytesAddress))))
                .hasMessageContaining("params[0].address must be a string, found a byte string");
        Value floatRevision = map("address", Value.of("/a"), "value", Value.NULL, "revision", Value.of(1.0),
                "writer", Value.of("w"), "timestamp", Value.of(2L));
        assertThatThrownBy(() -> ExactCbor.paramsFromExact(ExactCbor.toExact(array(floatRevision))))
                .hasMessageContaining("params[0].revision must be a non-negative integer");
    }
}
