package to.clasp.journal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The two stored forms of a {@link Value} and of a snapshot's params.
 *
 * <h2>The Rust JSON form</h2>
 *
 * <p>{@link #toJson} writes exactly what the Rust crate's untagged serde JSON writes, so that
 * {@code value_json} and {@code data_json} stay readable by Rust: {@code null}, {@code true} and
 * {@code false}, integers, strings, arrays and objects (in the map's order), compact, with
 * non-ASCII characters as raw UTF-8. A float always carries a fraction or an exponent, laid out
 * like Rust's shortest round-trip formatting ({@code 1.0}, {@code 0.75}, {@code -2.5e-7},
 * {@code 1e23}, {@code 1000000000000000.0}), and control characters are escaped as serde_json
 * escapes them, so the text is what Rust writes for the same value, byte for byte, apart from map
 * order (Rust's is random). The form is lossy where JSON or Rust
 * cannot follow: {@link Value.Bytes} becomes an array of unsigned byte integers, NaN and the
 * infinities become {@code null}, and an unpaired UTF-16 surrogate in a string or key becomes
 * U+FFFD (Rust strings cannot hold one, and SQLite stores text as UTF-8; should two keys of a map
 * become equal that way, the later entry wins). {@link #isJsonExact} tells when nothing was
 * lost.
 *
 * <p>{@link #fromJson} reads with Rust's rules: an integer that fits in a {@code long} is an
 * {@link Value.Int}; any other number (a fraction, an exponent, an integer out of range, and
 * {@code -0}) is a {@link Value.Float}; a number too large for a double is rejected. Objects
 * keep their order; when a key repeats, the last value wins (as serde's maps do) at the key's
 * first position. An escaped unpaired surrogate, which Rust rejects, is accepted.
 *
 * <h2>The exact form</h2>
 *
 * <p>{@link #toExact} writes every value losslessly: one format version byte
 * ({@value #EXACT_FORMAT_VERSION}), then exactly one CBOR data item (RFC 8949) and nothing
 * after it. Null, booleans, strings, arrays and maps (definite length, order kept) map to their
 * CBOR kinds; an {@code Int} is a CBOR integer of the shortest width; a {@code Float} is always
 * an 8-byte float, so NaN, the infinities, {@code -0.0} and {@code 1.0} stay floats;
 * {@code Bytes} is a CBOR byte string. Two rare cases use tags: a string with an unpaired
 * surrogate, which UTF-8 cannot carry, is a byte string of its UTF-16 code units, big-endian,
 * under tag {@value #TAG_UTF16BE} (RFC 8746's uint16 big-endian array); a map with such a key is
 * an array of alternating keys and values under the private tag {@value #TAG_MAP_AS_PAIRS}. A
 * reader that meets any other version byte must refuse the data rather than guess, which is what
 * lets the format change later.
 *
 * <h2>Limits</h2>
 *
 * <p>Values may nest at most {@value #MAX_DEPTH} levels: every array and map is a level, and so
 * is {@code Bytes}, because the JSON form writes it as an array. The limit is the Rust crate's:
 * its serde_json refuses JSON nested deeper than 127 levels (reading such a {@code value_json}
 * as null and failing to load such a snapshot), and a snapshot's JSON wraps each value in two
 * more levels (the list and the param object), so every file written here stays readable there.
 * Deeper values are refused by every method here, on writing so that nothing is stored that
 * could not be read back, and on reading so that corrupt or hostile data can neither exhaust
 * the stack nor yield a value whose own recursive {@code equals}, {@code hashCode} and
 * {@code toString} would. The limit is far above any real CLASP value. JSON numbers may have at
 * most 1000 characters; strings have no limit beyond memory.
 *
 * <h2>Contract</h2>
 *
 * <p>Every method throws {@link NullPointerException} for a null argument, a null list element
 * included, and {@link IllegalArgumentException}, with a message that says what is wrong and
 * where, for input that is malformed or has the wrong shape, and for values or params that
 * cannot be written. Callers add the context, such as the entry's seq. All methods are static
 * and thread-safe: they share two immutable, fully configured factories and keep no other state.
 */
final class ValueJson {

    /** The deepest nesting of arrays, maps and byte strings that the codecs accept (see Limits). */
    static final int MAX_DEPTH = 125;

    /** The first byte of every exact form. */
    static final int EXACT_FORMAT_VERSION = 1;

    /** RFC 8746: an array of big-endian uint16, which is what a Java string is. */
    static final int TAG_UTF16BE = 65;

    /** Private to this format: a map written as an array of alternating keys and values. */
    static final int TAG_MAP_AS_PAIRS = 0x6A6D6170;

    private static final String[] PARAM_FIELDS = {"address", "value", "revision", "writer", "timestamp"};

    // Jackson's own nesting limits sit a little above ours so that our check, with its clearer
    // message, always fires first; a params list adds two levels around each value.
    private static final int STREAM_NESTING_LIMIT = MAX_DEPTH + 8;

    private static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(STREAM_NESTING_LIMIT)
            // Whatever we can write we must be able to read back.
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .build();

    private static final StreamWriteConstraints WRITE_CONSTRAINTS = StreamWriteConstraints.builder()
            .maxNestingDepth(STREAM_NESTING_LIMIT)
            .build();

    private static final JsonFactory JSON = new JsonFactoryBuilder()
            // Map keys are user data: interning them would only fill the JVM's string table.
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            // After a failure half-written output is thrown away, so closing it is wasted work.
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .characterEscapes(new RustEscapes())
            .streamReadConstraints(READ_CONSTRAINTS)
            .streamWriteConstraints(WRITE_CONSTRAINTS)
            .build();

    private static final CBORFactory CBOR = CBORFactory.builder()
            .disable(CBORGenerator.Feature.WRITE_MINIMAL_DOUBLES)
            .enable(CBORGenerator.Feature.WRITE_MINIMAL_INTS)
            .disable(CBORGenerator.Feature.WRITE_TYPE_HEADER)
            .disable(CBORGenerator.Feature.STRINGREF)
            .disable(CBORGenerator.Feature.LENIENT_UTF_ENCODING)
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .streamReadConstraints(READ_CONSTRAINTS)
            .streamWriteConstraints(WRITE_CONSTRAINTS)
            .build();

    private ValueJson() {}

    // ---------------------------------------------------------------- Rust JSON form: values

    /**
     * Returns the Rust crate's untagged JSON of a value: byte for byte what Rust writes, except
     * that maps keep their own order. Lossy for {@code Bytes} (an array of integers 0..255),
     * NaN and the infinities ({@code null}) and unpaired surrogates (U+FFFD); see
     * {@link #isJsonExact}.
     *
     * @param value the value
     * @return compact JSON text
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if the value nests deeper than {@link #MAX_DEPTH}
     */
    static String toJson(Value value) {
        Objects.requireNonNull(value, "value");
        // Most values carried by a router are single numbers: spare them a generator.
        if (value instanceof Value.Float f) {
            return Double.isFinite(f.value()) ? formatDouble(f.value()) : "null";
        }
        if (value instanceof Value.Int i) {
            return Long.toString(i.value());
        }
        if (value instanceof Value.Bool b) {
            return b.value() ? "true" : "false";
        }
        if (value == Value.NULL) {
            return "null";
        }
        return writeJsonText(g -> writeJson(g, value, 0));
    }

    /**
     * Reads the Rust crate's untagged JSON with Rust's rules (see the class description).
     *
     * @param json JSON text holding exactly one value, optionally surrounded by whitespace
     * @return the value
     * @throws NullPointerException if {@code json} is null
     * @throws IllegalArgumentException if the text is not JSON, has anything after the value,
     *     holds a number beyond the range of a double, or nests deeper than {@link #MAX_DEPTH}
     */
    static Value fromJson(String json) {
        Objects.requireNonNull(json, "json");
        try (JsonParser p = JSON.createParser(json)) {
            Value value = readJson(p, firstToken(p, "JSON"), 0);
            expectEnd(p, "JSON");
            return value;
        } catch (IOException e) {
            throw malformed("JSON", e);
        }
    }

    /**
     * Tells whether {@link #toJson} loses nothing, that is whether
     * {@code fromJson(toJson(value)).equals(value)} is guaranteed. It is false when the value
     * holds, at any depth, a {@code Bytes}, a NaN or infinite {@code Float}, or a string or map key
     * with an unpaired surrogate, and when it nests too deeply to be written at all.
     *
     * @param value the value
     * @return true if the JSON form is exact
     * @throws NullPointerException if {@code value} is null
     */
    static boolean isJsonExact(Value value) {
        Objects.requireNonNull(value, "value");
        return isJsonExact(value, 0);
    }

    /**
     * Checks that a value nests no deeper than {@link #MAX_DEPTH}, which every codec here
     * requires; a journal can call it to refuse such a value up front, whatever its backend.
     * It stops descending at the limit, so it is safe on any value.
     *
     * @param value the value
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if the value nests too deeply
     */
    static void checkNesting(Value value) {
        Objects.requireNonNull(value, "value");
        checkNesting(value, 0);
    }

    private static void checkNesting(Value v, int depth) {
        if (v instanceof Value.Array a) {
            checkDepth(depth);
            for (Value item : a.items()) {
                checkNesting(item, depth + 1);
            }
        } else if (v instanceof Value.Map m) {
            checkDepth(depth);
            for (Value item : m.entries().values()) {
                checkNesting(item, depth + 1);
            }
        } else if (v instanceof Value.Bytes) {
            checkDepth(depth);
        }
    }

    private static boolean isJsonExact(Value v, int depth) {
        if (v instanceof Value.Float f) {
            return Double.isFinite(f.value());
        }
        if (v instanceof Value.Str s) {
            return firstUnpairedSurrogate(s.value()) < 0;
        }
        if (v instanceof Value.Bytes) {
            return false;
        }
        if (v instanceof Value.Array a) {
            if (depth >= MAX_DEPTH) {
                return false;
            }
            for (Value item : a.items()) {
                if (!isJsonExact(item, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof Value.Map m) {
            if (depth >= MAX_DEPTH) {
                return false;
            }
            for (Map.Entry<String, Value> e : m.entries().entrySet()) {
                if (firstUnpairedSurrogate(e.getKey()) >= 0 || !isJsonExact(e.getValue(), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return true; // Null, Bool, Int
    }

    private static void writeJson(JsonGenerator g, Value v, int depth) throws IOException {
        if (v instanceof Value.Float f) {
            double d = f.value();
            if (Double.isFinite(d)) {
                g.writeNumber(formatDouble(d));
            } else {
                g.writeNull(); // as serde_json does
            }
        } else if (v instanceof Value.Int i) {
            g.writeNumber(i.value());
        } else if (v instanceof Value.Str s) {
            g.writeString(toWellFormed(s.value()));
        } else if (v instanceof Value.Bool b) {
            g.writeBoolean(b.value());
        } else if (v instanceof Value.Map m) {
            checkDepth(depth);
            Map<String, Value> entries = m.entries();
            if (anyKeyUnpaired(entries)) {
                entries = withWellFormedKeys(entries);
            }
            g.writeStartObject(m, entries.size());
            for (Map.Entry<String, Value> e : entries.entrySet()) {
                g.writeFieldName(e.getKey());
                writeJson(g, e.getValue(), depth + 1);
            }
            g.writeEndObject();
        } else if (v instanceof Value.Array a) {
            checkDepth(depth);
            List<Value> items = a.items();
            g.writeStartArray(a, items.size());
            for (Value item : items) {
                writeJson(g, item, depth + 1);
            }
            g.writeEndArray();
        } else if (v instanceof Value.Bytes b) {
            checkDepth(depth);
            int n = b.length();
            g.writeStartArray(b, n);
            for (int i = 0; i < n; i++) {
                g.writeNumber(b.byteAt(i) & 0xFF); // Rust's Vec<u8>: unsigned
            }
            g.writeEndArray();
        } else {
            g.writeNull();
        }
    }

    private static Value readJson(JsonParser p, JsonToken t, int depth) throws IOException {
        switch (t) {
            case VALUE_NULL:
                return Value.NULL;
            case VALUE_TRUE:
                return new Value.Bool(true);
            case VALUE_FALSE:
                return new Value.Bool(false);
            case VALUE_NUMBER_INT:
                return readJsonInteger(p);
            case VALUE_NUMBER_FLOAT:
                return new Value.Float(finiteDouble(p));
            case VALUE_STRING:
                return new Value.Str(p.getText());
            case START_ARRAY: {
                checkReadDepth(p, depth);
                List<Value> items = new ArrayList<>();
                JsonToken next;
                while ((next = nextToken(p)) != JsonToken.END_ARRAY) {
                    items.add(readJson(p, next, depth + 1));
                }
                return new Value.Array(items);
            }
            case START_OBJECT: {
                checkReadDepth(p, depth);
                LinkedHashMap<String, Value> entries = new LinkedHashMap<>();
                while (nextToken(p) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    entries.put(key, readJson(p, nextToken(p), depth + 1));
                }
                return new Value.Map(entries);
            }
            default:
                throw new IllegalArgumentException("malformed JSON: unexpected " + t + at(p));
        }
    }

    private static Value readJsonInteger(JsonParser p) throws IOException {
        JsonParser.NumberType type = p.getNumberType();
        if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
            long v = p.getLongValue();
            // serde_json reads "-0" as the float -0.0, not as the integer 0.
            if (v == 0 && p.getTextCharacters()[p.getTextOffset()] == '-') {
                return new Value.Float(-0.0);
            }
            return new Value.Int(v);
        }
        // Beyond the long range Rust falls back to f64; so do we.
        return new Value.Float(finiteDouble(p));
    }

    private static double finiteDouble(JsonParser p) throws IOException {
        double d = p.getDoubleValue();
        if (Double.isInfinite(d)) {
            // serde_json refuses such numbers rather than turn them into infinity.
            throw new IllegalArgumentException("malformed JSON: number out of range: " + p.getText() + at(p));
        }
        return d;
    }

    // ---------------------------------------------------------------- floats as Rust writes them

    /**
     * Formats a finite double as serde_json does (Rust's {@code ryu} crate): the shortest
     * decimal that reads back as the same double, as plain digits with a fraction
     * ({@code 0.75}, {@code 1.0}, {@code 123456.789}, {@code 0.00001}) when the decimal exponent
     * is in [-5, 16), and otherwise in scientific form with a lowercase {@code e} and no
     * {@code +} ({@code 1e16}, {@code -2.5e-7}, {@code 5e-324}).
     *
     * @param d a finite double
     * @return the text; it always contains {@code .} or {@code e}
     */
    static String formatDouble(double d) {
        if (d == 0) {
            return Double.doubleToRawLongBits(d) < 0 ? "-0.0" : "0.0";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            // Exact: below 1e16 every integral double's shortest decimal is the integer itself.
            return Long.toString((long) d).concat(".0");
        }
        String java = NumberOutput.toString(d, true); // Schubfach: shortest digits, Java layout
        int e = java.indexOf('E');
        if (e < 0 && Math.abs(d) >= 1e-3) {
            // Java writes plain notation exactly for [1e-3, 1e7); a non-integral number there
            // looks the same in both layouts.
            return java;
        }
        // Take Java's text apart into significant digits and the exponent kk, with
        // value = 0.d1d2...dn * 10^kk, then lay it out as Rust does.
        int mantissaEnd = e < 0 ? java.length() : e;
        int exponent = e < 0 ? 0 : Integer.parseInt(java, e + 1, java.length(), 10);
        char[] digits = new char[mantissaEnd];
        int n = 0;
        int pointPos = 0;
        boolean afterPoint = false;
        for (int i = d < 0 ? 1 : 0; i < mantissaEnd; i++) {
            char c = java.charAt(i);
            if (c == '.') {
                afterPoint = true;
                continue;
            }
            if (!afterPoint) {
                pointPos++;
            }
            if (n == 0 && c == '0') {
                pointPos--;
                continue;
            }
            digits[n++] = c;
        }
        while (n > 1 && digits[n - 1] == '0') {
            n--;
        }
        int kk = pointPos + exponent;
        if (n == 2 && Math.abs(d) < Double.MIN_NORMAL) {
            // When one digit would do, Java may still print two (4.9E-324); Rust prints the
            // shortest (5e-324). Only subnormals are imprecise enough for that to happen.
            int one = shortestSingleDigit(d, digits[0] - '0', kk);
            if (one > 0) {
                n = 1;
                if (one == 10) {
                    digits[0] = '1';
                    kk++;
                } else {
                    digits[0] = (char) ('0' + one);
                }
            }
        }
        return layOutLikeRust(d < 0, digits, n, kk);
    }

    /** Returns the one-digit decimal (times 10^(kk-1)) that reads back as d, or 0 if none. */
    private static int shortestSingleDigit(double d, int lead, int kk) {
        double abs = Math.abs(d);
        boolean low = Double.parseDouble(lead + "e" + (kk - 1)) == abs;
        boolean high = Double.parseDouble((lead + 1) + "e" + (kk - 1)) == abs;
        if (low && high) {
            BigDecimal exact = new BigDecimal(abs);
            BigDecimal lowDistance = exact.subtract(new BigDecimal(lead + "e" + (kk - 1)));
            BigDecimal highDistance = new BigDecimal((lead + 1) + "e" + (kk - 1)).subtract(exact);
            return lowDistance.compareTo(highDistance) <= 0 ? lead : lead + 1;
        }
        return low ? lead : high ? lead + 1 : 0;
    }

    private static String layOutLikeRust(boolean negative, char[] digits, int n, int kk) {
        StringBuilder sb = new StringBuilder(n + 8);
        if (negative) {
            sb.append('-');
        }
        int k = kk - n;
        if (k >= 0 && kk <= 16) {
            sb.append(digits, 0, n);
            for (int i = 0; i < k; i++) {
                sb.append('0');
            }
            sb.append(".0");
        } else if (kk > 0 && kk <= 16) {
            sb.append(digits, 0, kk).append('.').append(digits, kk, n - kk);
        } else if (kk > -5 && kk <= 0) {
            sb.append("0.");
            for (int i = kk; i < 0; i++) {
                sb.append('0');
            }
            sb.append(digits, 0, n);
        } else {
            sb.append(digits[0]);
            if (n > 1) {
                sb.append('.').append(digits, 1, n - 1);
            }
            sb.append('e').append(kk - 1);
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- exact form: values

    /**
     * Returns the exact binary form of a value (see the class description).
     *
     * @param value the value
     * @return a fresh array: the version byte, then one CBOR data item
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if the value nests deeper than {@link #MAX_DEPTH}
     */
    static byte[] toExact(Value value) {
        Objects.requireNonNull(value, "value");
        return writeExactBytes(g -> writeCbor(g, value, 0));
    }

    /**
     * Reads the exact binary form written by {@link #toExact}.
     *
     * @param bytes the version byte followed by one CBOR data item
     * @return the value, equal to the one written
     * @throws NullPointerException if {@code bytes} is null
     * @throws IllegalArgumentException if the data is empty, has an unknown version, is not
     *     well-formed CBOR, uses a kind or tag that the format does not, has anything after the
     *     item, or nests deeper than {@link #MAX_DEPTH}
     */
    static Value fromExact(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        try (JsonParser p = openExact(bytes, "exact value")) {
            Value value = readCbor(p, firstToken(p, "exact value"), 0);
            expectEnd(p, "exact value");
            return value;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // A decoder of stored bytes must report corruption, whatever form the parser's
            // complaint takes.
            throw malformed("exact value", e);
        }
    }

    private static void writeCbor(JsonGenerator g, Value v, int depth) throws IOException {
        if (v instanceof Value.Float f) {
            g.writeNumber(f.value());
        } else if (v instanceof Value.Int i) {
            g.writeNumber(i.value());
        } else if (v instanceof Value.Str s) {
            writeCborString(g, s.value());
        } else if (v instanceof Value.Bool b) {
            g.writeBoolean(b.value());
        } else if (v instanceof Value.Map m) {
            checkDepth(depth);
            Map<String, Value> entries = m.entries();
            if (anyKeyUnpaired(entries)) {
                ((CBORGenerator) g).writeTag(TAG_MAP_AS_PAIRS);
                g.writeStartArray(m, entries.size() * 2);
                for (Map.Entry<String, Value> e : entries.entrySet()) {
                    writeCborString(g, e.getKey());
                    writeCbor(g, e.getValue(), depth + 1);
                }
                g.writeEndArray();
            } else {
                g.writeStartObject(m, entries.size());
                for (Map.Entry<String, Value> e : entries.entrySet()) {
                    g.writeFieldName(e.getKey());
                    writeCbor(g, e.getValue(), depth + 1);
                }
                g.writeEndObject();
            }
        } else if (v instanceof Value.Array a) {
            checkDepth(depth);
            List<Value> items = a.items();
            g.writeStartArray(a, items.size());
            for (Value item : items) {
                writeCbor(g, item, depth + 1);
            }
            g.writeEndArray();
        } else if (v instanceof Value.Bytes b) {
            checkDepth(depth);
            g.writeBinary(new BytesInput(b), b.length());
        } else {
            g.writeNull();
        }
    }

    private static void writeCborString(JsonGenerator g, String s) throws IOException {
        if (firstUnpairedSurrogate(s) < 0) {
            g.writeString(s);
            return;
        }
        byte[] units = new byte[s.length() * 2];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            units[2 * i] = (byte) (c >> 8);
            units[2 * i + 1] = (byte) c;
        }
        ((CBORGenerator) g).writeTag(TAG_UTF16BE);
        g.writeBinary(units);
    }

    /**
     * Repairs keys and drops the entries that then collide, keeping the later value where the
     * first key stood: exactly what reading the JSON with duplicate keys would give, so that the
     * text never holds a key twice.
     */
    private static Map<String, Value> withWellFormedKeys(Map<String, Value> entries) {
        LinkedHashMap<String, Value> repaired = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : entries.entrySet()) {
            repaired.put(toWellFormed(e.getKey()), e.getValue());
        }
        return repaired;
    }

    private static boolean anyKeyUnpaired(Map<String, Value> entries) {
        for (String key : entries.keySet()) {
            if (firstUnpairedSurrogate(key) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static Value readCbor(JsonParser p, JsonToken t, int depth) throws IOException {
        int tag = ((CBORParser) p).getCurrentTag();
        switch (t) {
            case VALUE_NULL:
                untagged(p, tag);
                return Value.NULL;
            case VALUE_TRUE:
                untagged(p, tag);
                return new Value.Bool(true);
            case VALUE_FALSE:
                untagged(p, tag);
                return new Value.Bool(false);
            case VALUE_NUMBER_INT: {
                untagged(p, tag);
                JsonParser.NumberType type = p.getNumberType();
                if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
                    throw new IllegalArgumentException("malformed exact value: integer out of range" + at(p));
                }
                return new Value.Int(p.getLongValue());
            }
            case VALUE_NUMBER_FLOAT: {
                untagged(p, tag);
                JsonParser.NumberType type = p.getNumberType();
                if (type != JsonParser.NumberType.DOUBLE && type != JsonParser.NumberType.FLOAT) {
                    throw new IllegalArgumentException("malformed exact value: unsupported number" + at(p));
                }
                return new Value.Float(p.getDoubleValue());
            }
            case VALUE_STRING:
                untagged(p, tag);
                return new Value.Str(p.getText());
            case VALUE_EMBEDDED_OBJECT:
                if (tag == TAG_UTF16BE) {
                    return new Value.Str(readUtf16(p));
                }
                untagged(p, tag);
                checkReadDepth(p, depth);
                return new Value.Bytes(binary(p));
            case START_ARRAY: {
                checkReadDepth(p, depth);
                if (tag == TAG_MAP_AS_PAIRS) {
                    LinkedHashMap<String, Value> entries = new LinkedHashMap<>();
                    JsonToken next;
                    while ((next = nextToken(p)) != JsonToken.END_ARRAY) {
                        String key = readCborString(p, next);
                        JsonToken valueToken = nextToken(p);
                        if (valueToken == JsonToken.END_ARRAY) {
                            throw new IllegalArgumentException("malformed exact value: map key without a value" + at(p));
                        }
                        entries.put(key, readCbor(p, valueToken, depth + 1));
                    }
                    return new Value.Map(entries);
                }
                untagged(p, tag);
                List<Value> items = new ArrayList<>();
                JsonToken next;
                while ((next = nextToken(p)) != JsonToken.END_ARRAY) {
                    items.add(readCbor(p, next, depth + 1));
                }
                return new Value.Array(items);
            }
            case START_OBJECT: {
                untagged(p, tag);
                checkReadDepth(p, depth);
                LinkedHashMap<String, Value> entries = new LinkedHashMap<>();
                while (nextToken(p) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    entries.put(key, readCbor(p, nextToken(p), depth + 1));
                }
                return new Value.Map(entries);
            }
            default:
                throw new IllegalArgumentException("malformed exact value: unexpected " + t + at(p));
        }
    }

    private static String readCborString(JsonParser p, JsonToken t) throws IOException {
        int tag = ((CBORParser) p).getCurrentTag();
        if (t == JsonToken.VALUE_STRING && tag == -1) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_EMBEDDED_OBJECT && tag == TAG_UTF16BE) {
            return readUtf16(p);
        }
        throw new IllegalArgumentException("malformed exact value: expected a string, found " + t + at(p));
    }

    private static String readUtf16(JsonParser p) throws IOException {
        byte[] units = binary(p);
        if (units.length % 2 != 0) {
            throw new IllegalArgumentException("malformed exact value: odd-length UTF-16 string" + at(p));
        }
        char[] chars = new char[units.length / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) (((units[2 * i] & 0xFF) << 8) | (units[2 * i + 1] & 0xFF));
        }
        return new String(chars);
    }

    private static byte[] binary(JsonParser p) throws IOException {
        Object embedded = p.getEmbeddedObject();
        if (!(embedded instanceof byte[])) {
            throw new IllegalArgumentException("malformed exact value: unsupported CBOR item" + at(p));
        }
        return (byte[]) embedded;
    }

    private static void untagged(JsonParser p, int tag) {
        if (tag != -1) {
            throw new IllegalArgumentException("malformed exact value: unexpected CBOR tag " + tag + at(p));
        }
    }

    // ---------------------------------------------------------------- snapshot params

    /**
     * Returns the Rust crate's snapshot JSON: an array of objects with the fields
     * {@code address}, {@code value}, {@code revision}, {@code writer} and {@code timestamp} in
     * that order, each value in the lossy Rust form of {@link #toJson}.
     *
     * @param params the params, in order
     * @return compact JSON text
     * @throws NullPointerException if {@code params} or an element is null
     * @throws IllegalArgumentException if a revision or timestamp is negative (Rust stores them
     *     unsigned) or a value nests deeper than {@link #MAX_DEPTH}
     */
    static String paramsToJson(List<ParamSnapshot> params) {
        Objects.requireNonNull(params, "params");
        return writeJsonText(g -> {
            g.writeStartArray(params, params.size());
            int index = 0;
            for (ParamSnapshot param : params) {
                checkParam(param, index++);
                g.writeStartObject(param, PARAM_FIELDS.length);
                g.writeStringField("address", toWellFormed(param.address()));
                g.writeFieldName("value");
                writeJson(g, param.value(), 0);
                g.writeNumberField("revision", param.revision());
                g.writeStringField("writer", toWellFormed(param.writer()));
                g.writeNumberField("timestamp", param.timestamp());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /**
     * Reads snapshot JSON as the Rust crate writes it. Every field is required and must have
     * the right type; revision and timestamp must be integers from 0 to {@link Long#MAX_VALUE}. A
     * field that appears twice is an error (as in serde); fields this version does not know are
     * skipped, so that a later writer may add some.
     *
     * @param json the JSON text
     * @return the params, in order; an immutable list
     * @throws NullPointerException if {@code json} is null
     * @throws IllegalArgumentException if the text is not JSON or not of that shape
     */
    static List<ParamSnapshot> paramsFromJson(String json) {
        Objects.requireNonNull(json, "json");
        try (JsonParser p = JSON.createParser(json)) {
            List<ParamSnapshot> params = readParams(p, false, "snapshot JSON");
            expectEnd(p, "snapshot JSON");
            return params;
        } catch (IOException e) {
            throw malformed("snapshot JSON", e);
        }
    }

    /**
     * Returns the exact binary form of a snapshot's params: the version byte, then a CBOR array
     * of maps with the same five fields as {@link #paramsToJson}, each value in the exact form.
     *
     * @param params the params, in order
     * @return a fresh array
     * @throws NullPointerException if {@code params} or an element is null
     * @throws IllegalArgumentException if a revision or timestamp is negative or a value nests
     *     deeper than {@link #MAX_DEPTH}
     */
    static byte[] paramsToExact(List<ParamSnapshot> params) {
        Objects.requireNonNull(params, "params");
        return writeExactBytes(g -> {
            g.writeStartArray(params, params.size());
            int index = 0;
            for (ParamSnapshot param : params) {
                checkParam(param, index++);
                g.writeStartObject(param, PARAM_FIELDS.length);
                g.writeFieldName("address");
                writeCborString(g, param.address());
                g.writeFieldName("value");
                writeCbor(g, param.value(), 0);
                g.writeNumberField("revision", param.revision());
                g.writeFieldName("writer");
                writeCborString(g, param.writer());
                g.writeNumberField("timestamp", param.timestamp());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /**
     * Reads the exact binary form written by {@link #paramsToExact}, with the same shape rules
     * as {@link #paramsFromJson}.
     *
     * @param bytes the version byte followed by one CBOR data item
     * @return the params, in order; an immutable list
     * @throws NullPointerException if {@code bytes} is null
     * @throws IllegalArgumentException if the data is malformed or not of that shape
     */
    static List<ParamSnapshot> paramsFromExact(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        try (JsonParser p = openExact(bytes, "exact params")) {
            List<ParamSnapshot> params = readParams(p, true, "exact params");
            expectEnd(p, "exact params");
            return params;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw malformed("exact params", e);
        }
    }

    private static void checkParam(ParamSnapshot param, int index) {
        Objects.requireNonNull(param, () -> "params[" + index + "]");
        if (param.revision() < 0) {
            throw new IllegalArgumentException("params[" + index + "].revision is negative: " + param.revision());
        }
        if (param.timestamp() < 0) {
            throw new IllegalArgumentException("params[" + index + "].timestamp is negative: " + param.timestamp());
        }
    }

    private static List<ParamSnapshot> readParams(JsonParser p, boolean exact, String what) throws IOException {
        JsonToken t = firstToken(p, what);
        if (t != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("invalid " + what + ": must be an array, found " + describe(t) + at(p));
        }
        List<ParamSnapshot> params = new ArrayList<>();
        while ((t = nextToken(p)) != JsonToken.END_ARRAY) {
            params.add(readParam(p, t, exact, "invalid " + what + ": params[" + params.size() + "]"));
        }
        return List.copyOf(params);
    }

    private static ParamSnapshot readParam(JsonParser p, JsonToken t, boolean exact, String where) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException(where + " must be an object, found " + describe(t) + at(p));
        }
        String address = null;
        String writer = null;
        Value value = null;
        long revision = -1;
        long timestamp = -1;
        while (nextToken(p) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken vt = nextToken(p);
            int field = fieldIndex(name);
            boolean seen = switch (field) {
                case 0 -> address != null;
                case 1 -> value != null;
                case 2 -> revision >= 0;
                case 3 -> writer != null;
                case 4 -> timestamp >= 0;
                default -> false;
            };
            if (seen) {
                throw new IllegalArgumentException(where + " has a duplicate field \"" + name + "\"" + at(p));
            }
            switch (field) {
                case 0 -> address = paramString(p, vt, exact, where + ".address");
                case 1 -> value = readParamValue(p, vt, exact, where + ".value");
                case 2 -> revision = paramCount(p, vt, where + ".revision");
                case 3 -> writer = paramString(p, vt, exact, where + ".writer");
                case 4 -> timestamp = paramCount(p, vt, where + ".timestamp");
                default -> p.skipChildren(); // a field from a later version
            }
        }
        if (address == null) {
            throw missing(p, where, "address");
        }
        if (value == null) {
            throw missing(p, where, "value");
        }
        if (revision < 0) {
            throw missing(p, where, "revision");
        }
        if (writer == null) {
            throw missing(p, where, "writer");
        }
        if (timestamp < 0) {
            throw missing(p, where, "timestamp");
        }
        return new ParamSnapshot(address, value, revision, writer, timestamp);
    }

    private static Value readParamValue(JsonParser p, JsonToken t, boolean exact, String where) throws IOException {
        try {
            return exact ? readCbor(p, t, 0) : readJson(p, t, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static int fieldIndex(String name) {
        for (int i = 0; i < PARAM_FIELDS.length; i++) {
            if (PARAM_FIELDS[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String paramString(JsonParser p, JsonToken t, boolean exact, String where) throws IOException {
        if (t == JsonToken.VALUE_STRING && (!exact || ((CBORParser) p).getCurrentTag() == -1)) {
            return p.getText();
        }
        if (exact && t == JsonToken.VALUE_EMBEDDED_OBJECT && ((CBORParser) p).getCurrentTag() == TAG_UTF16BE) {
            return readUtf16(p);
        }
        throw new IllegalArgumentException(where + " must be a string, found " + describe(t) + at(p));
    }

    /** Reads a revision or timestamp: Rust's u64, as far as a long reaches. */
    private static long paramCount(JsonParser p, JsonToken t, String where) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType type = p.getNumberType();
            if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                long v = p.getLongValue();
                if (v >= 0) {
                    return v;
                }
            } else if (p.getBigIntegerValue().signum() > 0) {
                throw new IllegalArgumentException(where + " is out of range: " + p.getText() + at(p));
            }
        }
        String found = t.isNumeric() ? p.getText() : describe(t);
        throw new IllegalArgumentException(where + " must be a non-negative integer, found " + found + at(p));
    }

    private static IllegalArgumentException missing(JsonParser p, String where, String field) {
        return new IllegalArgumentException(where + " is missing field \"" + field + "\"" + at(p));
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of input";
        }
        switch (t) {
            case START_ARRAY:
                return "an array";
            case START_OBJECT:
                return "an object";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            case VALUE_EMBEDDED_OBJECT:
                return "a byte string";
            default:
                return t.toString();
        }
    }

    // ---------------------------------------------------------------- shared plumbing

    @FunctionalInterface
    private interface Writing {
        void writeTo(JsonGenerator g) throws IOException;
    }

    private static String writeJsonText(Writing writing) {
        // The same buffer handling as Jackson's own writeValueAsString: the writer borrows
        // pooled buffers, so short values cost almost no garbage.
        BufferRecycler recycler = JSON._getBufferRecycler();
        try (SegmentedStringWriter out = new SegmentedStringWriter(recycler)) {
            try (JsonGenerator g = JSON.createGenerator(out)) {
                writing.writeTo(g);
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e); // cannot happen
        } finally {
            recycler.releaseToPool();
        }
    }

    private static byte[] writeExactBytes(Writing writing) {
        BufferRecycler recycler = CBOR._getBufferRecycler();
        try (ByteArrayBuilder out = new ByteArrayBuilder(recycler)) {
            out.write(EXACT_FORMAT_VERSION);
            try (JsonGenerator g = CBOR.createGenerator(out)) {
                writing.writeTo(g);
            }
            return out.getClearAndRelease();
        } catch (IOException e) {
            throw new UncheckedIOException("writing CBOR to memory failed", e); // cannot happen
        } finally {
            recycler.releaseToPool();
        }
    }

    private static JsonParser openExact(byte[] bytes, String what) throws IOException {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("malformed " + what + ": no data");
        }
        if (bytes[0] != EXACT_FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "unsupported exact format version " + (bytes[0] & 0xFF) + " (this reader knows " + EXACT_FORMAT_VERSION + ")");
        }
        return CBOR.createParser(bytes, 1, bytes.length - 1);
    }

    private static JsonToken firstToken(JsonParser p, String what) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new IllegalArgumentException("malformed " + what + ": no value");
        }
        return t;
    }

    private static JsonToken nextToken(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            // Jackson reports an unclosed container itself; this is a guard, not a path.
            throw new IllegalArgumentException("malformed input: unexpected end" + at(p));
        }
        return t;
    }

    private static void expectEnd(JsonParser p, String what) throws IOException {
        if (p.nextToken() != null) {
            throw new IllegalArgumentException("malformed " + what + ": unexpected data after the value" + at(p));
        }
    }

    private static void checkDepth(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("value nests deeper than " + MAX_DEPTH + " levels");
        }
    }

    private static void checkReadDepth(JsonParser p, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("value nests deeper than " + MAX_DEPTH + " levels" + at(p));
        }
    }

    private static IllegalArgumentException malformed(String what, Exception e) {
        String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.toString();
        JsonLocation loc = e instanceof JsonProcessingException jpe ? jpe.getLocation() : null;
        return new IllegalArgumentException("malformed " + what + ": " + detail + at(loc), e);
    }

    private static String at(JsonParser p) {
        return at(p.currentTokenLocation());
    }

    private static String at(JsonLocation loc) {
        if (loc == null || loc == JsonLocation.NA) {
            return "";
        }
        if (loc.getLineNr() > 0) {
            return " (at line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        }
        // Binary formats have no lines; count the version byte so offsets match the input.
        return loc.getByteOffset() >= 0 ? " (at byte " + (loc.getByteOffset() + 1) + ")" : "";
    }

    /** Returns the index of the first unpaired surrogate in {@code s}, or -1. */
    static int firstUnpairedSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Replaces each unpaired surrogate with U+FFFD, as Rust's lossy UTF-16 decoding does. */
    private static String toWellFormed(String s) {
        int first = firstUnpairedSurrogate(s);
        if (first < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        sb.append(s, 0, first);
        for (int i = first, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }

    /** Streams a byte string into the generator without copying it out of the value first. */
    private static final class BytesInput extends InputStream {
        private final Value.Bytes bytes;
        private int position;

        BytesInput(Value.Bytes bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return position < bytes.length() ? bytes.byteAt(position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            int n = Math.min(length, bytes.length() - position);
            if (n <= 0) {
                return length == 0 ? 0 : -1;
            }
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = bytes.byteAt(position + i);
            }
            position += n;
            return n;
        }
    }

    /**
     * serde_json escapes: the short forms for \b \t \n \f \r, and six-character escapes with lowercase
     * hex for the other control characters (Jackson's default would use uppercase). Nothing else
     * is escaped, non-ASCII included.
     */
    private static final class RustEscapes extends CharacterEscapes {
        private static final int[] ASCII = asciiEscapes();
        private static final SerializableString[] CONTROL = controlEscapes();

        private static int[] asciiEscapes() {
            int[] table = CharacterEscapes.standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                if (table[c] == CharacterEscapes.ESCAPE_STANDARD) {
                    table[c] = CharacterEscapes.ESCAPE_CUSTOM;
                }
            }
            return table;
        }

        private static SerializableString[] controlEscapes() {
            SerializableString[] escapes = new SerializableString[0x20];
            for (int c = 0; c < 0x20; c++) {
                escapes[c] = new SerializedString(String.format("\\u%04x", c));
            }
            return escapes;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch < 0x20 ? CONTROL[ch] : null;
        }
    }
}
