package to.clasp.journal.internal.sql;

import to.clasp.journal.SignalType;

/**
 * The positions of the columns in a SELECT of entries, which every such SELECT of both schema
 * classes returns in this order and {@link SqlRows.Cursor} reads: the entry's own columns, then
 * what a read may add (SQLite's {@link #SHAPE}, a verified read's {@link #PREVIOUS_MAC}).
 */
public final class EntryColumns {

    private EntryColumns() {}

    static final int SEQ = 1;
    static final int TIMESTAMP = 2;
    static final int AUTHOR = 3;
    static final int ADDRESS = 4;
    static final int SIGNAL_TYPE = 5;
    static final int VALUE_JSON = 6;
    static final int REVISION = 7;
    static final int MSG_TYPE = 8;
    static final int HMAC = 9;
    static final int VALUE_EXACT = 10;
    static final int VALUE_EXACT_HMAC = 11;
    static final int ENTRY_MAC = 12;
    /**
     * Signal type, msg_type and revision of a row in one integer, where a row has the usual
     * shape, so that a read fetches one column instead of five ({@link #SIGNAL_TYPE},
     * {@link #MSG_TYPE}, {@link #REVISION}, its NULL test, and {@link #VALUE_EXACT}):
     * bits 0-2 the {@link SignalType} ordinal + 1, bit 3 msg_type - 32 (a PUBLISH or a SET),
     * bits 4 and up the revision + 1, or 0 for none. 0 when the row has another shape (an exact
     * value, another msg_type, a revision that is no integer or beyond 2^52, an unknown signal
     * type): its columns are read one by one. SQLite only.
     */
    static final int SHAPE = 13;
    /**
     * Only in {@link to.clasp.journal.internal.sqlite.SqliteSchema#withUsualColumns} SELECTs, in place of {@link #VALUE_JSON}: address,
     * value_json and author joined by NUL characters, NULL when one of them is. Valid JSON holds
     * no NUL, and an address written through this library none either; a row whose text holds
     * more than the two separators is read whole.
     */
    static final int USUAL_TEXT = VALUE_JSON;
    /** Only in {@link to.clasp.journal.internal.sqlite.SqliteSchema#withPreviousMac} SELECTs. */
    static final int PREVIOUS_MAC = 14;
}
