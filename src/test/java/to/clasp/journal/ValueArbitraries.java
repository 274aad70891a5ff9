package to.clasp.journal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.domains.DomainContextBase;

/**
 * Random {@link Value}s for property tests, biased towards the cases that break codecs: NaN,
 * the infinities, {@code -0.0}, subnormal and extreme doubles, {@code Long.MIN_VALUE} and
 * {@code Long.MAX_VALUE}, integers around 2^53, control characters, non-ASCII and emoji text,
 * unpaired surrogates, empty and nested containers and byte strings.
 *
 * <p>Use the static factories from a {@code @Provide} method, or put
 * {@code @Domain(ValueArbitraries.class)} on a property to get any {@code @ForAll Value} and
 * {@code @ForAll ParamSnapshot}.
 */
public class ValueArbitraries extends DomainContextBase {

    /** The default nesting depth of generated containers. */
    public static final int DEFAULT_DEPTH = 4;

    /** @return any value, containers nested up to {@link #DEFAULT_DEPTH} levels */
    public static Arbitrary<Value> values() {
        return values(DEFAULT_DEPTH);
    }

    /**
     * @param maxDepth how deep arrays and maps may nest
     * @return any value, containers nested up to {@code maxDepth} levels
     */
    public static Arbitrary<Value> values(int maxDepth) {
        return Arbitraries.recursive(ValueArbitraries::scalars, ValueArbitraries::containersOf, 0, maxDepth);
    }

    /**
     * Values whose JSON form is exact: no {@code Bytes}, no NaN or infinities, no unpaired
     * surrogates. Every other case is still generated.
     *
     * @return such values, containers nested up to {@link #DEFAULT_DEPTH} levels
     */
    public static Arbitrary<Value> jsonExactValues() {
        return Arbitraries.recursive(
                () -> Arbitraries.frequencyOf(
                        Tuple.of(1, Arbitraries.just(Value.NULL)),
                        Tuple.of(1, Arbitraries.of(true, false).map(Value::of)),
                        Tuple.of(3, longs().map(Value::of)),
                        Tuple.of(4, finiteDoubles().map(Value::of)),
                        Tuple.of(3, wellFormedStrings().map(Value::of))),
                inner -> containersOf(inner, wellFormedStrings()),
                0,
                DEFAULT_DEPTH);
    }

