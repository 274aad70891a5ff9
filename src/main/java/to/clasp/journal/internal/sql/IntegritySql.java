package to.clasp.journal.internal.sql;


/**
 * The statements through which {@link SignedLog} and {@link IntegrityScan} keep and check a
 * signed journal, in one backend's dialect. Each backend's schema class writes its own
 * ({@link to.clasp.journal.internal.sqlite.SqliteSchema#INTEGRITY}, {@link to.clasp.journal.internal.postgres.PostgresSchema#integrity}); the rules that run them
 * are the same for both. Parameters are plain {@code ?}, in the order each component names.
 *
 * @param readRecord the integrity record's keyed_from, snapshots_from, low_water,
 *     low_water_link and mac; no row when there is none
 * @param lockRecord {@code readRecord}, locking the row until the transaction ends where the
 *     backend needs that to keep two compactions from moving the record at once
 * @param insertRecord parameters: keyed_from, snapshots_from, low_water, low_water_link, mac
 * @param updateLowWater parameters: low_water, low_water_link, mac
 * @param signedRowBefore parameters: keyed_from, snapshots_from; whether an entry or snapshot
 *     the record says came before signing carries a MAC only this library writes
 * @param anySignedRow whether any row carries a MAC only this library writes
 * @param newestRustSignedRow the address, value_json, timestamp and hmac of the newest entry
 *     that has an hmac; no row when none has
 * @param sequences the highest seq and snapshot id ever assigned (0 for none), read inside
 *     the transaction that creates the record
 * @param entryMacAt parameter: a seq; its entry_mac, no row when the entry does not exist
 * @param firstUnchainedEntry parameter: a seq; the first seq from it on whose entry has no
 *     entry_mac, NULL when there is none
 * @param sinceVerified the entry columns in {@link to.clasp.journal.internal.sqlite.SqliteSchema}'s order, entry_mac, a
 *     placeholder and the link column ({@link EntryColumns#PREVIOUS_MAC}); parameters: the
 *     seq to read after, the limit
 * @param newestEntry the highest seq ever assigned (0 for none) and whether its entry exists
 * @param allSnapshots every snapshot, oldest first: seq_at, created_at, data_json,
 *     data_exact, id, data_mac
 */
public record IntegritySql(String readRecord, String lockRecord, String insertRecord, String updateLowWater,
        String signedRowBefore, String anySignedRow, String newestRustSignedRow, String sequences,
        String entryMacAt, String firstUnchainedEntry, String sinceVerified, String newestEntry,
        String allSnapshots) {}
