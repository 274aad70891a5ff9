package to.clasp.journal.internal.sql;

/**
 * Prefix ranges over addresses compared as UTF-8 bytes (that is, in code point order), for the
 * backends that push a literal prefix into an index range:
 * {@code address >= prefix AND address < successor(prefix)} holds exactly the addresses that
 * start with the prefix, in SQLite (which compares text as bytes) and in PostgreSQL under
 * {@code COLLATE "C"}.
 */
public final class AddressRange {

    private AddressRange() {}

    /**
     * The smallest string, in code point (= UTF-8 byte) order, greater than every string that
     * starts with {@code prefix}; null if there is none (the prefix is all U+10FFFF).
     */
    public static String successor(String prefix) {
        int[] cps = prefix.codePoints().toArray();
        for (int n = cps.length; n > 0; n--) {
            int last = cps[n - 1];
            if (last == Character.MAX_CODE_POINT) {
                continue; // cannot grow this one; carry into the previous code point
            }
            int next = last + 1;
            if (next == Character.MIN_SURROGATE) {
                next = Character.MAX_SURROGATE + 1; // surrogates are not valid code points
            }
            StringBuilder sb = new StringBuilder(prefix.length() + 1);
            for (int i = 0; i < n - 1; i++) {
                sb.appendCodePoint(cps[i]);
            }
            return sb.appendCodePoint(next).toString();
        }
        return null;
    }

    /** False for strings with a lone surrogate, whose UTF-8 form (and so its order) is undefined. */
    static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
