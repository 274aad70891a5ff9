package to.clasp.journal;

import java.util.Objects;

/**
 * The state of one param at the time of a snapshot.
 *
 * @param address the param's address, not null
 * @param value the param's current value, not null
 * @param revision the param's current revision
 * @param writer the session or entity that last wrote it, not null
 * @param timestamp the time of the last write, in microseconds since the epoch
 */
public record ParamSnapshot(String address, Value value, long revision, String writer, long timestamp) {

    /**
     * Creates a param snapshot.
     *
     * @param address the param's address, not null
     * @param value the param's current value, not null
     * @param revision the param's current revision
     * @param writer the session or entity that last wrote it, not null
     * @param timestamp the time of the last write, in microseconds since the epoch
     * @throws NullPointerException if {@code address}, {@code value} or {@code writer} is null
     */
    public ParamSnapshot {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(writer, "writer");
    }
}
