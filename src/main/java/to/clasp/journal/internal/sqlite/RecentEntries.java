package to.clasp.journal.internal.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import to.clasp.journal.JournalEntry;

/**
 * The newest entries of a SQLite journal without a key, kept in memory as its writer commits
 * them, so that {@code since(seq)} of the recent past (a router's REPLAY, a follower catching
 * up) is answered without decoding rows: about {@value #CAPACITY} entries, the newest of the
 * file when the journal was opened and then those it committed.
 *
 * <p><b>Why it can answer for the file.</b> The entries are kept in seq order and, from the
 * oldest kept on, are every entry of the file: each commit's entries must follow the newest
 * kept with no seq between them, or what is kept is dropped and starts again with that commit
 * (another connection, or another process, wrote in between). A read first takes the file's
 * oldest and newest seqs in one statement (two seeks at the ends of the primary key), and is
 * answered here only when that newest seq is kept and nothing at or after the requested seq
 * was compacted away; it answers with the entries up to that newest seq, exactly what reading
 * the rows at that moment would have returned. Entries another writer adds later are simply not
 * in that answer, as they would not be in a read made at that moment; entries another writer
 * added before make the newest seq unknown here, and the rows are read.
 *
 * <p>Only unkeyed journals keep one: with a key, every read verifies the rows it returns,
 * which is the point of reading the file.
 *
 * <p>Thread-safe: the committing thread adds ({@link #committed}), any reader copies
 * ({@link #since}); both hold one lock for as long as an array copy takes.
 */
public final class RecentEntries {

    /** The most entries kept: half a megabyte to a megabyte of a router's SETs. */
    public static final int CAPACITY = 4_096;

    private final Object lock = new Object();
    /** A circular buffer of the entries kept, ascending by seq, from {@link #head}. */
    private final JournalEntry[] slots;
    private int head;
    private int size;

    /** An empty buffer of {@link #CAPACITY} entries. */
    public RecentEntries() {
        this.slots = new JournalEntry[CAPACITY];
    }

    /**
     * Starts with the newest entries of the file, read at open before anything is committed:
     * ascending by seq and, from the first on, every entry the file holds (gaps in seqs are
     * kept as they are in the file). The newest {@link #CAPACITY} are kept.
     *
     * @param newest the entries, not null, none null
     */
    public void fill(List<JournalEntry> newest) {
        synchronized (lock) {
            clearLocked();
            for (JournalEntry e : newest) {
                addLocked(e);
            }
        }
    }

    /**
     * Adds the entries a commit of this journal's writer made visible: ascending, with their
     * seqs. When the first does not follow the newest kept, something else wrote in between,
     * and what is kept starts again with these. Never blocks for long; never throws.
     *
     * @param entries the committed entries, not null, none null
     */
    public void committed(List<JournalEntry> entries) {
        synchronized (lock) {
            for (JournalEntry e : entries) {
                if (size > 0 && e.seq() != newestLocked() + 1) {
                    clearLocked();
                }
                addLocked(e);
            }
        }
    }

    /** Forgets every entry: the file they describe is no longer the journal's. */
    public void clear() {
        synchronized (lock) {
            clearLocked();
        }
    }

    /**
     * The entries after {@code afterSeq}, at most {@code limit}, if they can be answered from
     * memory; null when the rows must be read.
     *
     * @param r the reader the read has borrowed: one statement runs on it
     * @param afterSeq the seq to read after
     * @param limit the most entries to return, or -1 for all; not 0
     * @return an immutable list, or null
     * @throws SQLException if the statement on {@code r} fails; nothing kept changes
     */
    public List<JournalEntry> since(SqliteReadPool.Reader r, long afterSeq, long limit) throws SQLException {
        synchronized (lock) {
            // Most reads of the past are older than what is kept: no statement for those.
            if (size == 0 || afterSeq + 1 < seqAt(0)) {
                return null;
            }
        }
        long oldest;
        long newest;
        try (ResultSet rs = r.prepare(SqliteSchema.HELD_SEQS).executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            oldest = rs.getLong(1);
            if (rs.wasNull()) {
                return null; // no entry at all: the rows say so as cheaply
            }
            newest = rs.getLong(2);
        }
        // Entries below the oldest were compacted: the answer starts after both.
        long from = Math.max(afterSeq, oldest - 1);
        synchronized (lock) {
            if (size == 0 || from + 1 < seqAt(0) || newestLocked() < newest) {
                return null;
            }
            int start = firstAfter(from);
            int end = firstAfter(newest);
            if (limit >= 0 && end - start > limit) {
                end = start + (int) limit;
            }
            JournalEntry[] out = new JournalEntry[end - start];
            for (int i = start; i < end; i++) {
                out[i - start] = slots[(head + i) % slots.length];
            }
            return List.of(out);
        }
    }

    /** The position of the first entry kept whose seq is above {@code seq}, or {@link #size}. */
    private int firstAfter(long seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (seqAt(mid) <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private long seqAt(int i) {
        return slots[(head + i) % slots.length].seq();
    }

    private long newestLocked() {
        return seqAt(size - 1);
    }

    private void addLocked(JournalEntry e) {
        if (size == slots.length) {
            slots[head] = null;
            head = (head + 1) % slots.length;
            size--;
        }
        slots[(head + size) % slots.length] = e;
        size++;
    }

    private void clearLocked() {
        Arrays.fill(slots, null);
        head = 0;
        size = 0;
    }
}
