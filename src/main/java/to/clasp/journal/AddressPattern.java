package to.clasp.journal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import to.clasp.journal.internal.pattern.Pushdown;
import to.clasp.journal.internal.pattern.Pushdowns;

/**
 * A compiled CLASP address pattern that selects exactly what the Rust {@code glob-match} crate
 * (version 0.2.1) selects, the matcher the Rust journal and CLASP routers use for the same
 * job, so that a Java and a Rust router answer alike. This is tested on the crate's own test
 * assertions and on 150,000 random pairs judged by the crate; the crate is the specification,
 * including where its answers are surprising (see "Details that follow the crate").
 *
 * <h2>Syntax</h2>
 * <table>
 *   <caption>Pattern syntax</caption>
 *   <tr><th>Pattern</th><th>Matches</th></tr>
 *   <tr><td>{@code ?}</td><td>one byte other than {@code /}</td></tr>
 *   <tr><td>{@code *}</td><td>any run of bytes, including none, within one segment
 *       (never {@code /})</td></tr>
 *   <tr><td>{@code **}</td><td>as a whole segment ({@code a/**}{@code /b}): any number of
 *       whole segments; at the end of the pattern: anything, {@code /} included, even after
 *       other characters ({@code /a**} matches {@code /a/b}); anywhere else the same as
 *       {@code *}</td></tr>
 *   <tr><td>{@code [abc]} {@code [a-z]} {@code [!a]} {@code [^a]}</td><td>one byte in
 *       (or, with {@code !} or {@code ^}, not in) the set; a {@code ]} right after the opening
 *       {@code [} (or its {@code !}/{@code ^}) is a member, a {@code -} before the closing
 *       {@code ]} is a member, and a class may match {@code /}</td></tr>
 *   <tr><td>{@code {a,b}}</td><td>an alternative; alternatives may hold any syntax,
 *       {@code /} and nested braces included</td></tr>
 *   <tr><td>{@code !} at the start</td><td>negates the whole pattern; every leading
 *       {@code !} flips it again ({@code !!a} is {@code a}); elsewhere {@code !} is
 *       ordinary</td></tr>
 *   <tr><td>{@code \c}</td><td>the character {@code c} itself, also inside a class; as in the
 *       crate, {@code \b} is a backspace and {@code \n}, {@code \r}, {@code \t} are a newline,
 *       carriage return and tab</td></tr>
 * </table>
 * <p>Everything else is an ordinary character, compared exactly: matching is case-sensitive,
 * and {@code _}, {@code %}, {@code .} have no special meaning. A pattern must match the whole
 * address. {@code ,} and <code>&#125;</code> outside braces are ordinary characters.
 *
 * <h2>Examples on CLASP addresses</h2>
 * <ul>
 *   <li>{@code /lights/**} matches {@code /lights/room1/brightness} and {@code /lights/}, but
 *       not {@code /lights}.</li>
 *   <li>{@code /lights/*} matches {@code /lights/room1} (one segment) but not
 *       {@code /lights/room1/brightness}.</li>
 *   <li>{@code /lights/**}{@code /brightness} matches {@code /lights/brightness} and
 *       {@code /lights/a/b/brightness}.</li>
 *   <li>{@code /sensors/{temp,hum}} matches {@code /sensors/temp} and {@code /sensors/hum}.</li>
 *   <li>{@code /lights/room?/*} matches {@code /lights/room1/brightness};
 *       {@code /lights/room[12]/*} only rooms 1 and 2.</li>
 *   <li>{@code !/lights/**} matches every address outside {@code /lights/}.</li>
 *   <li>{@code /LIGHTS/**} does not match {@code /lights/a}, and {@code /room_1} does not
 *       match {@code /room11}.</li>
 *   <li>{@code **} and {@code /**} match every address.</li>
 * </ul>
 *
 * <h2>Details that follow the crate</h2>
 * <ul>
 *   <li>A {@code *} segment after a {@code **} never matches a non-empty segment that a
 *       {@code /} follows (the crate's issue #9): {@code /lights/**}{@code /*}{@code /brightness}
 *       does not match {@code /lights/room1/brightness}, {@code **}{@code /*}{@code /*} does not
 *       match {@code a/a}. A literal in the segment avoids it
 *       ({@code /lights/**}{@code /room*}{@code /brightness}), and so does a {@code *} that
 *       comes first ({@code *}{@code /**}{@code /*} for two segments or more).</li>
 *   <li>Trailing slashes: {@code **}{@code /*} does not match {@code a/}, {@code **}{@code /}
 *       does not match {@code /}, and {@code /lights/**}{@code /} matches {@code /lights/a/}
 *       but not {@code /lights/}. A trailing {@code /**} needs its {@code /}: {@code a/**}
 *       matches {@code a/} and {@code a/b/c}, but not {@code a}.</li>
 *   <li>Runs of stars: {@code **}{@code /**} counts as one {@code **}; a run of four stars is
 *       two {@code **}, so {@code ****} matches {@code /}.</li>
 *   <li>Braces: a brace needs an address byte left to start, so {@code /lights{,/room1}}
 *       does not match {@code /lights}; the alternative that matches the most bytes wins and
 *       is never retried shorter ({@code /x/{a,ab}b} does not match {@code /x/ab}); an
 *       alternative ending in {@code *} skips the alternatives after it; the byte after any
 *       <code>&#125;</code>, even an escaped one, closes the innermost open brace. An unclosed
 *       <code>&#123;</code> closes at the end of the pattern (<code>/&#123;a,b</code> matches
 *       {@code /b}); braces nested deeper than ten never match.</li>
 *   <li>Empty segments are segments: {@code /lights/*}{@code /x} matches {@code /lights//x}.</li>
 *   <li>Under a leading {@code !}, a {@code **} at the start is no whole segment (the crate
 *       counts the {@code !} as the byte before it): {@code !**}{@code /a} matches
 *       {@code x/y/a}, while {@code !/**}{@code /a} is the exact complement of
 *       {@code /**}{@code /a}.</li>
 *   <li>Matching works on the UTF-8 bytes of pattern and address, as the crate does: for ASCII
 *       this is per character, but {@code ?} and a class match one byte, so {@code ?} never
 *       matches a whole {@code é}. (An unpaired surrogate, which a Rust string cannot hold, is
 *       encoded as its own three bytes, so it matches only itself.)</li>
 *   <li>An unclosed {@code [} or a trailing {@code \} is invalid: reaching it with address
 *       bytes left makes the answer {@code false} even under a leading {@code !}, as the crate
 *       answers for an invalid pattern.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * <p>Instances are immutable and safe to share between threads. No method accepts
 * {@code null}. Compiling costs time linear in the pattern (times the longest class body).
 * A pattern that is a literal followed by nothing or by a run of stars ({@code /lights/**},
 * {@code /lights/*}) is answered by comparing strings; any other first checks its literal
 * start, then walks pattern and address as the crate does, with one resume point and a stack
 * of open braces, looking up every scan the crate repeats in tables built at compile time. It
 * takes at most 256 &times; (pattern bytes + 1) &times; (address bytes + 1) steps, linear in
 * the address: the crate's own walk stays far inside that bound
 * except under braces that hold stars behind a star ({@code *{*x}y}), where its time grows
 * with a power of the address length and may never end. Where the bound is reached, the
 * answer is {@code false} (no match, negated or not) instead of the crate's. Matching
 * allocates nothing for addresses of up to 20,000 characters.
 */
