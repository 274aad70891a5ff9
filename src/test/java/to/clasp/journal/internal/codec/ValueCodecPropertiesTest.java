package to.clasp.journal.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.domains.Domain;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;
import to.clasp.journal.ValueArbitraries;

/** Properties of the codecs over random values (see {@link ValueArbitraries}). */
public class ValueCodecPropertiesTest {

    @Provide
    Arbitrary<Value> values() {
        return ValueArbitraries.values();
    }

    @Provide
    Arbitrary<Value> jsonExactValues() {
        return ValueArbitraries.jsonExactValues();
    }

    @Provide
    Arbitrary<Double> finiteDoubles() {
        return ValueArbitraries.finiteDoubles();
    }

    @Provide
    Arbitrary<List<ParamSnapshot>> paramLists() {
        return ValueArbitraries.paramLists();
    }

    @Property(tries = 2000)
    void exactFormRoundTripIsIdentity(@ForAll("values") Value v) {
        assertThat(ExactCbor.fromExact(ExactCbor.toExact(v))).isEqualTo(v);
    }

    @Property(tries = 2000)
    void jsonRoundTripIsIdentityExactlyWhenIsJsonExactSaysSo(@ForAll("values") Value v) {
        boolean same = RustJson.fromJson(RustJson.toJson(v)).equals(v);
        assertThat(same).as("round trip equal for %s", v).isEqualTo(RustJson.isJsonExact(v));
    }

    @Property(tries = 2000)
    void jsonExactValuesRoundTripThroughJson(@ForAll("jsonExactValues") Value v) {
        assertThat(RustJson.isJsonExact(v)).isTrue();
        assertThat(RustJson.fromJson(RustJson.toJson(v))).isEqualTo(v);
    }

    @Property(tries = 2000)
    void jsonIsAlwaysReadableAndStable(@ForAll("values") Value v) {
        String json = RustJson.toJson(v);
        Value read = RustJson.fromJson(json);
        // What was read is what Rust would have read; writing it again changes nothing.
        assertThat(RustJson.toJson(read)).isEqualTo(json);
        assertThat(RustJson.isJsonExact(read)).isTrue();
    }

    @Property(tries = 300)
    void mapKeysThatCollideOnceRepairedAreWrittenOnce(
            @ForAll("values") Value v, @ForAll("values") Value w, @ForAll("values") Value x) {
        Map<String, Value> entries = new LinkedHashMap<>();
        entries.put("\uD800", v);
        entries.put("k", w);
        entries.put("\uDC00", x);
        String json = RustJson.toJson(Value.of(entries));
        // Like a reader of duplicate keys: the later value, at the first key's place.
        assertThat(json).isEqualTo("{\"\uFFFD\":" + RustJson.toJson(x) + ",\"k\":" + RustJson.toJson(w) + "}");
    }

    @Property(tries = 300)
    @Domain(ValueArbitraries.class)
    void theDomainProvidesValues(@ForAll Value v, @ForAll ParamSnapshot p) {
        assertThat(ExactCbor.fromExact(ExactCbor.toExact(v))).isEqualTo(v);
        assertThat(ExactCbor.paramsFromExact(ExactCbor.paramsToExact(List.of(p)))).containsExactly(p);
    }

    @Property(tries = 5000)
    void floatsReadBackAndLookLikeRust(@ForAll("finiteDoubles") Double d) {
        String text = RustJson.formatDouble(d);
        assertThat(Double.doubleToRawLongBits(Double.parseDouble(text))).as(text).isEqualTo(Double.doubleToRawLongBits(d));
        assertThat(text).matches("-?(\\d+\\.\\d+|[1-9](\\.\\d+)?e-?[1-9]\\d*)");
        double abs = Math.abs(d);
        boolean plain = !text.contains("e");
        assertThat(plain).as(text).isEqualTo(abs == 0 || (abs >= 1e-5 && abs < 1e16));
        // Never longer than Java's own shortest form.
        String javaDigits = Double.toString(abs).replaceAll("E.*", "").replace(".", "").replaceAll("^0+", "")
                .replaceAll("0+$", "");
        String ourDigits = text.replace("-", "").replaceAll("e.*", "").replace(".", "").replaceAll("^0+", "")
                .replaceAll("0+$", "");
        assertThat(ourDigits.length()).as(text).isLessThanOrEqualTo(Math.max(1, javaDigits.length()));
    }

    @Property(tries = 300)
    void paramsRoundTripExactly(@ForAll("paramLists") List<ParamSnapshot> params) {
        assertThat(ExactCbor.paramsFromExact(ExactCbor.paramsToExact(params))).isEqualTo(params);
    }

