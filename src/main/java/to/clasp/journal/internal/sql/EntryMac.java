package to.clasp.journal.internal.sql;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The integrity MACs of a journal row, keyed with a 32-byte key.
 *
 * <ul>
 *   <li>{@code hmac} (the Rust crate's): lowercase hex HMAC-SHA256 over the UTF-8 address, the
 *       UTF-8 value_json and the timestamp as 8 little-endian bytes. Kept bit for bit so that
 *       files verify on both sides.</li>
 *   <li>{@code value_exact_hmac} (this library's, for the exact value column): lowercase hex
 *       HMAC-SHA256 over a domain tag, then the address, the value_exact bytes and the timestamp.
 *       Unlike the Rust form, the address and value are length-prefixed (4 bytes little-endian)
 *       so that no bytes can be moved from one field to the other, and the tag keeps this MAC
 *       from ever equalling an {@code hmac}.</li>
 *   <li>{@code entry_mac} (this library's, over the whole row and its place in the log):
 *       HMAC-SHA256 over a domain tag, the integrity record's {@code keyed_from}, the seq, the timestamp, every other column as stored
 *       (author, address, signal type, value_json, revision or its absence, msg_type, value_exact
 *       or its absence, and the two MACs above in lowercase or their absence), and the
 *       {@code entry_mac} of the entry before it (the link; empty when there is none). Each
 *       field is length-prefixed or flagged, so no two different rows feed the same bytes.</li>
 *   <li>{@code data_mac} (a snapshot's): over a tag, the record's {@code snapshots_from}, created_at, seq_at, data_json and
 *       data_exact or its absence.</li>
 *   <li>The integrity record's MAC: over a tag and the record's four values.</li>
 * </ul>
 *
 * <p>Thread-safe: each thread gets its own {@link Mac}.
 */
public final class EntryMac {

    static final int KEY_LENGTH = 32;

    private static final byte[] EXACT_TAG =
            "clasp-journal value_exact v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENTRY_TAG =
            "clasp-journal entry v2\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT_TAG =
            "clasp-journal snapshot v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD_TAG =
            "clasp-journal integrity record v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();

    private final ThreadLocal<Mac> macs;

    public EntryMac(byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an HMAC key must be exactly 32 bytes, got " + key.length);
        }
        SecretKeySpec spec = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /** The Rust-compatible {@code hmac} of a row. */
    public String rowMac(String address, String valueJson, long timestamp) {
        Mac mac = macs.get();
        mac.update(address.getBytes(StandardCharsets.UTF_8));
        mac.update(valueJson.getBytes(StandardCharsets.UTF_8));
        mac.update(le64(timestamp));
        return HEX.formatHex(mac.doFinal());
    }

    /** The {@code value_exact_hmac} of a row. */
    String exactMac(String address, byte[] valueExact, long timestamp) {
        Mac mac = macs.get();
        byte[] addr = address.getBytes(StandardCharsets.UTF_8);
        mac.update(EXACT_TAG);
        mac.update(le32(addr.length));
        mac.update(addr);
        mac.update(le32(valueExact.length));
        mac.update(valueExact);
        mac.update(le64(timestamp));
        return HEX.formatHex(mac.doFinal());
    }

    /**
     * The {@code entry_mac} of a row: every column as stored, and the link to the row before.
     *
     * @param revision the revision, or null when the column is NULL
     * @param keyedFrom the integrity record's {@code keyed_from}, binding the row to its file's
     *     record (0 when there is none)
     * @param link the lowercase {@code entry_mac} of the entry before, or "" when there is none
     */
    String entryMac(long keyedFrom, long seq, long timestamp, String author, String address, String signalType,
            String valueJson, Long revision, long msgType, byte[] valueExact, String hmac,
            String exactHmac, String link) {
        Mac mac = macs.get();
        mac.update(ENTRY_TAG);
        mac.update(le64(keyedFrom));
        mac.update(le64(seq));
        mac.update(le64(timestamp));
        text(mac, author);
        text(mac, address);
        text(mac, signalType);
        text(mac, valueJson);
        if (revision == null) {
            mac.update((byte) 0);
        } else {
            mac.update((byte) 1);
            mac.update(le64(revision));
        }
        mac.update(le64(msgType));
        blob(mac, valueExact);
        text(mac, hmac == null ? null : hmac.toLowerCase(Locale.ROOT));
        text(mac, exactHmac == null ? null : exactHmac.toLowerCase(Locale.ROOT));
        text(mac, link);
        return HEX.formatHex(mac.doFinal());
    }

    /**
     * The {@code data_mac} of a snapshot row.
     *
     * @param snapshotsFrom the integrity record's {@code snapshots_from} (0 when there is none)
     */
    public String snapshotMac(long snapshotsFrom, long createdAt, long seqAt, String dataJson, byte[] dataExact) {
        Mac mac = macs.get();
        mac.update(SNAPSHOT_TAG);
        mac.update(le64(snapshotsFrom));
        mac.update(le64(createdAt));
        mac.update(le64(seqAt));
        text(mac, dataJson);
        blob(mac, dataExact);
        return HEX.formatHex(mac.doFinal());
    }

    /** The MAC of the integrity record. */
    String recordMac(long keyedFrom, long snapshotsFrom, long lowWater, String lowWaterLink) {
        Mac mac = macs.get();
        mac.update(RECORD_TAG);
        mac.update(le64(keyedFrom));
        mac.update(le64(snapshotsFrom));
        mac.update(le64(lowWater));
        text(mac, lowWaterLink);
        return HEX.formatHex(mac.doFinal());
    }

    /** A nullable text field: a presence byte, then the length-prefixed UTF-8 bytes. */
    private static void text(Mac mac, String s) {
        blob(mac, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void blob(Mac mac, byte[] b) {
        if (b == null) {
            mac.update((byte) 0);
        } else {
            mac.update((byte) 1);
            mac.update(le32(b.length));
            mac.update(b);
        }
    }

    /** Compares a stored hex MAC with the expected one in constant time; malformed hex never matches. */
    static boolean same(String expectedHex, String storedHex) {
        return MessageDigest.isEqual(expectedHex.getBytes(StandardCharsets.US_ASCII),
                storedHex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