public final class AddressPattern {

    // What the pattern byte at each position does when the matcher reaches it.
    /** An ordinary byte, {@code args[i]}; also '}' and ',' outside braces. */
    private static final byte LITERAL = 0;
    /** A '}': closes the innermost brace, or is a literal outside braces. */
    private static final byte CLOSE = 1;
    /** A ',': ends a brace alternative, or is a literal outside braces. */
    private static final byte COMMA = 2;
    /** A '\' and the byte after it: the resolved byte {@code args[i]}. */
    private static final byte ESCAPED = 3;
    /** A '\' that ends the pattern. */
    private static final byte DANGLING = 4;
    /** A '?'. */
    private static final byte ANY = 5;
    /** A '[': class {@code args[i]} (-1 if unclosed), ending before {@code nexts[i]}. */
    private static final byte CLASS = 6;
    /** A '{'. */
    private static final byte OPEN = 7;
    // For the stars, args[i] is where a failed step resumes: i for a '*', and for a '**' the
    // last '**' of its run ("**/**/**" counts as one).
    /** A single '*'. */
    private static final byte STAR = 8;
    /** A '**' that is neither last nor a whole segment: it behaves as a '*'. */
    private static final byte STAR_WIDE = 9;
    /** A '**' (or a run of '**' segments) that ends the pattern. */
    private static final byte STAR_TRAILING = 10;
    /** A '**' segment followed by '/'. */
    private static final byte STAR_SEGMENT = 11;

