package to.clasp.journal.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SignalType;
import to.clasp.journal.Snapshot;
import to.clasp.journal.Value;

/**
 * The tool's JSON form of entries and values: one object per line, lossless.
 *
 * <p>An entry has the Rust crate's field names: {@code seq, timestamp, author, address,
 * signal_type, value, revision, msg_type}. A value is plain JSON where JSON is exact: integers
 * are {@code Int}, numbers with a fraction or exponent are {@code Float} ({@code 1.0} stays a
 * float), objects keep their key order. Where plain JSON would lose something, a one-key object
 * whose key starts with {@code $} says what it is: {@code {"$bytes":"AAEC/w=="}} (base64),
 * {@code {"$float":"NaN"}} ({@code Infinity}, {@code -Infinity}), and {@code {"$map":{...}}} for a
 * map that itself has exactly one key starting with {@code $}. Surrogate code units are written
 * as {@code \\u} escapes, so even a string with a lone surrogate survives.
 */
final class EntryJson {

    private EntryJson() {}

    /**
     * Whatever a journal stores, an export carries and an import reads back: Jackson's default
     * limits on strings and names (20,000,000 and 50,000 characters) are far below what an entry
     * may hold, so they are lifted; what remains (nesting, number length) sits above what any
     * exported entry reaches, and the journal's own checks give the clearer message first.
     */
    private static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .build();

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(READ_CONSTRAINTS)
            .build());
    private static final JsonFactory FACTORY = new JsonFactory().setCharacterEscapes(new SurrogateEscapes());
    private static final Set<String> ENTRY_FIELDS = Set.of("seq", "timestamp", "author", "address", "signal_type",
            "value", "revision", "msg_type");

    // ---------------------------------------------------------------- writing

    static String entry(JournalEntry e) {
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("seq", e.seq());
            g.writeNumberField("timestamp", e.timestamp());
            g.writeStringField("author", e.author());
            g.writeStringField("address", e.address());
            g.writeStringField("signal_type", e.signalType().wireName());
            g.writeFieldName("value");
            value(g, e.value());
            g.writeFieldName("revision");
            if (e.revision().isPresent()) {
                g.writeNumber(e.revision().getAsLong());
            } else {
                g.writeNull();
            }
            g.writeNumberField("msg_type", e.msgType());
            g.writeEndObject();
        });
    }

    static String value(Value v) {
        return write(g -> value(g, v));
    }

    static String snapshot(Snapshot s) {
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("seq", s.seq());
            g.writeNumberField("created_at", s.createdAt());
            g.writeArrayFieldStart("params");
            for (ParamSnapshot p : s.params()) {
                g.writeStartObject();
                g.writeStringField("address", p.address());
                g.writeFieldName("value");
                value(g, p.value());
                g.writeNumberField("revision", p.revision());
                g.writeStringField("writer", p.writer());
                g.writeNumberField("timestamp", p.timestamp());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void value(JsonGenerator g, Value v) throws IOException {
        if (v instanceof Value.Bool b) {
            g.writeBoolean(b.value());
        } else if (v instanceof Value.Int i) {
            g.writeNumber(i.value());
        } else if (v instanceof Value.Float f) {
            double d = f.value();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeStartObject();
                g.writeStringField("$float", Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                g.writeEndObject();
            }
        } else if (v instanceof Value.Str s) {
            g.writeString(s.value());
        } else if (v instanceof Value.Bytes b) {
            g.writeStartObject();
            g.writeStringField("$bytes", Base64.getEncoder().encodeToString(b.data()));
            g.writeEndObject();
        } else if (v instanceof Value.Array a) {
            g.writeStartArray();
            for (Value item : a.items()) {
                value(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Value.Map m) {
            boolean escape = m.entries().size() == 1 && m.entries().keySet().iterator().next().startsWith("$");
            g.writeStartObject();
            if (escape) {
                g.writeFieldName("$map");
                g.writeStartObject();
            }
            for (Map.Entry<String, Value> e : m.entries().entrySet()) {
                g.writeFieldName(e.getKey());
                value(g, e.getValue());
            }
            if (escape) {
                g.writeEndObject();
            }
            g.writeEndObject();
        } else {
            g.writeNull();
        }
    }

    /** Escapes every surrogate code unit, so that lone ones survive; everything else as usual. */
    private static final class SurrogateEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch >= Character.MIN_SURROGATE && ch <= Character.MAX_SURROGATE) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads one line of {@link #entry} output; the message of the exception says what is wrong. */
    static JournalEntry parseEntry(String line) {
        JsonNode n = tree(line);
        if (!n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ENTRY_FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "'");
            }
        }
        long seq = longField(n, "seq");
        long timestamp = longField(n, "timestamp");
        String author = textField(n, "author");
        String address = textField(n, "address");
        SignalType type;
        try {
            type = SignalType.fromWireName(textField(n, "signal_type"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signal_type: " + e.getMessage());
        }
        if (!n.has("value")) {
            throw new IllegalArgumentException("missing field 'value'");
        }
        Value value = toValue(n.get("value"), 0);
        JsonNode rev = n.get("revision");
        OptionalLong revision;
        if (rev == null || rev.isNull()) {
            revision = OptionalLong.empty();
        } else if (rev.isIntegralNumber() && rev.canConvertToLong()) {
            revision = OptionalLong.of(rev.asLong());
        } else {
            throw new IllegalArgumentException("revision must be an integer or null");
        }
        long msgType = longField(n, "msg_type");
        if (msgType != JournalEntry.MSG_SET && msgType != JournalEntry.MSG_PUBLISH) {
            throw new IllegalArgumentException("msg_type must be 33 (SET) or 32 (PUBLISH), not " + msgType);
        }
        return new JournalEntry(seq, timestamp, author, address, type, value, revision, (int) msgType);
    }

    /** Reads a value in the form {@link #value(Value)} writes. */
    static Value parseValue(String json) {
        return toValue(tree(json), 0);
    }

    private static JsonNode tree(String json) {
        try {
            JsonParser p = MAPPER.getFactory().createParser(json);
            JsonNode n = MAPPER.readTree(p);
            if (n == null || p.nextToken() != null) {
                throw new IllegalArgumentException(n == null ? "empty line" : "more than one JSON value on the line");
            }
            return n;
        } catch (StreamConstraintsException e) {
            throw new IllegalArgumentException("over a limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long longField(JsonNode n, String name) {
        JsonNode f = n.get(name);
        if (f == null) {
            throw new IllegalArgumentException("missing field '" + name + "'");
        }
        if (!f.isIntegralNumber() || !f.canConvertToLong()) {
            throw new IllegalArgumentException(name + " must be an integer");
        }
        return f.asLong();
    }

    private static String textField(JsonNode n, String name) {
        JsonNode f = n.get(name);
        if (f == null || !f.isTextual()) {
            throw new IllegalArgumentException(f == null ? "missing field '" + name + "'" : name + " must be a string");
        }
        return f.asText();
    }

    private static Value toValue(JsonNode n, int depth) {
        if (depth > 200) {
            throw new IllegalArgumentException("value nested too deeply");
        }
        switch (n.getNodeType()) {
            case NULL:
                return Value.NULL;
            case BOOLEAN:
                return Value.of(n.booleanValue());
            case STRING:
                return Value.of(n.textValue());
            case NUMBER:
                if (n.isIntegralNumber()) {
                    if (!n.canConvertToLong()) {
                        throw new IllegalArgumentException("integer " + n.asText() + " does not fit in 64 bits");
                    }
                    return Value.of(n.longValue());
                }
                return Value.of(n.doubleValue());
            case ARRAY: {
                List<Value> items = new ArrayList<>(n.size());
                for (JsonNode item : n) {
                    items.add(toValue(item, depth + 1));
                }
                return Value.of(items);
            }
            case OBJECT: {
                if (n.size() == 1) {
                    String key = n.fieldNames().next();
                    if (key.startsWith("$")) {
                        return tagged(key, n.get(key), depth);
                    }
                }
                return Value.of(fields(n, depth));
            }
            default:
                throw new IllegalArgumentException("unsupported JSON value: " + n.getNodeType());
        }
    }

    private static Map<String, Value> fields(JsonNode n, int depth) {
        Map<String, Value> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            entries.put(e.getKey(), toValue(e.getValue(), depth + 1));
        }
        return entries;
    }

    private static Value tagged(String tag, JsonNode body, int depth) {
        switch (tag) {
            case "$bytes":
                if (body.isTextual()) {
                    try {
                        return Value.of(Base64.getDecoder().decode(body.textValue()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("$bytes is not base64: " + e.getMessage());
                    }
                }
                throw new IllegalArgumentException("$bytes must be a base64 string");
            case "$float":
                if (body.isTextual()) {
                    switch (body.textValue()) {
                        case "NaN":
                            return Value.of(Double.NaN);
                        case "Infinity":
                            return Value.of(Double.POSITIVE_INFINITY);
                        case "-Infinity":
                            return Value.of(Double.NEGATIVE_INFINITY);
                        default:
                            break;
                    }
                }
                throw new IllegalArgumentException("$float must be \"NaN\", \"Infinity\" or \"-Infinity\"");
            case "$map":
                if (body.isObject()) {
                    return Value.of(fields(body, depth + 1));
                }
                throw new IllegalArgumentException("$map must be an object");
            default:
                throw new IllegalArgumentException("unknown tag '" + tag
                        + "' (a map with one key starting with '$' is written as {\"$map\":{...}})");
        }
    }
}
