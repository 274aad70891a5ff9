package to.clasp.journal;

import java.util.List;
import java.util.Objects;

/**
 * A saved state snapshot: every param's state, and the journal position it was taken at.
 *
 * <p>Recovery restores {@link #params()} and then replays the entries with a seq greater than
 * {@link #seq()}.
 *
 * @param seq the journal's {@link Journal#latestSeq() latest seq} when the snapshot was taken
 * @param createdAt when the snapshot was saved, in microseconds since the epoch
 * @param params the params' states: an immutable copy, no nulls
 */
public record Snapshot(long seq, long createdAt, List<ParamSnapshot> params) {

    /**
     * Creates a snapshot from an immutable copy of {@code params}.
     *
     * @param seq the journal's {@link Journal#latestSeq() latest seq} when the snapshot was taken
     * @param createdAt when the snapshot was saved, in microseconds since the epoch
     * @param params the params' states: an immutable copy, no nulls
     * @throws NullPointerException if {@code params} or any element is null
     */
    public Snapshot {
        params = List.copyOf(Objects.requireNonNull(params, "params"));
    }
}
