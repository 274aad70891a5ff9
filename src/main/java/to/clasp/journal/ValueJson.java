package to.clasp.journal;

import java.util.List;

/** PLACEHOLDER: the value codecs; filled in by the codec work. */
final class ValueJson {

    private ValueJson() {}

    /** The Rust crate's untagged JSON of a value (lossy for Bytes and non-finite floats). */
    static String toJson(Value value) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Reads the Rust crate's untagged JSON; throws IllegalArgumentException if malformed. */
    static Value fromJson(String json) {
        throw new UnsupportedOperationException("not yet");
    }

    /** True when {@link #toJson} represents the value exactly (no Bytes, no NaN or infinities). */
    static boolean isJsonExact(Value value) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The exact binary form (CBOR) of a value. */
    static byte[] toExact(Value value) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Reads the exact binary form; throws IllegalArgumentException if malformed. */
    static Value fromExact(byte[] bytes) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The Rust crate's snapshot JSON: an array of {address,value,revision,writer,timestamp}. */
    static String paramsToJson(List<ParamSnapshot> params) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Reads snapshot JSON; throws IllegalArgumentException if malformed or of the wrong shape. */
    static List<ParamSnapshot> paramsFromJson(String json) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The exact binary form of a snapshot's params. */
    static byte[] paramsToExact(List<ParamSnapshot> params) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Reads the exact binary form of a snapshot's params; throws IllegalArgumentException if malformed. */
    static List<ParamSnapshot> paramsFromExact(byte[] bytes) {
        throw new UnsupportedOperationException("not yet");
    }
}