    /** @return any value that is not an array or a map, {@code Bytes} included */
    public static Arbitrary<Value> scalars() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(Value.NULL)),
                Tuple.of(1, Arbitraries.of(true, false).map(Value::of)),
                Tuple.of(3, longs().map(Value::of)),
                Tuple.of(4, doubles().map(Value::of)),
                Tuple.of(3, strings().map(Value::of)),
                Tuple.of(2, bytes().map(Value::of)));
    }

    private static Arbitrary<Value> containersOf(Arbitrary<Value> inner) {
        return containersOf(inner, strings());
    }

    private static Arbitrary<Value> containersOf(Arbitrary<Value> inner, Arbitrary<String> keys) {
        Arbitrary<Value> arrays = inner.list().ofMaxSize(5).map(Value::of);
        Arbitrary<Value> maps = Arbitraries.entries(keys, inner).list().ofMaxSize(5).map(entries -> {
            // A list of entries rather than a map, so that key order is random too.
            Map<String, Value> map = new LinkedHashMap<>();
            entries.forEach(e -> map.put(e.getKey(), e.getValue()));
            return Value.of(map);
        });
        return Arbitraries.frequencyOf(Tuple.of(2, inner), Tuple.of(1, arrays), Tuple.of(1, maps));
    }

    /** @return longs with the extremes, small numbers and numbers near 2^53 overrepresented */
    public static Arbitrary<Long> longs() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs()),
                Tuple.of(2, Arbitraries.longs().between(-1000, 1000)),
                Tuple.of(1, Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1,
                        0L, -1L, 255L, 9007199254740993L, -9007199254740993L, 1L << 53, -(1L << 53))));
    }

    /** @return any double: every bit pattern, NaN and the infinities, and friendly decimals */
    public static Arbitrary<Double> doubles() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, finiteDoubles()),
                Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.longBitsToDouble(0x7ff8_0000_0000_0001L))));
    }

    /** @return finite doubles, with the boundary cases of formatting overrepresented */
    public static Arbitrary<Double> finiteDoubles() {
        return Arbitraries.frequencyOf(
                // Every exponent and mantissa, subnormals included.
                Tuple.of(4, Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite)),
                // Subnormals near the bottom, where the shortest decimal has very few digits.
                Tuple.of(1, Arbitraries.longs().between(1, 1000).map(Double::longBitsToDouble)),
                // Decimals as people write them.
                Tuple.of(2, Arbitraries.longs().between(-1_000_000, 1_000_000)
                        .flatMap(m -> Arbitraries.integers().between(-25, 25).map(e -> Double.parseDouble(m + "e" + e)))),
                Tuple.of(1, Arbitraries.doubles()),
                Tuple.of(1, Arbitraries.of(0.0, -0.0, 1.0, -1.0, 0.5, 0.75, 2.5, -2.5e-7, 1e-5, 1e-6, 1e-3, 1e7,
                        1e15, 1e16, 1e17, 1e21, 1e22, 1e23, 9007199254740993.0, 123456.789,
                        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
                        Math.ulp(1.0), 0.1 + 0.2)));
    }

    /** @return strings that may hold unpaired surrogates as well as everything else */
    public static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, wellFormedStrings()),
                Tuple.of(1, Arbitraries.strings().withCharRange('a', 'c').withCharRange('\uD800', '\uDFFF')
                        .ofMaxLength(6)));
    }

    /** @return valid UTF-16 strings: ASCII, control characters, non-ASCII, emoji, empty */
    public static Arbitrary<String> wellFormedStrings() {
        Arbitrary<String> emoji = Arbitraries.integers().between(0x1F300, 0x1FAFF).map(Character::toString);
        Arbitrary<String> pieces = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().ascii().ofMaxLength(8)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u0000', '\u001f').withChars('"', '\\', '/', '\u007f')
                        .ofMaxLength(4)),
                Tuple.of(2, Arbitraries.strings().withCharRange('\u00a0', '\u07ff').withCharRange('\u2028', '\u2029')
                        .withCharRange('\u4e00', '\u4e20').withCharRange('\ue000', '\ufffd').ofMaxLength(4)),
                Tuple.of(1, emoji),
                Tuple.of(1, Arbitraries.just("héllo \"quoted\" \n line")));
        return pieces.list().ofMaxSize(4).map(list -> list.stream().collect(Collectors.joining()));
    }

    /** @return byte strings up to 32 bytes, the empty one included */
    public static Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(32);
    }

    /** @return params with any value, revisions and timestamps from 0 to {@code Long.MAX_VALUE} */
    public static Arbitrary<ParamSnapshot> paramSnapshots() {
        return paramSnapshots(values(), strings());
    }

    /** @return params whose JSON form is exact: see {@link #jsonExactValues()} */
    public static Arbitrary<ParamSnapshot> jsonExactParamSnapshots() {
        return paramSnapshots(jsonExactValues(), wellFormedStrings());
    }

    private static Arbitrary<ParamSnapshot> paramSnapshots(Arbitrary<Value> values, Arbitrary<String> strings) {
        Arbitrary<Long> counts = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(0, Long.MAX_VALUE)),
                Tuple.of(1, Arbitraries.of(0L, 1L, Long.MAX_VALUE, 1708500000000000L)));
        return Combinators.combine(strings.map(s -> "/" + s), values, counts, strings, counts)
                .as(ParamSnapshot::new);
    }

    /** @return lists of up to 8 params */
    public static Arbitrary<List<ParamSnapshot>> paramLists() {
        return paramSnapshots().list().ofMaxSize(8);
    }

    /** @return lists of up to 8 params whose JSON form is exact */
    public static Arbitrary<List<ParamSnapshot>> jsonExactParamLists() {
        return jsonExactParamSnapshots().list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<Value> anyValue() {
        return values();
    }

    @Provide
    Arbitrary<ParamSnapshot> anyParamSnapshot() {
        return paramSnapshots();
    }
}
