package to.clasp.journal.internal.codec;

import static to.clasp.journal.internal.codec.ValueCodec.MAX_DEPTH;
import static to.clasp.journal.internal.codec.ValueCodec.PARAM_FIELDS;
import static to.clasp.journal.internal.codec.ValueCodec.READ_CONSTRAINTS;
import static to.clasp.journal.internal.codec.ValueCodec.WRITE_CONSTRAINTS;
import static to.clasp.journal.internal.codec.ValueCodec.Writing;
import static to.clasp.journal.internal.codec.ValueCodec.anyKeyUnpaired;
import static to.clasp.journal.internal.codec.ValueCodec.at;
import static to.clasp.journal.internal.codec.ValueCodec.checkDepth;
import static to.clasp.journal.internal.codec.ValueCodec.checkParam;
import static to.clasp.journal.internal.codec.ValueCodec.checkReadDepth;
import static to.clasp.journal.internal.codec.ValueCodec.expectEnd;
import static to.clasp.journal.internal.codec.ValueCodec.firstToken;
import static to.clasp.journal.internal.codec.ValueCodec.firstUnpairedSurrogate;
import static to.clasp.journal.internal.codec.ValueCodec.malformed;
import static to.clasp.journal.internal.codec.ValueCodec.nextToken;
import static to.clasp.journal.internal.codec.ValueCodec.readParams;
import static to.clasp.journal.internal.codec.ValueCodec.toWellFormed;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.BufferRecycler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;

/**
 * The Rust crate's JSON form of a {@link Value} and of a snapshot's params: what
 * {@code value_json} and {@code data_json} hold, so that Rust can read them.
 *
 * <p>{@link #toJson} writes exactly what the Rust crate's untagged serde JSON writes:
 * {@code null}, {@code true} and {@code false}, integers, strings, arrays and objects (in the
 * map's order), compact, with non-ASCII characters as raw UTF-8. A float always carries a
 * fraction or an exponent, laid out like Rust's shortest round-trip formatting ({@code 1.0},
 * {@code 0.75}, {@code -2.5e-7}, {@code 1e23}, {@code 1000000000000000.0}), and control
 * characters are escaped as serde_json escapes them, so the text is what Rust writes for the same
 * value, byte for byte, apart from map order (Rust's is random). The form is lossy where JSON or
 * Rust cannot follow: {@link Value.Bytes} becomes an array of unsigned byte integers, NaN and the
 * infinities become {@code null}, and an unpaired UTF-16 surrogate in a string or key becomes
 * U+FFFD (Rust strings cannot hold one, and SQLite stores text as UTF-8; should two keys of a map
 * become equal that way, the later entry wins). {@link #isJsonExact} tells when nothing was
 * lost; {@link ExactCbor} is the lossless form stored beside it then.
 *
 * <p>{@link #fromJson} reads with Rust's rules: an integer that fits in a {@code long} is an
 * {@link Value.Int}; any other number (a fraction, an exponent, an integer out of range, and
 * {@code -0}) is a {@link Value.Float}; a number too large for a double is rejected. Objects
 * keep their order; when a key repeats, the last value wins (as serde's maps do) at the key's
 * first position. An escaped unpaired surrogate, which Rust rejects, is accepted.
 *
 * <p>Limits (nesting depth, number length) and the error contract are {@link ValueCodec}'s. All
 * methods are static and thread-safe: they share one immutable, fully configured factory.
 */
public final class RustJson {

    private RustJson() {}

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

