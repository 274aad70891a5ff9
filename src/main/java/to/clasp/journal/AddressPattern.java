package to.clasp.journal;

import java.util.Objects;

/**
 * A compiled CLASP address pattern. PLACEHOLDER: replaced by the real matcher.
 */
public final class AddressPattern {

    private final String pattern;

    private AddressPattern(String pattern) {
        this.pattern = pattern;
    }

    /**
     * Compiles a pattern.
     *
     * @param pattern the pattern text
     * @return the compiled pattern
     */
    public static AddressPattern compile(String pattern) {
        return new AddressPattern(Objects.requireNonNull(pattern, "pattern"));
    }

    /**
     * Matches once.
     *
     * @param pattern the pattern
     * @param address the address
     * @return whether it matches
     */
    public static boolean matches(String pattern, String address) {
        return compile(pattern).matches(address);
    }

    /**
     * Matches.
     *
     * @param address the address
     * @return whether it matches
     */
    public boolean matches(String address) {
        return pattern.equals(address) || pattern.equals("/**") || pattern.equals("**");
    }

    /**
     * Describes, for a storage backend, how it may narrow a scan for this pattern.
     *
     * @return the pushdown
     */
    Pushdown pushdown() {
        return new Pushdown(Pushdown.Kind.GENERAL, "");
    }

    /**
     * What a storage backend may push into its own query for a pattern.
     *
     * @param kind the shape of the pattern
     * @param prefix the literal part: the whole address for EXACT, the prefix for SUBTREE and CHILDREN
     */
    record Pushdown(Kind kind, String prefix) {
        enum Kind { MATCH_ALL, EXACT, SUBTREE, CHILDREN, GENERAL }
    }

    /**
     * Returns the text.
     *
     * @return the pattern text
     */
    public String pattern() {
        return pattern;
    }
}