    /** The crate gives up (no match) on braces nested deeper than this. */
    private static final int MAX_BRACE_DEPTH = 10;
    /** Ints saved per open brace: pattern and address position, resume and globstar points. */
    private static final int FRAME = 6;
    private static final int INVALID = -1;
    /**
     * Steps allowed per (pattern byte + 1) &times; (address byte + 1). The crate's walk is
     * within a small multiple of that except under braces that hold stars behind a star,
     * where it grows with a power of the address length (and may never end).
     */
    static final int STEPS_PER_CELL = 256;
    // The shapes a pattern can take after its literal start (see #shape()).
    private static final byte WHOLE = 0;
    private static final byte ANY_REST = 1;
    private static final byte SEGMENT_REST = 2;
    private static final byte WALK = 3;
    private static final int NO_MATCH = 0;
    private static final int MATCH = 1;
    private static final int CUT_SHORT = 2;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final String pattern;
    private final byte[] glob;
    private final int start;
    private final boolean negated;
    private final byte[] ops;
    private final int[] args;
    private final int[] nexts;
    private final long[][] classes;
    // Only for patterns with a '{': where a scan for the end of the current brace stops, from
    // each position (see Compiler#braceTables).
    private final int[] braceEnd;
    private final int[] braceNext;
    private final Pushdown pushdown;
    // Patterns that are a literal plus nothing or a run of stars skip the walk; the others
    // start it only for addresses that start with the literal.
    private final byte shortcut;
    private final String literal;
    private final byte[] literalBytes;
    private final int walkStart;

    private AddressPattern(String pattern) {
        this.pattern = pattern;
        this.glob = utf8(pattern);
        int first = 0;
        while (first < glob.length && glob[first] == '!') {
            first++;
        }
        this.start = first;
        this.negated = first % 2 == 1;
        Compiler compiler = new Compiler(glob, first);
        this.ops = compiler.ops;
        this.args = compiler.args;
        this.nexts = compiler.nexts;
        this.classes = compiler.classes.toArray(new long[0][]);
        this.braceEnd = compiler.braceEnd;
        this.braceNext = compiler.braceNext;
        Shape shape = shape();
        String prefix = shape.literal();
        this.pushdown = pushdownOf(shape.kind(), prefix, negated);
        // Without surrogates, comparing chars is comparing the UTF-8 bytes the crate compares.
        boolean plain = prefix != null && !hasSurrogate(prefix);
        this.shortcut = plain ? shape.kind() : WALK;
        this.literal = plain ? prefix : "";
        this.literalBytes = utf8(literal);
        this.walkStart = plain ? shape.literalEnd() : start;
    }

    /**
     * Compiles a pattern. Every string is a valid pattern (see the class description for how
     * malformed brackets and braces behave), so this never fails for a non-null argument.
     *
     * @param pattern the pattern text, such as {@code /lights/**}
     * @return the compiled pattern, immutable and safe to share between threads
     * @throws NullPointerException if {@code pattern} is null
     */
    public static AddressPattern compile(String pattern) {
        return new AddressPattern(Objects.requireNonNull(pattern, "pattern"));
    }

    /**
     * Matches one address against a pattern that is used once; to match many addresses,
     * {@link #compile(String) compile} the pattern once instead. Safe to call from any thread.
     *
     * @param pattern the pattern text
     * @param address the address, such as {@code /lights/room1/brightness}
     * @return whether the pattern matches the whole address
     * @throws NullPointerException if either argument is null
     */
    public static boolean matches(String pattern, String address) {
        Objects.requireNonNull(address, "address");
        return compile(pattern).matches(address);
    }

