package to.clasp.journal.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;

/**
 * What the two stored forms of a value, {@link RustJson} and {@link ExactCbor}, share: the
 * nesting limit, the shape of a snapshot's params, and the parser plumbing.
 *
 * <h2>Limits</h2>
 *
 * <p>Values may nest at most {@value #MAX_DEPTH} levels: every array and map is a level, and so
 * is {@code Bytes}, because the JSON form writes it as an array. The limit is the Rust crate's:
 * its serde_json refuses JSON nested deeper than 127 levels (reading such a {@code value_json}
 * as null and failing to load such a snapshot), and a snapshot's JSON wraps each value in two
 * more levels (the list and the param object), so every file written here stays readable there.
 * Deeper values are refused by every codec, on writing so that nothing is stored that could not
 * be read back, and on reading so that corrupt or hostile data can neither exhaust the stack nor
 * yield a value whose own recursive {@code equals}, {@code hashCode} and {@code toString} would.
 * The limit is far above any real CLASP value. JSON numbers may have at most 1000 characters;
 * strings have no limit beyond memory.
 *
 * <h2>Snapshot params</h2>
 *
 * <p>Both forms store a snapshot as an array of objects with the fields {@code address},
 * {@code value}, {@code revision}, {@code writer} and {@code timestamp}, read here by
 * {@link #readParams} with the value and string rules of the form at hand.
 *
 * <h2>Contract</h2>
 *
 * <p>Every codec method throws {@link NullPointerException} for a null argument, a null list
 * element included, and {@link IllegalArgumentException}, with a message that says what is wrong
 * and where, for input that is malformed or has the wrong shape, and for values or params that
 * cannot be written. Callers add the context, such as the entry's seq. Everything here is static
 * and stateless.
 */
public final class ValueCodec {

    private ValueCodec() {}

    /** The deepest nesting of arrays, maps and byte strings that the codecs accept (see Limits). */
    public static final int MAX_DEPTH = 125;

    static final String[] PARAM_FIELDS = {"address", "value", "revision", "writer", "timestamp"};

    // Jackson's own nesting limits sit a little above ours so that our check, with its clearer
    // message, always fires first; a params list adds two levels around each value.
    static final int STREAM_NESTING_LIMIT = MAX_DEPTH + 8;

    static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(STREAM_NESTING_LIMIT)
            // Whatever we can write we must be able to read back.
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .build();

    static final StreamWriteConstraints WRITE_CONSTRAINTS = StreamWriteConstraints.builder()
            .maxNestingDepth(STREAM_NESTING_LIMIT)
            .build();

    /**
     * Checks that a value nests no deeper than {@link #MAX_DEPTH}, which every codec here
     * requires; a journal can call it to refuse such a value up front, whatever its backend.
     * It stops descending at the limit, so it is safe on any value.
     *
     * @param value the value
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if the value nests too deeply
     */
    public static void checkNesting(Value value) {
        Objects.requireNonNull(value, "value");
        checkNesting(value, 0);
    }

    public static void checkNesting(Value v, int depth) {
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

    static boolean anyKeyUnpaired(Map<String, Value> entries) {
        for (String key : entries.keySet()) {
            if (firstUnpairedSurrogate(key) >= 0) {
                return true;
            }
        }
        return false;
    }

    static void checkParam(ParamSnapshot param, int index) {
        Objects.requireNonNull(param, () -> "params[" + index + "]");
        if (param.revision() < 0) {
            throw new IllegalArgumentException("params[" + index + "].revision is negative: " + param.revision());
        }
        if (param.timestamp() < 0) {
            throw new IllegalArgumentException("params[" + index + "].timestamp is negative: " + param.timestamp());
        }
    }

    /** How one stored form reads the value and the strings of a param. */
    interface ParamForm {
        /** Reads the value starting at {@code t}. */
        Value value(JsonParser p, JsonToken t) throws IOException;

        /** Reads the string at {@code t}, or returns null if {@code t} is not a string in this form. */
        String string(JsonParser p, JsonToken t) throws IOException;
    }

    /**
     * Reads a snapshot's params: an array of param objects. Every field is required and must
     * have the right type; revision and timestamp must be integers from 0 to
     * {@link Long#MAX_VALUE}. A field that appears twice is an error (as in serde); fields this
     * version does not know are skipped, so that a later writer may add some.
     */
    static List<ParamSnapshot> readParams(JsonParser p, ParamForm form, String what) throws IOException {
        JsonToken t = firstToken(p, what);
        if (t != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("invalid " + what + ": must be an array, found " + describe(t) + at(p));
        }
        List<ParamSnapshot> params = new ArrayList<>();
        while ((t = nextToken(p)) != JsonToken.END_ARRAY) {
            params.add(readParam(p, t, form, "invalid " + what + ": params[" + params.size() + "]"));
        }
        return List.copyOf(params);
    }

    private static ParamSnapshot readParam(JsonParser p, JsonToken t, ParamForm form, String where) throws IOException {
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
                case 0 -> address = paramString(p, vt, form, where + ".address");
                case 1 -> value = paramValue(p, vt, form, where + ".value");
                case 2 -> revision = paramCount(p, vt, where + ".revision");
                case 3 -> writer = paramString(p, vt, form, where + ".writer");
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

    static int fieldIndex(String name) {
        for (int i = 0; i < PARAM_FIELDS.length; i++) {
            if (PARAM_FIELDS[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Reads a revision or timestamp: Rust's u64, as far as a long reaches. */
    static long paramCount(JsonParser p, JsonToken t, String where) throws IOException {
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

    static IllegalArgumentException missing(JsonParser p, String where, String field) {
        return new IllegalArgumentException(where + " is missing field \"" + field + "\"" + at(p));
    }

    static String describe(JsonToken t) {
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

    @FunctionalInterface
    interface Writing {
        void writeTo(JsonGenerator g) throws IOException;
    }

    static JsonToken firstToken(JsonParser p, String what) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new IllegalArgumentException("malformed " + what + ": no value");
        }
        return t;
    }

    static JsonToken nextToken(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            // Jackson reports an unclosed container itself; this is a guard, not a path.
            throw new IllegalArgumentException("malformed input: unexpected end" + at(p));
        }
        return t;
    }

    static void expectEnd(JsonParser p, String what) throws IOException {
        if (p.nextToken() != null) {
            throw new IllegalArgumentException("malformed " + what + ": unexpected data after the value" + at(p));
        }
    }

    static void checkDepth(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("value nests deeper than " + MAX_DEPTH + " levels");
        }
    }

    static void checkReadDepth(JsonParser p, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("value nests deeper than " + MAX_DEPTH + " levels" + at(p));
        }
    }

    static IllegalArgumentException malformed(String what, Exception e) {
        String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.toString();
        JsonLocation loc = e instanceof JsonProcessingException jpe ? jpe.getLocation() : null;
        return new IllegalArgumentException("malformed " + what + ": " + detail + at(loc), e);
    }

    static String at(JsonParser p) {
        return at(p.currentTokenLocation());
    }

    static String at(JsonLocation loc) {
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
    static String toWellFormed(String s) {
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

    private static Value paramValue(JsonParser p, JsonToken t, ParamForm form, String where) throws IOException {
        try {
            return form.value(p, t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String paramString(JsonParser p, JsonToken t, ParamForm form, String where) throws IOException {
        String s = form.string(p, t);
        if (s == null) {
            throw new IllegalArgumentException(where + " must be a string, found " + describe(t) + at(p));
        }
        return s;
    }
}
