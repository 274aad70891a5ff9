package to.clasp.journal;

import java.util.Objects;

/** The kind of signal an entry records: a stateful param (SET) or one of the PUBLISH kinds. */
public enum SignalType {
    /** A stateful param, changed by SET. */
    PARAM("param"),
    /** A one-shot event. */
    EVENT("event"),
    /** A continuous stream sample. */
    STREAM("stream"),
    /** A gesture phase. */
    GESTURE("gesture"),
    /** A timeline cue. */
    TIMELINE("timeline");

    private final String wireName;

    SignalType(String wireName) {
        this.wireName = wireName;
    }

    /**
     * Returns the lowercase name used in storage and on the wire, such as {@code "param"}.
     *
     * @return the wire name
     */
    public String wireName() {
        return wireName;
    }

    /**
     * Returns the signal type with the given wire name.
     *
     * @param s a wire name such as {@code "event"}; matched exactly (lowercase)
     * @return the signal type
     * @throws NullPointerException if {@code s} is null
     * @throws IllegalArgumentException if no signal type has that wire name
     */
    public static SignalType fromWireName(String s) {
        Objects.requireNonNull(s, "wire name");
        for (SignalType t : values()) {
            if (t.wireName.equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown signal type: '" + s + "'");
    }
}
