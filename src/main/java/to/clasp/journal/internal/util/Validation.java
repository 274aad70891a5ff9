package to.clasp.journal.internal.util;

import java.util.Collection;
import java.util.List;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SignalType;
import to.clasp.journal.Value;
import to.clasp.journal.internal.codec.ValueCodec;

/** Argument checks every backend shares, so that all of them reject the same input the same way. */
public final class Validation {

    private Validation() {}

    /**
     * Checks an entry before it is appended.
     *
     * @throws JournalException.InvalidInput naming the bad field
     */
    public static void entry(JournalEntry entry) {
        if (entry == null) {
            throw new JournalException.InvalidInput("entry must not be null");
        }
        address("entry.address", entry.address());
        text("entry.author", entry.author());
        if (entry.timestamp() < 0) {
            throw new JournalException.InvalidInput(
                    "entry.timestamp must not be negative: " + entry.timestamp());
        }
        if (entry.revision().isPresent() && entry.revision().getAsLong() < 0) {
            throw new JournalException.InvalidInput(
                    "entry.revision must not be negative: " + entry.revision().getAsLong());
        }
        nesting("entry.value", entry.value());
        if (entry.msgType() < 0 || entry.msgType() > 0xFF) {
            throw new JournalException.InvalidInput(
                    "entry.msgType must fit in one byte: " + entry.msgType());
        }
    }

    /**
     * Checks a CLASP address: not empty, starting with {@code /}.
     *
     * @throws JournalException.InvalidInput naming {@code field}
     */
    static void address(String field, String address) {
        if (address == null) {
            throw new JournalException.InvalidInput(field + " must not be null");
        }
        if (address.isEmpty() || address.charAt(0) != '/') {
            throw new JournalException.InvalidInput(
                    field + " must start with '/': '" + address + "'");
        }
        text(field, address);
    }

    /**
     * Checks that a string is well-formed UTF-16 (no unpaired surrogate), so that it can be
     * stored as UTF-8 text, and read back equal, by every backend and by the Rust crate.
     *
     * @throws JournalException.InvalidInput naming {@code field}
     */
    static void text(String field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new JournalException.InvalidInput(
                        field + " holds an unpaired surrogate at index " + i);
            }
        }
    }

    /**
     * Checks that a value nests no deeper than every backend can store, so that all backends
     * refuse the same values.
     *
     * @throws JournalException.InvalidInput naming {@code field}
     */
    static void nesting(String field, Value value) {
        try {
            ValueCodec.checkNesting(value);
        } catch (IllegalArgumentException e) {
            throw new JournalException.InvalidInput(field + ": " + e.getMessage());
        }
    }

    /**
     * Checks the params of a snapshot.
     *
     * @throws JournalException.InvalidInput for a null list, a null element or a bad field
     */
    public static void snapshot(List<ParamSnapshot> state) {
        if (state == null) {
            throw new JournalException.InvalidInput("snapshot state must not be null");
        }
        int i = 0;
        for (ParamSnapshot p : state) {
            if (p == null) {
                throw new JournalException.InvalidInput("snapshot state[" + i + "] must not be null");
            }
            address("snapshot state[" + i + "].address", p.address());
            text("snapshot state[" + i + "].writer", p.writer());
            if (p.revision() < 0) {
                throw new JournalException.InvalidInput(
                        "snapshot state[" + i + "].revision must not be negative: " + p.revision());
            }
            nesting("snapshot state[" + i + "].value", p.value());
            if (p.timestamp() < 0) {
                throw new JournalException.InvalidInput(
                        "snapshot state[" + i + "].timestamp must not be negative: " + p.timestamp());
            }
            i++;
        }
    }

    /**
     * Checks a query argument.
     *
     * @throws JournalException.InvalidInput for a null query
     */
    public static void query(JournalQuery query) {
        if (query == null) {
            throw new JournalException.InvalidInput("query must not be null");
        }
    }

    /**
     * Checks a limit argument, where null means none.
     *
     * @throws JournalException.InvalidInput for a negative limit
     */
    public static void limit(Integer limit) {
        if (limit != null && limit < 0) {
            throw new JournalException.InvalidInput("limit must not be negative: " + limit);
        }
    }

    /**
     * Builds a query from the positional arguments of {@link Journal#query(String, Long, Long,
     * Integer, Collection)}.
     *
     * @throws JournalException.InvalidInput naming the bad argument
     */
    public static JournalQuery positionalQuery(String pattern, Long from, Long to, Integer limit,
            Collection<SignalType> types) {
        if (pattern == null || pattern.isEmpty()) {
            throw new JournalException.InvalidInput("pattern must not be null or empty");
        }
        limit(limit);
        JournalQuery q = JournalQuery.of(pattern);
        if (from != null) {
            q = q.from(from);
        }
        if (to != null) {
            q = q.to(to);
        }
        if (limit != null) {
            q = q.limit(limit);
        }
        if (types != null && !types.isEmpty()) {
            SignalType[] array = types.toArray(new SignalType[0]);
            for (SignalType t : array) {
                if (t == null) {
                    throw new JournalException.InvalidInput("types must not contain null");
                }
            }
            q = q.types(array);
        }
        return q;
    }
}
