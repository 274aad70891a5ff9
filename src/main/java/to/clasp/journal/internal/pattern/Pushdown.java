package to.clasp.journal.internal.pattern;


/**
 * What a storage backend may push into its own query for a pattern. Each kind states what
 * holds for every address {@code a} (any string); {@code matches(a)} stays the final word
 * wherever the kind does not promise equivalence.
 *
 * @param kind the shape of the pattern
 * @param prefix a literal every match starts with, as described for each kind; never null
 */
public record Pushdown(Kind kind, String prefix) {

    /** The shapes a backend can exploit. */
    public enum Kind {
        /**
         * The pattern matches every string that starts with {@code /} ({@code **},
         * {@code /**}, and runs of globstars like {@code /**}{@code /**}); prefix is
         * {@code ""}. No re-check is needed.
         */
        MATCH_ALL,
        /**
         * The pattern matches exactly one string, {@code prefix}: it has no wildcards,
         * classes or braces, its escapes are resolved ({@code /a\*b} gives {@code /a*b}),
         * and it is not negated. No re-check is needed: {@code matches(a)} is
         * {@code a.equals(prefix)}.
         */
        EXACT,
        /**
         * The pattern is {@code <literal>/**} (literal without metacharacters, not
         * negated; also {@code /**}{@code /**} or an even run of stars, which the crate
         * reads as a trailing {@code **}), and {@code prefix} is the literal including its
         * trailing {@code /}.
         * {@code matches(a)} is exactly {@code a.startsWith(prefix)}: {@code /lights/**}
         * matches {@code /lights/} and {@code /lights/x/y}, but not the bare literal
         * {@code /lights}, as in the crate.
         */
        SUBTREE,
        /**
         * The pattern is {@code <literal>/*} (literal without metacharacters, not
         * negated; also an odd run of stars such as {@code ***}, which the crate reads as
         * a {@code *}), and {@code prefix} is the literal including its trailing {@code /}.
         * {@code matches(a)} is exactly: {@code a} starts with {@code prefix} and the rest
         * contains no {@code /}. The rest may be empty: {@code /lights/*} matches
         * {@code /lights/}, but not {@code /lights}.
         */
        CHILDREN,
        /**
         * Any other pattern. {@code prefix} is the literal that starts the pattern, up to
         * its first wildcard, class, brace or invalid part (escapes resolved), and every
         * match starts with it. It is {@code ""} for a negated pattern (which may match
         * anything), for one that starts with a metacharacter, and in the odd case of an
         * escape splitting the bytes of an unpaired surrogate. Candidates must be
         * re-checked with {@code matches}.
         */
        GENERAL
    }
}