    /**
     * Tells whether this pattern matches the whole address, exactly as the {@code glob-match}
     * crate answers. Takes time linear in the address (times the pattern size at worst; see
     * the class description for the step bound) and allocates nothing for addresses of up to
     * 20,000 characters. Safe to call from any number of threads at once.
     *
     * @param address the address; any string is accepted, CLASP addresses start with {@code /}
     * @return whether the pattern matches the whole address
     * @throws NullPointerException if {@code address} is null
     */
    public boolean matches(String address) {
        Objects.requireNonNull(address, "address");
        switch (shortcut) {
            case WHOLE -> {
                return address.equals(literal) != negated;
            }
            case ANY_REST -> {
                return address.startsWith(literal) != negated;
            }
            case SEGMENT_REST -> {
                return (address.startsWith(literal) && address.indexOf('/', literal.length()) < 0) != negated;
            }
            default -> {
                if (!address.startsWith(literal)) {
                    // The walk starts with the literal and has nothing to resume at yet.
                    return negated;
                }
                Scratch scratch = SCRATCH.get();
                byte[] bytes = scratch.encode(address, literal, literalBytes);
                return run(bytes, scratch.length, scratch.braces) == MATCH;
            }
        }
    }

    /**
     * Tells whether matching {@code address} hits the step bound, where {@link #matches}
     * answers {@code false} without the crate's verdict. For tests.
     */
    boolean cutShort(String address) {
        if (shortcut != WALK || !address.startsWith(literal)) {
            return false;
        }
        Scratch scratch = SCRATCH.get();
        byte[] bytes = scratch.encode(address, literal, literalBytes);
        return run(bytes, scratch.length, scratch.braces) == CUT_SHORT;
    }

    /**
     * Returns the pattern text this was compiled from.
     *
     * @return the pattern text, exactly as given to {@link #compile(String)}
     */
    public String pattern() {
        return pattern;
    }

    /**
     * Describes, for a storage backend, how it may narrow a scan for this pattern. The result
     * is computed once at compile time.
     *
     * @return the pushdown, never null
     */
    Pushdown pushdown() {
        return pushdown;
    }

    static {
        Pushdowns.install(AddressPattern::pushdown);
    }

    /**
     * Returns whether {@code other} is an {@code AddressPattern} with the same pattern text.
     *
     * @param other any object, or null
     * @return true if both have equal pattern text
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof AddressPattern that && pattern.equals(that.pattern);
    }

    /**
     * Returns the hash of the pattern text.
     *
     * @return a hash consistent with {@link #equals(Object)}
     */
    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    /**
     * Returns the pattern text, so that a pattern reads in logs as it was written.
     *
     * @return the pattern text
     */
    @Override
    public String toString() {
        return pattern;
    }

    // ---------------------------------------------------------------- matching

