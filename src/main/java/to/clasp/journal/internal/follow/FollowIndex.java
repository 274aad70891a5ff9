package to.clasp.journal.internal.follow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.internal.pattern.Pushdown;
import to.clasp.journal.internal.pattern.Pushdowns;

/**
 * The live streams of a {@link FollowHub}, grouped by where their pattern's matches can be, so
 * that a commit is offered only to the streams it may concern: the streams that follow other
 * addresses cost it nothing.
 *
 * <p>A stream's key is the literal its pattern starts with ({@link Pushdowns#of},
 * which every match starts with), cut after its last {@code /}: {@code /lights/room1/**} and
 * {@code /lights/room1/level} are kept under {@code /lights/room1/}, {@code /lights/room*} under
 * {@code /lights/}. An address can only match a stream whose key is one of the address's own
 * prefixes that end in {@code /}, so an entry is looked up once per such prefix, no deeper than
 * the deepest key. A pattern without such a literal ({@code /**}, a leading {@code *},
 * {@code {a,b}} or {@code [..]}, a leading {@code !}) is kept in a group that every entry
 * reaches. A candidate may still not match (the key is only a prefix, and the types and time
 * bounds are not looked at): the stream filters what it is offered, as before.
 *
 * <p>Not thread-safe: only the hub's dispatcher thread uses it. No method accepts null.
 */
public final class FollowIndex {

    /** Streams under one key, with the last gathering that picked them (so once per batch). */
    private static final class Group {
        final List<FollowSubscription> streams = new ArrayList<>();
        long gathered = -1;
    }

    private final Map<String, Group> byKey = new HashMap<>();
    private final Group everywhere = new Group();
    /** The most {@code /} in any key of {@link #byKey}: deeper prefixes of an address find nothing. */
    private int deepest;
    private long gathering;

    /** Adds a stream under its query's key. */
    void add(FollowSubscription s) {
        String key = keyOf(s.query());
        if (key == null) {
            everywhere.streams.add(s);
            return;
        }
        byKey.computeIfAbsent(key, k -> new Group()).streams.add(s);
        deepest = Math.max(deepest, slashes(key));
    }

    /** Removes a stream; nothing happens if it is not here. */
    void remove(FollowSubscription s) {
        String key = keyOf(s.query());
        if (key == null) {
            everywhere.streams.remove(s);
            return;
        }
        Group group = byKey.get(key);
        if (group != null && group.streams.remove(s) && group.streams.isEmpty()) {
            byKey.remove(key);
            if (slashes(key) == deepest) {
                deepest = 0;
                for (String k : byKey.keySet()) {
                    deepest = Math.max(deepest, slashes(k));
                }
            }
        }
    }

    /** Forgets every stream. */
    void clear() {
        byKey.clear();
        everywhere.streams.clear();
        deepest = 0;
    }

    /**
     * Returns the streams that some entry of {@code entries} may match, each once, in no
     * particular order; the list is the caller's.
     */
    List<FollowSubscription> candidates(List<JournalEntry> entries) {
        List<FollowSubscription> out = new ArrayList<>(everywhere.streams);
        if (byKey.isEmpty()) {
            return out;
        }
        long mark = ++gathering;
        String previous = null;
        for (JournalEntry e : entries) {
            String address = e.address();
            // Traffic repeats addresses; an address just looked up finds the same groups.
            if (address.equals(previous)) {
                continue;
            }
            previous = address;
            int slash = -1;
            for (int depth = 0; depth < deepest; depth++) {
                slash = address.indexOf('/', slash + 1);
                if (slash < 0) {
                    break;
                }
                Group group = byKey.get(address.substring(0, slash + 1));
                if (group != null && group.gathered != mark) {
                    group.gathered = mark;
                    out.addAll(group.streams);
                }
            }
        }
        return out;
    }

    /**
     * The literal every match of the query's pattern starts with, up to and including its last
     * {@code /}, or null when there is none to narrow by.
     */
    static String keyOf(JournalQuery query) {
        Pushdown pushdown = Pushdowns.of(query.addressPattern());
        if (pushdown.kind() == Pushdown.Kind.MATCH_ALL) {
            return null;
        }
        String prefix = pushdown.prefix();
        int last = prefix.lastIndexOf('/');
        return last < 0 ? null : prefix.substring(0, last + 1);
    }

    private static int slashes(String key) {
        int n = 0;
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }
}
