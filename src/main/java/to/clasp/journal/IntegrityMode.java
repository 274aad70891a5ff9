package to.clasp.journal;

/**
 * What a {@link SqliteJournal} opened with an {@link SqliteJournal.Builder#hmacKey(byte[]) HMAC
 * key} checks when it reads; chosen with {@link SqliteJournal.Builder#integrityMode(IntegrityMode)}.
 * Without a key nothing is checked, whatever the mode. Writing is the same in both modes: every
 * entry and snapshot written with a key carries all of this library's MACs, so a file can be read
 * in either mode.
 */
public enum IntegrityMode {

    /**
     * The default: the strict chain. Every column of every entry this library signed, its seq
     * and its link to the entry before are checked, so deleted, moved and forged rows are found,
     * and snapshots must carry their MAC. Entries from before the file was first opened with the
     * key get the Rust crate's check. A file the Rust crate kept writing to after that (its rows
     * carry no chain MAC, and its compaction cuts the chain without a signed mark) fails to
     * read, with a {@link JournalException.Integrity} that names {@link #ROW}.
     */
    CHAIN,

    /**
     * Exactly the Rust crate's check, for a file the Rust crate keeps writing with the same key:
     * each entry on its own, its {@code hmac} over address, value_json and timestamp, and the
     * MAC of its exact value where there is one; an entry with a NULL {@code hmac} (written
     * without a key) is accepted. The Rust crate's appends, compactions and snapshots read
     * fully. An edited address, value or timestamp is still found, naming the seq; but author,
     * signal type, revision, msg_type, deleted or moved entries and snapshots are not checked,
     * as the Rust crate does not check them.
     */
    ROW
}
