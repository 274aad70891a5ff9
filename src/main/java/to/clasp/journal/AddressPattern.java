package to.clasp.journal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A compiled CLASP address pattern, with the semantics of the Rust {@code glob-match} crate
 * (version 0.2.1), which the Rust journal uses for the same job. The rules below reproduce
 * every assertion of that crate's own test suite; where the suite is silent they take the
 * simplest rule consistent with it.
 *
 * <h2>Syntax</h2>
 * <table>
 *   <caption>Pattern syntax</caption>
 *   <tr><th>Pattern</th><th>Matches</th></tr>
 *   <tr><td>{@code ?}</td><td>one character other than {@code /}</td></tr>
 *   <tr><td>{@code *}</td><td>any run of characters, including none, within one segment
 *       (never {@code /})</td></tr>
 *   <tr><td>{@code **}</td><td>as a whole segment (preceded by {@code /} or the start of the
 *       pattern, and followed by {@code /} or the end of the pattern): any number of whole
 *       segments; anywhere else the same as {@code *}. This is judged on the pattern text, so
 *       in {@code a**}, {@code {a/**,b}} or {@code /x/**y} it is a {@code *}</td></tr>
 *   <tr><td>{@code [abc]} {@code [a-z]} {@code [!a]} {@code [^a]}</td><td>one character in
 *       (or, with {@code !} or {@code ^}, not in) the set; a {@code ]} right after the opening
 *       {@code [} (or its {@code !}/{@code ^}) is a member, a {@code -} before the closing
 *       {@code ]} is a member, and a class may match {@code /}</td></tr>
 *   <tr><td>{@code {a,b}}</td><td>either alternative; alternatives may hold any syntax,
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
 *   <li>Runs of whole-segment globstars count as one: {@code a/**}{@code /**} is
 *       {@code a/**}.</li>
 *   <li>A trailing {@code /**} needs its {@code /}: {@code a/**} matches {@code a/} and
 *       {@code a/b/c}, but not {@code a}.</li>
 *   <li>A whole-segment {@code **}{@code /} that is not at the start of the pattern may match
 *       the empty string only while more of the address follows: {@code a/**}{@code /b}
 *       matches {@code a/b}, but {@code a/**}{@code /*} does not match {@code a/} (whereas
 *       {@code a/**} and {@code a/*} do).</li>
 *   <li>Matching works on the UTF-8 bytes of pattern and address, as the crate does: for ASCII
 *       this is per character, but {@code ?} and a class match one byte, so {@code ?} never
 *       matches a whole {@code é}. (An unpaired surrogate, which a Rust string cannot hold, is
 *       encoded as its own three bytes, so it matches only itself.)</li>
 *   <li>Every string is a pattern. An unclosed <code>&#123;</code> closes at the end of the
 *       pattern. An unclosed {@code [} or a trailing {@code \} is invalid: it never matches,
 *       and reaching it with address characters left makes the answer {@code false} even
 *       under a leading {@code !}, as the crate answers for an invalid pattern.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * <p>Instances are immutable and safe to share between threads. No method accepts
 * {@code null}. Compiling costs time linear in the pattern; matching costs
 * O(pattern &times; address) at worst (a state-set simulation, never backtracking), so no
 * pattern can make a match slow, and it allocates nothing for patterns of up to 64 compiled
 * states (larger ones reuse a per-thread buffer).
 */
public final class AddressPattern {

    // Kinds of the instructions a pattern compiles to; each instruction i may consume one
    // byte, or lead on to others without consuming (its epsilon edges).
    /** Consumes the byte {@code arg}, then continues at i+1. */
    private static final byte LITERAL = 0;
    /** Consumes one byte of the set {@code sets[arg]}, then continues at i+1. */
    private static final byte SET = 1;
    /** Consumes any number of bytes of {@code sets[arg]} (stays at i), then goes on to i+1. */
    private static final byte STAR = 2;
    /** Goes on to i+1 and to {@code arg}. */
    private static final byte FORK = 3;
    /** Goes on to i+1, and to {@code arg} only while address bytes remain. */
    private static final byte FORK_IF_MORE = 4;
    /** Goes on to {@code arg}. */
    private static final byte JUMP = 5;
    /** An invalid part of the pattern: reaching it with bytes left fails the whole match. */
    private static final byte INVALID = 6;
    /** The whole pattern matched (the last instruction). */
    private static final byte MATCH = 7;

    private static final int ANY_BYTE = 0;
    private static final int NOT_SLASH = 1;
    private static final int SMALL = Long.SIZE;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final String pattern;
    private final boolean negated;
    private final byte[] kinds;
    private final int[] args;
    private final long[][] sets;
    private final int invalid;
    private final Pushdown pushdown;

    // Only for programs of at most 64 instructions, where a state set is one long: per
    // instruction, what it reaches without consuming (with bytes left / at the end), and per
    // byte value, which instructions consume it.
    private final long[] closureMore;
    private final long[] closureEnd;
    private final long[] consumers;
    private final long stars;

    private AddressPattern(String pattern) {
        this.pattern = pattern;
        byte[] text = utf8(pattern);
        int start = 0;
        while (start < text.length && text[start] == '!') {
            start++;
        }
        this.negated = start % 2 == 1;
        Compiler compiler = new Compiler(text, start);
        compiler.compile();
        this.kinds = Arrays.copyOf(compiler.kinds, compiler.size);
        this.args = Arrays.copyOf(compiler.args, compiler.size);
        this.sets = compiler.sets.toArray(new long[0][]);
        this.invalid = compiler.invalid;
        this.pushdown = analyse();
        int n = kinds.length;
        if (n <= SMALL) {
            closureMore = new long[n];
            closureEnd = new long[n];
            consumers = new long[256];
            long[] set = new long[1];
            int[] list = new int[n];
            long starMask = 0;
            for (int i = 0; i < n; i++) {
                set[0] = 0;
                close(set, list, 0, i, true);
                closureMore[i] = set[0];
                set[0] = 0;
                close(set, list, 0, i, false);
                closureEnd[i] = set[0];
                for (int b = 0; b < 256; b++) {
                    if (consumes(i, b)) {
                        consumers[b] |= 1L << i;
                    }
                }
                if (kinds[i] == STAR) {
                    starMask |= 1L << i;
                }
            }
            stars = starMask;
        } else {
            closureMore = null;
            closureEnd = null;
            consumers = null;
            stars = 0;
        }
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
     * Tells whether this pattern matches the whole address. Takes time linear in the address
     * (times the pattern size at worst) and allocates nothing for patterns of up to 64
     * compiled states. Safe to call from any number of threads at once.
     *
     * @param address the address; any string is accepted, CLASP addresses start with {@code /}
     * @return whether the pattern matches the whole address
     * @throws NullPointerException if {@code address} is null
     */
    public boolean matches(String address) {
        Objects.requireNonNull(address, "address");
        return closureMore != null ? matchSmall(address) : matchLarge(address);
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

    /**
     * What a storage backend may push into its own query for a pattern. Each kind states what
     * holds for every address {@code a} (any string); {@code matches(a)} stays the final word
     * wherever the kind does not promise equivalence.
     *
     * @param kind the shape of the pattern
     * @param prefix a literal every match starts with, as described for each kind; never null
     */
    record Pushdown(Kind kind, String prefix) {

        /** The shapes a backend can exploit. */
        enum Kind {
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
             * negated), and {@code prefix} is the literal including its trailing {@code /}.
             * {@code matches(a)} is exactly {@code a.startsWith(prefix)}: {@code /lights/**}
             * matches {@code /lights/} and {@code /lights/x/y}, but not the bare literal
             * {@code /lights}, as in the crate.
             */
            SUBTREE,
            /**
             * The pattern is {@code <literal>/*} (literal without metacharacters, not
             * negated), and {@code prefix} is the literal including its trailing {@code /}.
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

    // ---------------------------------------------------------------- simulation

    // A Thompson simulation: "pending" holds the instructions reached by consuming the last
    // byte; before the next byte (or at the end) they are widened by their epsilon closure.
    // Closing lazily matters because FORK_IF_MORE depends on whether bytes remain.
    private boolean matchSmall(String address) {
        long pending = 1L;
        long invalidMask = invalid < 0 ? 0 : 1L << invalid;
        for (int i = 0, n = address.length(); i < n && pending != 0; ) {
            int cp = address.codePointAt(i);
            i += Character.charCount(cp);
            for (int k = 0, len = utf8Length(cp); k < len && pending != 0; k++) {
                long live = closeSmall(pending, closureMore);
                if ((live & invalidMask) != 0) {
                    return false;
                }
                long hit = live & consumers[utf8Byte(cp, len, k)];
                pending = (hit & stars) | ((hit & ~stars) << 1);
            }
        }
        boolean matched = (closeSmall(pending, closureEnd) & (1L << (kinds.length - 1))) != 0;
        return matched != negated;
    }

    private static long closeSmall(long pending, long[] closure) {
        long live = 0;
        for (long rest = pending; rest != 0; rest &= rest - 1) {
            live |= closure[Long.numberOfTrailingZeros(rest)];
        }
        return live;
    }

    // The same simulation over sparse sets: a list of instructions plus a bitmap that is all
    // zero between steps, so a step costs what is live, however large the program.
    private boolean matchLarge(String address) {
        Scratch scratch = SCRATCH.get();
        scratch.ensure(kinds.length);
        long[] seen = scratch.seen;
        int[] live = scratch.live;
        int[] pending = scratch.pending;
        int pendingCount = 1;
        pending[0] = 0;
        for (int i = 0, n = address.length(); i < n && pendingCount > 0; ) {
            int cp = address.codePointAt(i);
            i += Character.charCount(cp);
            for (int k = 0, len = utf8Length(cp); k < len && pendingCount > 0; k++) {
                int liveCount = closeLarge(pending, pendingCount, seen, live, true);
                boolean failed = invalid >= 0 && contains(seen, invalid);
                int b = utf8Byte(cp, len, k);
                pendingCount = 0;
                for (int j = 0; j < liveCount; j++) {
                    int s = live[j];
                    seen[s >>> 6] &= ~(1L << s);
                    if (!failed && consumes(s, b)) {
                        pending[pendingCount++] = kinds[s] == STAR ? s : s + 1;
                    }
                }
                if (failed) {
                    return false;
                }
            }
        }
        boolean matched = false;
        if (pendingCount > 0) {
            int liveCount = closeLarge(pending, pendingCount, seen, live, false);
            matched = contains(seen, kinds.length - 1);
            for (int j = 0; j < liveCount; j++) {
                seen[live[j] >>> 6] &= ~(1L << live[j]);
            }
        }
        return matched != negated;
    }

    private int closeLarge(int[] pending, int pendingCount, long[] seen, int[] live, boolean more) {
        int liveCount = 0;
        for (int j = 0; j < pendingCount; j++) {
            liveCount = close(seen, live, liveCount, pending[j], more);
        }
        return liveCount;
    }

    /**
     * Adds instruction {@code from} and all it reaches without consuming to {@code set}, and
     * appends each newly added one to {@code list} after {@code count}; returns the new count.
     */
    private int close(long[] set, int[] list, int count, int from, boolean more) {
        int head = count;
        count = append(set, list, count, from);
        while (head < count) {
            int i = list[head++];
            switch (kinds[i]) {
                case STAR -> count = append(set, list, count, i + 1);
                case FORK -> {
                    count = append(set, list, count, i + 1);
                    count = append(set, list, count, args[i]);
                }
                case FORK_IF_MORE -> {
                    count = append(set, list, count, i + 1);
                    if (more) {
                        count = append(set, list, count, args[i]);
                    }
                }
                case JUMP -> count = append(set, list, count, args[i]);
                default -> { }
            }
        }
        return count;
    }

    private static int append(long[] set, int[] list, int count, int i) {
        if (contains(set, i)) {
            return count;
        }
        set[i >>> 6] |= 1L << i;
        list[count] = i;
        return count + 1;
    }

    private static boolean contains(long[] set, int i) {
        return (set[i >>> 6] & (1L << i)) != 0;
    }

    private boolean consumes(int i, int b) {
        return switch (kinds[i]) {
            case LITERAL -> args[i] == b;
            case SET, STAR -> (sets[args[i]][b >>> 6] & (1L << b)) != 0;
            default -> false;
        };
    }

    /**
     * Per-thread state sets for programs too large for one long. They grow to the largest
     * program the thread has matched and are kept, so that matching stays allocation-free.
     */
    private static final class Scratch {
        long[] seen = new long[0];
        int[] live = new int[0];
        int[] pending = new int[0];

        void ensure(int states) {
            if (live.length < states) {
                seen = new long[(states + 63) >>> 6];
                live = new int[states];
                pending = new int[states];
            }
        }
    }

    // ---------------------------------------------------------------- pushdown

    private Pushdown analyse() {
        if (negated) {
            return new Pushdown(Pushdown.Kind.GENERAL, "");
        }
        int literals = 0;
        while (kinds[literals] == LITERAL) {
            literals++;
        }
        byte[] bytes = new byte[literals];
        for (int i = 0; i < literals; i++) {
            bytes[i] = (byte) args[i];
        }
        String prefix = decode(bytes);
        if (!Arrays.equals(utf8(prefix), bytes)) {
            // Escapes can split a surrogate's bytes apart; no Java string has those bytes, so
            // the literal is no usable prefix.
            return new Pushdown(Pushdown.Kind.GENERAL, "");
        }
        int rest = kinds.length - 1 - literals;
        if (rest == 0) {
            return new Pushdown(Pushdown.Kind.EXACT, prefix);
        }
        if (rest == 1 && kinds[literals] == STAR) {
            boolean anyByte = args[literals] == ANY_BYTE;
            if (anyByte && (prefix.isEmpty() || prefix.equals("/"))) {
                return new Pushdown(Pushdown.Kind.MATCH_ALL, "");
            }
            if (prefix.endsWith("/")) {
                return new Pushdown(anyByte ? Pushdown.Kind.SUBTREE : Pushdown.Kind.CHILDREN, prefix);
            }
        }
        return new Pushdown(Pushdown.Kind.GENERAL, prefix);
    }

    // ---------------------------------------------------------------- compiler

    /** Turns pattern bytes into the instruction program, in one pass. */
    private static final class Compiler {
        private final byte[] text;
        private final int start;
        private int pos;
        byte[] kinds = new byte[16];
        int[] args = new int[16];
        int size;
        final List<long[]> sets = new ArrayList<>();
        int invalid = -1;

        /** An open brace: its pending fork and the jumps that leave its alternatives. */
        private static final class Group {
            int fork;
            int[] exits = new int[4];
            int exitCount;
        }

        Compiler(byte[] text, int start) {
            this.text = text;
            this.start = start;
            this.pos = start;
            long[] any = {-1L, -1L, -1L, -1L};
            long[] notSlash = any.clone();
            notSlash[0] &= ~(1L << '/');
            sets.add(any);
            sets.add(notSlash);
        }

        void compile() {
            Deque<Group> open = new ArrayDeque<>();
            while (pos < text.length) {
                int c = text[pos] & 0xFF;
                if (!open.isEmpty() && (c == ',' || c == '}')) {
                    pos++;
                    endAlternative(open.peek());
                    if (c == '}') {
                        endGroup(open.pop());
                    } else {
                        open.peek().fork = emit(FORK, -1);
                    }
                    continue;
                }
                switch (c) {
                    case '*' -> stars();
                    case '?' -> {
                        pos++;
                        emit(SET, NOT_SLASH);
                    }
                    case '[' -> characterClass();
                    case '{' -> {
                        pos++;
                        Group group = new Group();
                        group.fork = emit(FORK, -1);
                        open.push(group);
                    }
                    case '\\' -> {
                        pos++;
                        if (pos == text.length) {
                            invalid();
                        } else {
                            emit(LITERAL, unescape(text[pos++] & 0xFF));
                        }
                    }
                    default -> {
                        pos++;
                        emit(LITERAL, c);
                    }
                }
            }
            // The crate reads an unclosed brace as if it closed at the end of the pattern.
            while (!open.isEmpty()) {
                endAlternative(open.peek());
                endGroup(open.pop());
            }
            emit(MATCH, 0);
        }

        private void endAlternative(Group group) {
            if (group.exitCount == group.exits.length) {
                group.exits = Arrays.copyOf(group.exits, group.exitCount * 2);
            }
            group.exits[group.exitCount++] = emit(JUMP, -1);
            args[group.fork] = size;
        }

        private void endGroup(Group group) {
            // The last alternative has no other to fork to.
            kinds[group.fork] = JUMP;
            args[group.fork] = group.fork + 1;
            for (int i = 0; i < group.exitCount; i++) {
                args[group.exits[i]] = size;
            }
        }

        private void stars() {
            int first = pos;
            while (pos < text.length && text[pos] == '*') {
                pos++;
            }
            boolean segmentStart = first == start || text[first - 1] == '/';
            if (pos - first != 2 || !segmentStart || !segmentEnd(pos)) {
                emit(STAR, NOT_SLASH);
                return;
            }
            // A run of whole-segment globstars means one: this matters at the end of the
            // address, where a/**/** matches a/ like a/** does.
            while (pos + 3 <= text.length && text[pos] == '/' && text[pos + 1] == '*'
                    && text[pos + 2] == '*' && segmentEnd(pos + 3)) {
                pos += 3;
            }
            if (pos == text.length) {
                emit(STAR, ANY_BYTE);
                return;
            }
            // "**/" is empty or anything ending in '/'. Only at the very start of the pattern
            // may it be empty at the end of the address: a/**/* does not match a/.
            pos++;
            int fork = emit(first == start ? FORK : FORK_IF_MORE, -1);
            emit(STAR, ANY_BYTE);
            emit(LITERAL, '/');
            args[fork] = size;
        }

        private boolean segmentEnd(int i) {
            return i == text.length || text[i] == '/';
        }

        private void characterClass() {
            pos++;
            boolean negate = pos < text.length && (text[pos] == '!' || text[pos] == '^');
            if (negate) {
                pos++;
            }
            long[] set = new long[4];
            boolean first = true;
            while (pos < text.length && (first || text[pos] != ']')) {
                int low = classByte();
                if (low < 0) {
                    break;
                }
                int high = low;
                if (pos + 1 < text.length && text[pos] == '-' && text[pos + 1] != ']') {
                    pos++;
                    high = classByte();
                    if (high < 0) {
                        break;
                    }
                }
                for (int b = low; b <= high; b++) {
                    set[b >>> 6] |= 1L << b;
                }
                first = false;
            }
            if (pos >= text.length) {
                invalid();
                return;
            }
            pos++;
            if (negate) {
                for (int w = 0; w < 4; w++) {
                    set[w] = ~set[w];
                }
            }
            sets.add(set);
            emit(SET, sets.size() - 1);
        }

        /** Reads one class member byte, resolving an escape; -1 if the pattern ends first. */
        private int classByte() {
            int c = text[pos++] & 0xFF;
            if (c != '\\') {
                return c;
            }
            if (pos == text.length) {
                return -1;
            }
            return unescape(text[pos++] & 0xFF);
        }

        private void invalid() {
            // Everything after an unclosed '[' belongs to it, so the pattern ends here.
            pos = text.length;
            invalid = emit(INVALID, 0);
        }

        private int emit(byte kind, int arg) {
            if (size == kinds.length) {
                kinds = Arrays.copyOf(kinds, size * 2);
                args = Arrays.copyOf(args, size * 2);
            }
            kinds[size] = kind;
            args[size] = arg;
            return size++;
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
