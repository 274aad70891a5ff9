package to.clasp.journal;

import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * A value carried by a SET or PUBLISH: the CLASP data model.
 *
 * <p>Values are immutable and safe to share between threads. Every kind survives a trip
 * through any journal backend unchanged: {@link Bytes} stays bytes, NaN and the infinities stay
 * themselves, {@code Float(1.0)} stays a float, {@link Int} keeps all 64 bits and {@link Map}
 * keeps its insertion order.
 *
 * <p>Construct values with the {@code of(...)} factories or the record constructors; both reject
 * {@code null} with a {@link NullPointerException}.
 */
public sealed interface Value
        permits Value.Null, Value.Bool, Value.Int, Value.Float, Value.Str, Value.Array, Value.Map,
                Value.Bytes {

    /** The null value. */
    Value NULL = Null.INSTANCE;

    /**
     * Returns a boolean value.
     *
     * @param v the boolean
     * @return {@code Bool(v)}
     */
    static Value of(boolean v) {
        return new Bool(v);
    }

    /**
     * Returns a 64-bit integer value.
     *
     * @param v the integer
     * @return {@code Int(v)}
     */
    static Value of(long v) {
        return new Int(v);
    }

    /**
     * Returns a double-precision float value; NaN and the infinities are allowed.
     *
     * @param v the float
     * @return {@code Float(v)}
     */
    static Value of(double v) {
        return new Float(v);
    }

    /**
     * Returns a string value.
     *
     * @param v the string, not null
     * @return {@code Str(v)}
     * @throws NullPointerException if {@code v} is null
     */
    static Value of(String v) {
        return new Str(v);
    }

    /**
     * Returns an array value holding an immutable copy of {@code items}.
     *
     * @param items the elements, none of them null
     * @return {@code Array(items)}
     * @throws NullPointerException if {@code items} or any element is null
     */
    static Value of(List<Value> items) {
        return new Array(items);
    }

    /**
     * Returns a map value holding an immutable copy of {@code entries} in their iteration order.
     *
     * @param entries the entries, no null keys or values
     * @return {@code Map(entries)}
     * @throws NullPointerException if {@code entries}, a key or a value is null
     */
    static Value of(java.util.Map<String, Value> entries) {
        return new Map(entries);
    }

    /**
     * Returns a byte-string value holding a copy of {@code bytes}.
     *
     * @param bytes the bytes, not null
     * @return {@code Bytes(bytes)}
     * @throws NullPointerException if {@code bytes} is null
     */
    static Value of(byte[] bytes) {
        return new Bytes(bytes);
    }

    /** The null value; its only instance is {@link Value#NULL}. */
    enum Null implements Value {
        /** The single null value. */
        INSTANCE;

        @Override
        public String toString() {
            return "Null";
        }
    }

    /**
     * A boolean.
     *
     * @param value the boolean
     */
    record Bool(boolean value) implements Value {}

    /**
     * A signed 64-bit integer.
     *
     * @param value the integer
     */
    record Int(long value) implements Value {}

    /**
     * A double-precision float. Equality follows {@link Double#compare}: NaN equals NaN, and
     * {@code 0.0} differs from {@code -0.0}.
     *
     * @param value the float
     */
    record Float(double value) implements Value {
        @Override
        public boolean equals(Object o) {
            return o instanceof Float other && Double.compare(value, other.value) == 0;
        }

        @Override
        public int hashCode() {
            return Double.hashCode(value);
        }
    }

    /**
     * A string.
     *
     * @param value the string, not null
     */
    record Str(String value) implements Value {
        /**
         * Creates a string value.
         *
         * @param value the string, not null
         * @throws NullPointerException if {@code value} is null
         */
        public Str {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * An ordered list of values.
     *
     * @param items the elements: an immutable copy, no nulls
     */
    record Array(List<Value> items) implements Value {
        /**
         * Creates an array value from an immutable copy of {@code items}.
         *
         * @param items the elements: an immutable copy, no nulls
         * @throws NullPointerException if {@code items} or any element is null
         */
        public Array {
            items = List.copyOf(Objects.requireNonNull(items, "items"));
        }
    }

    /**
     * A map from string keys to values that keeps the insertion order of its entries.
     *
     * @param entries the entries: an immutable, order-keeping copy, no null keys or values
     */
    record Map(java.util.Map<String, Value> entries) implements Value {
        /**
         * Creates a map value from an immutable copy of {@code entries}, in their iteration order.
         *
         * @param entries the entries: an immutable, order-keeping copy, no null keys or values
         * @throws NullPointerException if {@code entries}, a key or a value is null
         */
        public Map {
            Objects.requireNonNull(entries, "entries");
            LinkedHashMap<String, Value> copy = new LinkedHashMap<>(Math.max(4, entries.size() * 2));
            for (java.util.Map.Entry<String, Value> e : entries.entrySet()) {
                copy.put(Objects.requireNonNull(e.getKey(), "map key"),
                        Objects.requireNonNull(e.getValue(), "map value"));
            }
            entries = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * A byte string. It compares by content and never exposes its internal array: the
     * constructor and {@link #data()} both copy.
     *
     * @param data the bytes
     */
    record Bytes(byte[] data) implements Value {
        /**
         * Creates a byte-string value from a copy of {@code data}.
         *
         * @param data the bytes
         * @throws NullPointerException if {@code data} is null
         */
        public Bytes {
            data = Objects.requireNonNull(data, "data").clone();
        }

        /**
         * Returns a copy of the bytes.
         *
         * @return a fresh array each call
         */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /**
         * Returns the number of bytes.
         *
         * @return the length
         */
        public int length() {
            return data.length;
        }

        /**
         * Returns the byte at {@code index}, without copying the array.
         *
         * @param index the index, from 0 to {@code length() - 1}
         * @return the byte
         * @throws IndexOutOfBoundsException if {@code index} is out of range
         */
        public byte byteAt(int index) {
            return data[index];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes other && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Bytes[" + HexFormat.of().formatHex(data) + "]";
        }
    }
}