    // The matcher walks pattern and address together with one resume point, like the crate:
    // a failed step goes back to the last star (which then takes one more byte), and braces
    // save that state on a stack of at most ten levels. Every scan the crate repeats at match
    // time (star runs, class bodies, brace skips) is looked up in the tables built by the
    // compiler, so each step costs O(1); a star's skip counts the bytes it passes as steps.
    private int run(byte[] a, int m, int[] saved) {
        final byte[] g = glob;
        final int n = g.length;
        int gi = walkStart;
        int pi = literalBytes.length;
        int resumeGlob = 0;
        int resumePath = 0;
        int globstarGlob = 0;
        int globstarPath = 0;
        int depth = 0;
        int longest = 0;
        long steps = STEPS_PER_CELL * (n + 1L) * (m + 1L);
        while (gi < n || pi < m) {
            if (--steps < 0) {
                return CUT_SHORT;
            }
            if (gi < n) {
                switch (ops[gi]) {
                    case STAR, STAR_WIDE, STAR_TRAILING, STAR_SEGMENT -> {
                        byte op = ops[gi];
                        int at = args[gi];
                        gi = at + (op == STAR ? 1 : 2);
                        if (op <= STAR_WIDE && gi < n && ops[gi] == LITERAL) {
                            // Until the byte after the star or a '/' comes up, each step
                            // would only fail and resume one byte further.
                            int c = args[gi];
                            int p = pi;
                            while (p < m && (a[p] & 0xFF) != c && a[p] != '/') {
                                p++;
                            }
                            steps -= p - pi;
                            pi = p;
                        }
                        resumeGlob = at;
                        resumePath = pi + 1;
                        if (op == STAR_TRAILING) {
                            globstarGlob = at;
                            globstarPath = pi + 1;
                        } else if (op == STAR_SEGMENT) {
                            if (pi == 0 || pi < m && a[pi - 1] == '/') {
                                gi++;
                            }
                            globstarGlob = at;
                            globstarPath = pi + 1;
                        }
                        if (globstarPath != resumePath && pi < m && a[pi] == '/') {
                            if (globstarPath > 0 && pi + 1 < m) {
                                gi = globstarGlob;
                                resumeGlob = globstarGlob;
                            } else {
                                resumePath = 0;
                            }
                        }
                        if (depth > 0 && gi < n && (g[gi] == ',' || g[gi] == '}')) {
                            gi = braceEnd[gi];
                            if (gi < 0) {
                                return NO_MATCH;
                            }
                        }
                        continue;
                    }
                    case ANY -> {
                        if (pi < m && a[pi] != '/') {
                            gi++;
                            pi++;
                            continue;
                        }
                    }
                    case CLASS -> {
                        if (pi < m) {
                            int set = args[gi];
                            if (set < 0) {
                                return NO_MATCH;
                            }
                            gi = nexts[gi];
                            int b = a[pi] & 0xFF;
                            if ((classes[set][b >>> 6] & (1L << b)) != 0) {
                                pi++;
                                continue;
                            }
                        }
                    }
                    case OPEN -> {
                        if (pi < m) {
                            if (depth == MAX_BRACE_DEPTH) {
                                return NO_MATCH;
                            }
                            int base = depth * FRAME;
                            saved[base] = gi;
                            saved[base + 1] = pi;
                            saved[base + 2] = resumeGlob;
                            saved[base + 3] = resumePath;
                            saved[base + 4] = globstarGlob;
                            saved[base + 5] = globstarPath;
                            depth++;
                            gi++;
                            resumeGlob = resumePath = globstarGlob = globstarPath = 0;
                            continue;
                        }
                    }
                    case ESCAPED -> {
                        if (pi < m) {
                            // As in the crate, a failed escape leaves the position on the
                            // escaped byte, which is where a brace skip then starts scanning.
                            gi++;
                            int c = args[gi - 1];
                            if ((a[pi] & 0xFF) == c) {
                                gi++;
                                pi++;
                                if (c != '/') {
                                    globstarPath = 0;
                                }
                                continue;
                            }
                        }
                    }
                    case DANGLING -> {
                        if (pi < m) {
                            return NO_MATCH;
                        }
                    }
                    default -> {
                        byte op = ops[gi];
                        if (depth > 0 && op != LITERAL) {
                            longest = Math.max(longest, pi);
                            gi++;
                            if (op == CLOSE) {
                                depth--;
                                pi = longest;
                                int base = depth * FRAME;
                                resumeGlob = saved[base + 2];
                                resumePath = saved[base + 3];
                                globstarGlob = saved[base + 4];
                                globstarPath = saved[base + 5];
                                if (depth == 0) {
                                    longest = 0;
                                }
                            } else {
                                pi = saved[(depth - 1) * FRAME + 1];
                                resumeGlob = resumePath = globstarGlob = globstarPath = 0;
                            }
                            continue;
                        }
                        int c = args[gi];
                        if (pi < m && (a[pi] & 0xFF) == c) {
                            if (depth > 0 && gi > 0 && g[gi - 1] == '}') {
                                // A byte right after a '}' closes the innermost open brace.
                                longest = pi;
                                depth--;
                                int base = depth * FRAME;
                                resumeGlob = saved[base + 2];
                                resumePath = saved[base + 3];
                                globstarGlob = saved[base + 4];
                                globstarPath = saved[base + 5];
                                if (depth == 0) {
                                    longest = 0;
                                }
                            }
                            gi++;
                            pi++;
                            if (c != '/') {
                                globstarPath = 0;
                            }
                            continue;
                        }
                    }
                }
            }
            // The step failed: resume at the last star, else try the next alternative.
            if (resumePath > 0 && resumePath <= m) {
                gi = resumeGlob;
                pi = resumePath;
                continue;
            }
            if (depth > 0) {
                int stop = braceNext[gi];
                if (stop == INVALID) {
                    return NO_MATCH;
                }
                if (stop >= 0) {
                    gi = stop;
                    pi = saved[(depth - 1) * FRAME + 1];
                    continue;
                }
                gi = -stop - 2;
                depth--;
                int base = depth * FRAME;
                if (longest > 0) {
                    pi = longest;
                    resumeGlob = saved[base + 2];
                    resumePath = saved[base + 3];
                    globstarGlob = saved[base + 4];
                    globstarPath = saved[base + 5];
                    if (depth == 0) {
                        longest = 0;
                    }
                    continue;
                }
                resumeGlob = saved[base + 2];
                resumePath = saved[base + 3];
                globstarGlob = saved[base + 4];
                globstarPath = saved[base + 5];
                if (resumePath > 0 && resumePath <= m) {
                    gi = resumeGlob;
                    pi = resumePath;
                    continue;
                }
            }
            return negated ? MATCH : NO_MATCH;
        }
        return negated ? NO_MATCH : MATCH;
    }

