package to.clasp.journal;

/**
 * The failure of a journal operation. Asynchronous methods never throw it: they fail their
 * future with it. Each kind of failure is a nested final subclass, so callers can tell them
 * apart with {@code instanceof} or a pattern switch.
 */
public sealed class JournalException extends RuntimeException
        permits JournalException.Storage, JournalException.Serialization, JournalException.Snapshot,
                JournalException.Integrity, JournalException.InvalidInput,
                JournalException.AccessDenied, JournalException.Closed, JournalException.Truncated {

    private static final long serialVersionUID = 1L;

    private JournalException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The storage failed: the file could not be opened, read or written. */
    public static final class Storage extends JournalException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates a storage failure.
         *
         * @param message what failed, naming the file where there is one
         * @param cause the underlying failure, or null
         */
        public Storage(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A stored entry could not be decoded, or a value could not be encoded. */
    public static final class Serialization extends JournalException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates a serialization failure.
         *
         * @param message what could not be decoded or encoded, naming the seq where known
         * @param cause the underlying failure, or null
         */
        public Serialization(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A stored snapshot is corrupt: not JSON, or JSON of the wrong shape. */
    public static final class Snapshot extends JournalException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates a snapshot failure.
         *
         * @param message what is wrong with the snapshot
         * @param cause the underlying failure, or null
         */
        public Snapshot(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A stored entry failed its integrity check: a MAC mismatch (an altered, moved or forged
     * row, or a wrong key), a missing MAC, or a missing entry before it. Seq 0 names no entry:
     * the file's integrity record itself failed.
     */
    public static final class Integrity extends JournalException {
        private static final long serialVersionUID = 1L;
        /** The sequence number of the entry that failed the check. */
        private final long seq;

        /**
         * Creates an integrity failure.
         *
         * @param seq the sequence number of the entry that failed the check
         * @param reason why it failed
         */
        public Integrity(long seq, String reason) {
            super("integrity check failed for seq " + seq + ": " + reason, null);
            this.seq = seq;
        }

        /**
         * Returns the sequence number of the entry that failed the check.
         *
         * @return the seq, or 0 when the file's integrity record failed rather than an entry
         */
        public long seq() {
            return seq;
        }
    }

    /** An argument was invalid; the journal did not change. */
    public static final class InvalidInput extends JournalException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates an invalid-input failure.
         *
         * @param message which argument or field is invalid, and why
         */
        public InvalidInput(String message) {
            super(message, null);
        }
    }

    /** The caller may not read what it asked for. */
    public static final class AccessDenied extends JournalException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates an access-denied failure.
         *
         * @param message what was denied
         */
        public AccessDenied(String message) {
            super(message, null);
        }
    }

    /** The journal was closed before the call. */
    public static final class Closed extends JournalException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates a closed failure.
         *
         * @param message what was closed
         */
        public Closed(String message) {
            super(message, null);
        }
    }

    /**
     * Entries a {@link Journal#follow follower} still needed are gone: evicted from a full
     * {@link MemoryJournal} or removed by {@link Journal#compact(long)} before the stream read
     * them. The stream ends with this error rather than skip them silently; to go on, resync
     * (for instance from a snapshot) and follow again after {@code oldestHeld() - 1}.
     * {@link Journal#stateAt(long)} fails with it too, when entries its fold needs are gone.
     */
    public static final class Truncated extends JournalException {
        private static final long serialVersionUID = 1L;
        /** The first seq the follower missed. */
        private final long firstMissed;
        /** The oldest seq the journal still holds. */
        private final long oldestHeld;

        /**
         * Creates a truncation failure.
         *
         * @param firstMissed the first seq the follower needed and can no longer get
         * @param oldestHeld the oldest seq the journal still holds, or the journal's latest seq
         *     plus one when it holds none
         */
        public Truncated(long firstMissed, long oldestHeld) {
            super("entries from seq " + firstMissed + " to " + (oldestHeld - 1)
                    + " were evicted or compacted before they were delivered; the oldest seq held is "
                    + oldestHeld, null);
            this.firstMissed = firstMissed;
            this.oldestHeld = oldestHeld;
        }

        /**
         * Returns the first seq the follower needed and can no longer get.
         *
         * @return the first missed seq
         */
        public long firstMissed() {
            return firstMissed;
        }

        /**
         * Returns the oldest seq the journal still holds; the journal's latest seq plus one when
         * it holds no entry. Following again after {@code oldestHeld() - 1} cannot hit the same
         * gap.
         *
         * @return the oldest seq held
         */
        public long oldestHeld() {
            return oldestHeld;
        }
    }
}
