package to.clasp.journal;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One recorded SET or PUBLISH.
 *
 * <p>Entries are immutable. The journal assigns {@code seq} when it appends an entry: the seq a
 * caller puts in is ignored, so build new entries with {@link #fromSet} or {@link #fromPublish}
 * (seq 0) and read the assigned number from the future {@link Journal#append} returns.
 *
 * @param seq the sequence number the journal assigned (0 before appending)
 * @param timestamp wall-clock time in microseconds since the Unix epoch
 * @param author the session or entity that made the change, not null
 * @param address the CLASP address, such as {@code /lights/room1/brightness}, not null
 * @param signalType the kind of signal, not null
 * @param value the value set or published, not null
 * @param revision the param revision for a SET, empty for a PUBLISH; not null
 * @param msgType the CLASP message type: {@link #MSG_SET} or {@link #MSG_PUBLISH}
 */
public record JournalEntry(long seq, long timestamp, String author, String address,
        SignalType signalType, Value value, OptionalLong revision, int msgType) {

    /** The CLASP message type code of a PUBLISH. */
    public static final int MSG_PUBLISH = 0x20;

    /** The CLASP message type code of a SET. */
    public static final int MSG_SET = 0x21;

    /**
     * Creates an entry.
     *
     * @param seq the sequence number the journal assigned (0 before appending)
     * @param timestamp wall-clock time in microseconds since the Unix epoch
     * @param author the session or entity that made the change, not null
     * @param address the CLASP address, such as {@code /lights/room1/brightness}, not null
     * @param signalType the kind of signal, not null
     * @param value the value set or published, not null
     * @param revision the param revision for a SET, empty for a PUBLISH; not null
     * @param msgType the CLASP message type: {@link #MSG_SET} or {@link #MSG_PUBLISH}
     * @throws NullPointerException if {@code author}, {@code address}, {@code signalType},
     *     {@code value} or {@code revision} is null
     */
    public JournalEntry {
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(signalType, "signalType");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(revision, "revision");
    }

    /**
     * Returns a SET entry for a param, with seq 0 and signal type {@link SignalType#PARAM}.
     *
     * @param address the param's address, not null
     * @param value the new value, not null
     * @param revision the param's revision after the SET
     * @param author the writer's session or entity id, not null
     * @param timestampMicros the time of the SET in microseconds since the epoch
     * @return the entry
     * @throws NullPointerException if an argument is null
     */
    public static JournalEntry fromSet(String address, Value value, long revision, String author,
            long timestampMicros) {
        return new JournalEntry(0, timestampMicros, author, address, SignalType.PARAM, value,
                OptionalLong.of(revision), MSG_SET);
    }

    /**
     * Returns a PUBLISH entry, with seq 0 and no revision.
     *
     * @param address the address published to, not null
     * @param type the kind of signal, not null
     * @param value the published value, not null
     * @param author the publisher's session or entity id, not null
     * @param timestampMicros the time of the PUBLISH in microseconds since the epoch
     * @return the entry
     * @throws NullPointerException if an argument is null
     */
    public static JournalEntry fromPublish(String address, SignalType type, Value value,
            String author, long timestampMicros) {
        return new JournalEntry(0, timestampMicros, author, address, type, value,
                OptionalLong.empty(), MSG_PUBLISH);
    }

    /**
     * Returns a copy of this entry with another sequence number.
     *
     * @param seq the sequence number
     * @return the copy
     */
    public JournalEntry withSeq(long seq) {
        return seq == this.seq ? this
                : new JournalEntry(seq, timestamp, author, address, signalType, value, revision, msgType);
    }

    /**
     * Tells whether this entry records a SET.
     *
     * @return {@code true} if {@code msgType} is {@link #MSG_SET}
     */
    public boolean isSet() {
        return msgType == MSG_SET;
    }
}
