package to.clasp.journal.internal.sql;


/**
 * The options that {@link to.clasp.journal.SqliteJournal.Builder} and {@link to.clasp.journal.PostgresJournal.Builder} share, and
 * their checks: each public builder holds one and delegates these setters to it, so that both
 * refuse the same values with the same exceptions and messages. The defaults and the largest
 * batch are each backend's own. Not thread-safe, like the builders.
 */
public final class JournalOptions {

    private final int maxBatchSizeLimit;
    private byte[] hmacKey;
    private int snapshotsToKeep;
    private int maxBatchSize;
    private boolean readOnly;

    /**
     * @param snapshotsToKeep the backend's default for {@link #snapshotsToKeep(int)}
     * @param maxBatchSize the backend's default for {@link #maxBatchSize(int)}
     * @param maxBatchSizeLimit the largest batch size the backend takes
     */
    public JournalOptions(int snapshotsToKeep, int maxBatchSize, int maxBatchSizeLimit) {
        this.snapshotsToKeep = snapshotsToKeep;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchSizeLimit = maxBatchSizeLimit;
    }

    /**
     * @param key exactly {@value EntryMac#KEY_LENGTH} bytes, copied (so that the caller's later
     *     changes cannot reach the journal); or null for no key
     * @throws IllegalArgumentException if {@code key} has another length
     */
    public void hmacKey(byte[] key) {
        if (key != null && key.length != EntryMac.KEY_LENGTH) {
            throw new IllegalArgumentException("an HMAC key must be exactly 32 bytes, got " + key.length);
        }
        this.hmacKey = key == null ? null : key.clone();
    }

    /** @throws IllegalArgumentException if {@code n} is less than 1 */
    public void snapshotsToKeep(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("snapshotsToKeep must be at least 1: " + n);
        }
        this.snapshotsToKeep = n;
    }

    /** @throws IllegalArgumentException if {@code n} is not from 1 to the backend's largest */
    public void maxBatchSize(int n) {
        if (n < 1 || n > maxBatchSizeLimit) {
            throw new IllegalArgumentException("maxBatchSize must be from 1 to " + maxBatchSizeLimit + ": " + n);
        }
        this.maxBatchSize = n;
    }

    public void readOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    /** The key, or null; the builder's own copy, not to be changed. */
    public byte[] hmacKey() {
        return hmacKey;
    }

    public int snapshotsToKeep() {
        return snapshotsToKeep;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public boolean readOnly() {
        return readOnly;
    }
}