    /** Per-thread buffers, kept between calls so that matching allocates nothing. */
    private static final class Scratch {
        private static final int KEPT = 1 << 16;
        byte[] address = new byte[256];
        int length;
        final int[] braces = new int[MAX_BRACE_DEPTH * FRAME];

        /**
         * Encodes {@code s}, which starts with {@code head}, as {@link #utf8} does; returns the
         * buffer, {@link #length} set.
         */
        byte[] encode(String s, String head, byte[] headBytes) {
            int chars = s.length();
            byte[] out = address;
            if (out.length < 3 * chars) {
                out = new byte[3 * chars];
                if (out.length <= KEPT) {
                    address = out;
                }
            }
            System.arraycopy(headBytes, 0, out, 0, headBytes.length);
            int o = headBytes.length;
            for (int i = head.length(); i < chars; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    out[o++] = (byte) c;
                    continue;
                }
                int cp = s.codePointAt(i);
                int len = utf8Length(cp);
                for (int k = 0; k < len; k++) {
                    out[o++] = (byte) utf8Byte(cp, len, k);
                }
                i += Character.charCount(cp) - 1;
            }
            length = o;
            return out;
        }
    }

    // ---------------------------------------------------------------- pushdown

    /**
     * Finds the literal that starts the pattern (escapes resolved) and what follows it:
     * nothing ({@link #WHOLE}), a run of stars ending in a trailing {@code **}
     * ({@link #ANY_REST}), a run ending in a single {@code *} ({@link #SEGMENT_REST}), or
     * anything else ({@link #WALK}), and where the literal ends in the pattern. The literal
     * is null where its bytes spell no Java string.
     */
    private Shape shape() {
        byte[] g = glob;
        int n = g.length;
        byte[] literal = new byte[n];
        int length = 0;
        int k = start;
        while (k < n && ops[k] <= ESCAPED) {
            literal[length++] = (byte) args[k];
            k += ops[k] == ESCAPED ? 2 : 1;
        }
        byte[] bytes = Arrays.copyOf(literal, length);
        String prefix = decode(bytes);
        if (!Arrays.equals(utf8(prefix), bytes)) {
            // An escape can split a surrogate's bytes apart; no Java string has those bytes.
            return new Shape(WALK, null, start);
        }
        if (k == n) {
            return new Shape(WHOLE, prefix, k);
        }
        int stars = 0;
        while (k + stars < n && g[k + stars] == '*') {
            stars++;
        }
        // A run of stars of even length ends in a trailing "**", of odd length in a '*'.
        if (ops[k] == STAR_TRAILING || k + stars == n && stars % 2 == 0) {
            return new Shape(ANY_REST, prefix, k);
        }
        return new Shape(k + stars == n ? SEGMENT_REST : WALK, prefix, k);
    }

    /** A pattern's literal start, where it ends in the pattern, and what follows it. */
    private record Shape(byte kind, String literal, int literalEnd) {}

    private static Pushdown pushdownOf(byte shape, String prefix, boolean negated) {
        if (negated || prefix == null) {
            return new Pushdown(Pushdown.Kind.GENERAL, "");
        }
        if (shape == WHOLE) {
            return new Pushdown(Pushdown.Kind.EXACT, prefix);
        }
        if (shape == ANY_REST && (prefix.isEmpty() || prefix.equals("/"))) {
            return new Pushdown(Pushdown.Kind.MATCH_ALL, "");
        }
        if (shape == ANY_REST && prefix.endsWith("/")) {
            return new Pushdown(Pushdown.Kind.SUBTREE, prefix);
        }
        if (shape == SEGMENT_REST && prefix.endsWith("/")) {
            return new Pushdown(Pushdown.Kind.CHILDREN, prefix);
        }
        return new Pushdown(Pushdown.Kind.GENERAL, prefix);
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- compiler

    /**
     * Decodes what the matcher does at every pattern position. Every position gets an entry,
     * not only token starts: a brace skip can land anywhere, even inside what reads as a class.
     */
    private static final class Compiler {
        final byte[] ops;
        final int[] args;
        final int[] nexts;
        final List<long[]> classes = new ArrayList<>();
        int[] braceEnd;
        int[] braceNext;
        private int cursor;

        Compiler(byte[] g, int start) {
            int n = g.length;
            ops = new byte[n];
            args = new int[n];
            nexts = new int[n];
            boolean braces = false;
            for (int i = start; i < n; i++) {
                int c = g[i] & 0xFF;
                args[i] = c;
                switch (c) {
                    case '*' -> star(g, i);
                    case '?' -> ops[i] = ANY;
                    case '[' -> characterClass(g, i);
                    case '{' -> {
                        ops[i] = OPEN;
                        braces = true;
                    }
                    case '}' -> ops[i] = CLOSE;
                    case ',' -> ops[i] = COMMA;
                    case '\\' -> {
                        if (i + 1 < n) {
                            ops[i] = ESCAPED;
                            args[i] = unescape(g[i + 1] & 0xFF);
                        } else {
                            ops[i] = DANGLING;
                        }
                    }
                    default -> ops[i] = LITERAL;
                }
            }
            if (braces) {
                braceTables(g);
            }
        }

        private void star(byte[] g, int i) {
            int n = g.length;
            if (i + 1 >= n || g[i + 1] != '*') {
                ops[i] = STAR;
                args[i] = i;
                return;
            }
            // "**/**/**" counts as its last "**".
            int end = i + 2;
            while (end + 3 <= n && g[end] == '/' && g[end + 1] == '*' && g[end + 2] == '*') {
                end += 3;
            }
            args[i] = end - 2;
            if (end == n) {
                ops[i] = STAR_TRAILING;
            } else if ((end < 3 || g[end - 3] == '/') && g[end] == '/') {
                // The crate judges "a whole segment" on absolute positions, so a leading '!'
                // counts as the byte before: in "!**/a" the "**" is no whole segment.
                ops[i] = STAR_SEGMENT;
            } else {
                ops[i] = STAR_WIDE;
            }
        }

        /** Reads the class starting at {@code i}, as the crate reads it at match time. */
        private void characterClass(byte[] g, int i) {
            ops[i] = CLASS;
            args[i] = INVALID;
            int n = g.length;
            cursor = i + 1;
            boolean negate = cursor < n && (g[cursor] == '!' || g[cursor] == '^');
            if (negate) {
                cursor++;
            }
            long[] set = new long[4];
            boolean first = true;
            while (cursor < n && (first || g[cursor] != ']')) {
                int low = member(g);
                if (low < 0) {
                    return;
                }
                cursor++;
                int high = low;
                if (cursor + 1 < n && g[cursor] == '-' && g[cursor + 1] != ']') {
                    cursor++;
                    high = member(g);
                    if (high < 0) {
                        return;
                    }
                    cursor++;
                }
                for (int b = low; b <= high; b++) {
                    set[b >>> 6] |= 1L << b;
                }
                first = false;
            }
            if (cursor >= n) {
                return;
            }
            if (negate) {
                for (int w = 0; w < set.length; w++) {
                    set[w] = ~set[w];
                }
            }
            classes.add(set);
            args[i] = classes.size() - 1;
            nexts[i] = cursor + 1;
        }

        /** Reads one class member at the cursor, resolving an escape; INVALID if cut off. */
        private int member(byte[] g) {
            int c = g[cursor] & 0xFF;
            if (c != '\\') {
                return c;
            }
            if (++cursor >= g.length) {
                return INVALID;
            }
            return unescape(g[cursor] & 0xFF);
        }

        /** Where a brace scan from each position stops, as the crate scans (see below). */
        private void braceTables(byte[] g) {
            int n = g.length;
            // endOut/nextOut: scanning outside brackets; endIn/nextIn: inside brackets.
            // end: the position after the '}' that closes the current brace. next: that, as
            // -(pos) - 2, or the position after an earlier ',' of the current brace. A scan
            // that runs off the pattern is INVALID.
            int[] endOut = new int[n + 2];
            int[] nextOut = new int[n + 2];
            int[] endIn = new int[n + 2];
            int[] nextIn = new int[n + 2];
            for (int k = n; k <= n + 1; k++) {
                endOut[k] = nextOut[k] = endIn[k] = nextIn[k] = INVALID;
            }
            for (int k = n - 1; k >= 0; k--) {
                int c = g[k];
                int skip = c == '\\' ? 2 : 1;
                if (c == ']') {
                    endIn[k] = endOut[k + 1];
                    nextIn[k] = nextOut[k + 1];
                } else {
                    endIn[k] = endIn[k + skip];
                    nextIn[k] = nextIn[k + skip];
                }
                switch (c) {
                    case '{' -> {
                        int inner = endOut[k + 1];
                        endOut[k] = inner < 0 ? INVALID : endOut[inner];
                        nextOut[k] = inner < 0 ? INVALID : nextOut[inner];
                    }
                    case '}' -> {
                        endOut[k] = k + 1;
                        nextOut[k] = -(k + 1) - 2;
                    }
                    case ',' -> {
                        endOut[k] = endOut[k + 1];
                        nextOut[k] = k + 1;
                    }
                    case '[' -> {
                        endOut[k] = endIn[k + 1];
                        nextOut[k] = nextIn[k + 1];
                    }
                    default -> {
                        endOut[k] = endOut[k + skip];
                        nextOut[k] = nextOut[k + skip];
                    }
                }
            }
            braceEnd = endOut;
            braceNext = nextOut;
        }

        private static int unescape(int c) {
            return switch (c) {
                case 'b' -> 0x08;
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> c;
            };
        }
    }

    // ---------------------------------------------------------------- UTF-8

    // Unpaired surrogates are encoded like any other code point below 0x10000 (three bytes
    // starting 0xED), bytes that valid UTF-8 never holds, so they stay distinct from U+FFFD.
    private static byte[] utf8(String s) {
        int length = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            length += utf8Length(cp);
        }
        byte[] out = new byte[length];
        int o = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            for (int k = 0, len = utf8Length(cp); k < len; k++) {
                out[o++] = (byte) utf8Byte(cp, len, k);
            }
        }
        return out;
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    private static int utf8Byte(int cp, int length, int k) {
        if (length == 1) {
            return cp;
        }
        int shift = 6 * (length - 1 - k);
        if (k > 0) {
            return 0x80 | ((cp >>> shift) & 0x3F);
        }
        int lead = length == 2 ? 0xC0 : length == 3 ? 0xE0 : 0xF0;
        return lead | (cp >>> shift);
    }

    /**
     * Decodes bytes made by {@link #utf8}, unpaired surrogates included. A malformed sequence
     * becomes U+FFFD, which then fails the caller's round-trip check.
     */
    private static String decode(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            int length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
            if (b >= 0x80 && b < 0xC0 || i + length > bytes.length) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int cp = length == 1 ? b : b & (0x7F >> length);
            for (int k = 1; k < length; k++) {
                cp = (cp << 6) | (bytes[i + k] & 0x3F);
            }
            out.appendCodePoint(cp);
            i += length;
        }
        return out.toString();
    }
}