    /**
     * Returns the Rust crate's untagged JSON of a value: byte for byte what Rust writes, except
     * that maps keep their own order. Lossy for {@code Bytes} (an array of integers 0..255),
     * NaN and the infinities ({@code null}) and unpaired surrogates (U+FFFD); see
     * {@link #isJsonExact}.
     *
     * @param value the value
     * @return compact JSON text
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if the value nests deeper than {@link ValueCodec#MAX_DEPTH}
     */
    public static String toJson(Value value) {
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
     *     holds a number beyond the range of a double, or nests deeper than {@link ValueCodec#MAX_DEPTH}
     */
    public static Value fromJson(String json) {
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
     * Reads the Rust crate's untagged JSON from its UTF-8 bytes: the same value, or the same
     * error, as {@link #fromJson(String)} on {@code new String(utf8, UTF_8)}. A lone number,
     * {@code true}, {@code false} or {@code null} (what a router mostly stores) is read straight
     * from the bytes; anything else goes through the text.
     *
     * @param utf8 the bytes of the JSON text
     * @return the value
     * @throws NullPointerException if {@code utf8} is null
     * @throws IllegalArgumentException as {@link #fromJson(String)}
     */
    public static Value fromJsonUtf8(byte[] utf8) {
        return fromJsonUtf8(utf8, 0, utf8.length);
    }

    /**
     * {@link #fromJsonUtf8(byte[])} of the bytes from {@code from} (inclusive) to {@code to}
     * (exclusive).
     *
     * @throws NullPointerException if {@code utf8} is null
     * @throws IndexOutOfBoundsException if the range is not within {@code utf8}
     * @throws IllegalArgumentException as {@link #fromJson(String)}
     */
    public static Value fromJsonUtf8(byte[] utf8, int from, int to) {
        Objects.checkFromToIndex(from, to, utf8.length);
        Value scalar = plainScalar(utf8, from, to);
        return scalar != null ? scalar : fromJson(new String(utf8, from, to - from, StandardCharsets.UTF_8));
    }

    /** Powers of ten a double holds exactly. */
    private static final double[] EXACT_POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
        1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /** Digits a long always holds: larger integers take the general path. */
    private static final int MAX_PLAIN_DIGITS = 18;

    /**
     * The value of JSON text that is exactly one plain literal or number without surrounding
     * whitespace, or null for anything else (left to the general path, which also reports
     * every error). Numbers follow JSON's grammar and Rust's rules, as {@link #readJson} does.
     */
    private static Value plainScalar(byte[] b, int from, int n) {
        if (n == from) {
            return null;
        }
        int f = from;
        switch (b[f]) {
            case 't':
                return n - f == 4 && b[f + 1] == 'r' && b[f + 2] == 'u' && b[f + 3] == 'e' ? new Value.Bool(true) : null;
            case 'f':
                return n - f == 5 && b[f + 1] == 'a' && b[f + 2] == 'l' && b[f + 3] == 's' && b[f + 4] == 'e'
                        ? new Value.Bool(false) : null;
            case 'n':
                return n - f == 4 && b[f + 1] == 'u' && b[f + 2] == 'l' && b[f + 3] == 'l' ? Value.NULL : null;
            default:
                return plainNumber(b, from, n);
        }
    }

    /** {@link #plainScalar} of a number: the bytes from {@code from} up to {@code n}, exclusive. */
    private static Value plainNumber(byte[] b, int from, int n) {
        int i = from;
        boolean negative = b[from] == '-';
        if (negative) {
            i++;
        }
        // Integer part: "0" or a non-zero digit followed by digits (JSON allows no leading zero).
        int intStart = i;
        if (i == n || !isDigit(b[i])) {
            return null;
        }
        if (b[i] == '0') {
            i++;
        } else {
            while (i < n && isDigit(b[i])) {
                i++;
            }
        }
        int intDigits = i - intStart;
        int fracStart = -1;
        int fracDigits = 0;
        if (i < n && b[i] == '.') {
            fracStart = ++i;
            while (i < n && isDigit(b[i])) {
                i++;
            }
            fracDigits = i - fracStart;
            if (fracDigits == 0) {
                return null;
            }
        }
        boolean exponent = false;
        int exp = 0;
        if (i < n && (b[i] == 'e' || b[i] == 'E')) {
            exponent = true;
            i++;
            boolean expNegative = false;
            if (i < n && (b[i] == '+' || b[i] == '-')) {
                expNegative = b[i] == '-';
                i++;
            }
            int expStart = i;
            while (i < n && isDigit(b[i])) {
                if (i - expStart == 4) {
                    return null; // far beyond any exact fast case
                }
                exp = exp * 10 + (b[i] - '0');
                i++;
            }
            if (i == expStart) {
                return null;
            }
            if (expNegative) {
                exp = -exp;
            }
        }
        if (i != n || intDigits + fracDigits > MAX_PLAIN_DIGITS) {
            return null;
        }
        long mantissa = 0;
        for (int k = intStart; k < intStart + intDigits; k++) {
            mantissa = mantissa * 10 + (b[k] - '0');
        }
        if (fracStart < 0 && !exponent) {
            // An integer: a long, except "-0", which serde_json reads as the float -0.0.
            if (negative && mantissa == 0) {
                return new Value.Float(-0.0);
            }
            return new Value.Int(negative ? -mantissa : mantissa);
        }
        for (int k = fracStart; k >= 0 && k < fracStart + fracDigits; k++) {
            mantissa = mantissa * 10 + (b[k] - '0');
        }
        int scale = exp - fracDigits;
        // Both the mantissa and the power of ten are exact doubles, so one IEEE multiplication or
        // division rounds correctly, as the general parser does; other cases take its path.
        if (mantissa > (1L << 53) || scale < -22 || scale > 22) {
            return null;
        }
        double d = scale < 0 ? mantissa / EXACT_POWERS_OF_TEN[-scale] : mantissa * EXACT_POWERS_OF_TEN[scale];
        return new Value.Float(negative ? -d : d);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
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
    public static boolean isJsonExact(Value value) {
        Objects.requireNonNull(value, "value");
        return isJsonExact(value, 0);
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

    /**
     * Returns the Rust crate's snapshot JSON: an array of objects with the fields
     * {@code address}, {@code value}, {@code revision}, {@code writer} and {@code timestamp} in
     * that order, each value in the lossy Rust form of {@link #toJson}.
     *
     * @param params the params, in order
     * @return compact JSON text
     * @throws NullPointerException if {@code params} or an element is null
     * @throws IllegalArgumentException if a revision or timestamp is negative (Rust stores them
     *     unsigned) or a value nests deeper than {@link ValueCodec#MAX_DEPTH}
     */
    public static String paramsToJson(List<ParamSnapshot> params) {
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
    public static List<ParamSnapshot> paramsFromJson(String json) {
        Objects.requireNonNull(json, "json");
        try (JsonParser p = JSON.createParser(json)) {
            List<ParamSnapshot> params = readParams(p, PARAMS, "snapshot JSON");
            expectEnd(p, "snapshot JSON");
            return params;
        } catch (IOException e) {
            throw malformed("snapshot JSON", e);
        }
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

    /** Snapshot params in this form: values as Rust JSON, strings as JSON strings. */
    private static final ValueCodec.ParamForm PARAMS = new ValueCodec.ParamForm() {
        @Override
        public Value value(JsonParser p, JsonToken t) throws IOException {
            return readJson(p, t, 0);
        }

        @Override
        public String string(JsonParser p, JsonToken t) throws IOException {
            return t == JsonToken.VALUE_STRING ? p.getText() : null;
        }
    };

}
