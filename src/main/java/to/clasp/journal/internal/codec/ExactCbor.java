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

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;

/**
 * The exact (lossless) binary form of a {@link Value} and of a snapshot's params: what the
 * {@code value_exact} and {@code data_exact} columns hold, where {@link RustJson} would lose
 * something.
 *
 * <p>{@link #toExact} writes one format version byte ({@value #EXACT_FORMAT_VERSION}), then
 * exactly one CBOR data item (RFC 8949) and nothing after it. Null, booleans, strings, arrays and
 * maps (definite length, order kept) map to their CBOR kinds; an {@code Int} is a CBOR integer of
 * the shortest width; a {@code Float} is always an 8-byte float, so NaN, the infinities,
 * {@code -0.0} and {@code 1.0} stay floats; {@code Bytes} is a CBOR byte string. Two rare cases
 * use tags: a string with an unpaired surrogate, which UTF-8 cannot carry, is a byte string of
 * its UTF-16 code units, big-endian, under tag {@value #TAG_UTF16BE} (RFC 8746's uint16
 * big-endian array); a map with such a key is an array of alternating keys and values under the
 * private tag {@value #TAG_MAP_AS_PAIRS}. A reader that meets any other version byte must refuse
 * the data rather than guess, which is what lets the format change later.
 *
 * <p>Limits and the error contract are {@link ValueCodec}'s. All methods are static and
 * thread-safe: they share one immutable, fully configured factory.
 */
public final class ExactCbor {

    private ExactCbor() {}

    /** The first byte of every exact form. */
    static final int EXACT_FORMAT_VERSION = 1;

    /** RFC 8746: an array of big-endian uint16, which is what a Java string is. */
    static final int TAG_UTF16BE = 65;

    /** Private to this format: a map written as an array of alternating keys and values. */
    static final int TAG_MAP_AS_PAIRS = 0x6A6D6170;

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

    /**
     * Returns the exact binary form of a value (see the class description).
     *
     * @param value the value
     * @return a fresh array: the version byte, then one CBOR data item
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if the value nests deeper than {@link ValueCodec#MAX_DEPTH}
     */
    public static byte[] toExact(Value value) {
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
     *     item, or nests deeper than {@link ValueCodec#MAX_DEPTH}
     */
    public static Value fromExact(byte[] bytes) {
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

    /**
     * Returns the exact binary form of a snapshot's params: the version byte, then a CBOR array
     * of maps with the same five fields as {@link RustJson#paramsToJson}, each value in the exact form.
     *
     * @param params the params, in order
     * @return a fresh array
     * @throws NullPointerException if {@code params} or an element is null
     * @throws IllegalArgumentException if a revision or timestamp is negative or a value nests
     *     deeper than {@link ValueCodec#MAX_DEPTH}
     */
    public static byte[] paramsToExact(List<ParamSnapshot> params) {
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
     * as {@link RustJson#paramsFromJson}.
     *
     * @param bytes the version byte followed by one CBOR data item
     * @return the params, in order; an immutable list
     * @throws NullPointerException if {@code bytes} is null
     * @throws IllegalArgumentException if the data is malformed or not of that shape
     */
    public static List<ParamSnapshot> paramsFromExact(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        try (JsonParser p = openExact(bytes, "exact params")) {
            List<ParamSnapshot> params = readParams(p, PARAMS, "exact params");
            expectEnd(p, "exact params");
            return params;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw malformed("exact params", e);
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

    /** Snapshot params in this form: values and strings (UTF-16 tagged ones too) as written here. */
    private static final ValueCodec.ParamForm PARAMS = new ValueCodec.ParamForm() {
        @Override
        public Value value(JsonParser p, JsonToken t) throws IOException {
            return readCbor(p, t, 0);
        }

        @Override
        public String string(JsonParser p, JsonToken t) throws IOException {
            int tag = ((CBORParser) p).getCurrentTag();
            if (t == JsonToken.VALUE_STRING && tag == -1) {
                return p.getText();
            }
            if (t == JsonToken.VALUE_EMBEDDED_OBJECT && tag == TAG_UTF16BE) {
                return readUtf16(p);
            }
            return null;
        }
    };

}