    @Provide
    Arbitrary<List<ParamSnapshot>> jsonExactParamLists() {
        return ValueArbitraries.jsonExactParamLists();
    }

    @Property(tries = 300)
    void paramsRoundTripThroughJsonWhenEverythingIsExact(@ForAll("jsonExactParamLists") List<ParamSnapshot> params) {
        assertThat(RustJson.paramsFromJson(RustJson.paramsToJson(params))).isEqualTo(params);
    }

    @Property(tries = 300)
    void paramsJsonIsAlwaysReadable(@ForAll("paramLists") List<ParamSnapshot> params) {
        String json = RustJson.paramsToJson(params);
        assertThat(RustJson.paramsToJson(RustJson.paramsFromJson(json))).isEqualTo(json);
    }

    // ------------------------------------------------------------ hostile input

    @Provide
    Arbitrary<byte[]> corruptedExact() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(b -> {
            byte[] withVersion = new byte[b.length + 1];
            withVersion[0] = (byte) ExactCbor.EXACT_FORMAT_VERSION;
            System.arraycopy(b, 0, withVersion, 1, b.length);
            return withVersion;
        });
        Arbitrary<byte[]> mutated = ValueArbitraries.values().map(ExactCbor::toExact).flatMap(bytes ->
                Arbitraries.integers().between(0, bytes.length - 1).flatMap(at ->
                        Arbitraries.bytes().map(b -> {
                            byte[] copy = bytes.clone();
                            copy[at] = b;
                            return copy;
                        })));
        Arbitrary<byte[]> truncated = ValueArbitraries.values().map(ExactCbor::toExact).flatMap(bytes ->
                Arbitraries.integers().between(0, bytes.length - 1).map(n -> java.util.Arrays.copyOf(bytes, n)));
        return Arbitraries.frequencyOf(Tuple.of(1, random), Tuple.of(2, mutated), Tuple.of(1, truncated));
    }

    @Property(tries = 3000)
    void corruptExactInputFailsOnlyWithIllegalArgumentException(@ForAll("corruptedExact") byte[] bytes) {
        Throwable value = catchThrowable(() -> ExactCbor.fromExact(bytes));
        assertThat(value).satisfiesAnyOf(
                t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(IllegalArgumentException.class));
        Throwable params = catchThrowable(() -> ExactCbor.paramsFromExact(bytes));
        assertThat(params).satisfiesAnyOf(
                t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(IllegalArgumentException.class));
    }

    @Provide
    Arbitrary<String> corruptedJson() {
        Arbitrary<String> mutated = ValueArbitraries.values().map(RustJson::toJson).filter(s -> !s.isEmpty())
                .flatMap(json -> Arbitraries.integers().between(0, json.length() - 1).flatMap(at ->
                        Arbitraries.of('[', ']', '{', '}', ',', ':', '"', '\\', '-', 'e', '.', '0', ' ', 'x')
                                .map(c -> json.substring(0, at) + c + json.substring(at + 1))));
        Arbitrary<String> noise = Arbitraries.strings().withChars("[]{},:\"\\-+.eE0123456789 tfnulrsa").ofMaxLength(30);
        return Arbitraries.oneOf(mutated, noise);
    }

    @Property(tries = 2000)
    void corruptJsonFailsOnlyWithIllegalArgumentException(@ForAll("corruptedJson") String json) {
        Throwable value = catchThrowable(() -> RustJson.fromJson(json));
        assertThat(value).satisfiesAnyOf(
                t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(IllegalArgumentException.class));
        Throwable params = catchThrowable(() -> RustJson.paramsFromJson(json));
        assertThat(params).satisfiesAnyOf(
                t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(IllegalArgumentException.class));
    }

    // ------------------------------------------------------------ threads

    @Example
    void sharedFactoriesAreSafeAcrossThreads() throws Exception {
        List<Value> values = ValueArbitraries.values().sampleStream().limit(300).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        for (Value v : values) {
                            assertThat(ExactCbor.fromExact(ExactCbor.toExact(v))).isEqualTo(v);
                            String json = RustJson.toJson(v);
                            assertThat(RustJson.toJson(RustJson.fromJson(json))).isEqualTo(json);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                assertThatCode(() -> f.get(60, TimeUnit.SECONDS)).doesNotThrowAnyException();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Property(tries = 200)
    void longByteStringsRoundTrip(@ForAll @Size(max = 70_000) byte[] data) {
        Value v = Value.of(data);
        assertThat(ExactCbor.fromExact(ExactCbor.toExact(v))).isEqualTo(v);
    }
}
