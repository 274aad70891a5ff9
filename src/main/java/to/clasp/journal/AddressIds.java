package to.clasp.journal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Small integer ids for the distinct addresses a {@link MemoryJournal} holds, counted by use, so
 * that a query matches its pattern once per distinct address instead of once per entry. An id
 * is freed when its last entry leaves the journal and is then reused, so ids stay below the
 * number of distinct addresses held at once. Not thread-safe: the journal's lock guards it.
 */
final class AddressIds {

    private final Map<String, Integer> ids = new HashMap<>();
    private String[] names = new String[16];
    private int[] uses = new int[16];
    private int[] free = new int[16];
    private int freeCount;
    private int limit;

    /** Returns the id of {@code address}, counting one more use of it. */
    int acquire(String address) {
        Integer known = ids.get(address);
        int id;
        if (known != null) {
            id = known;
        } else {
            id = freeCount > 0 ? free[--freeCount] : newId();
            names[id] = address;
            ids.put(address, id);
        }
        uses[id]++;
        return id;
    }

    /** Counts one use of {@code id} less, freeing it after its last use. */
    void release(int id) {
        if (--uses[id] == 0) {
            ids.remove(names[id]);
            names[id] = null;
            if (freeCount == free.length) {
                free = Arrays.copyOf(free, freeCount * 2);
            }
            free[freeCount++] = id;
        }
    }

    /** The number of distinct addresses in use. */
    int distinct() {
        return ids.size();
    }

    /**
     * Answers a pattern for every id in use: {@code result[id]} tells whether the address with
     * that id matches. Ids not in use map to {@code false}.
     */
    boolean[] matching(AddressPattern pattern) {
        boolean[] result = new boolean[limit];
        for (int id = 0; id < limit; id++) {
            String name = names[id];
            result[id] = name != null && pattern.matches(name);
        }
        return result;
    }

    private int newId() {
        if (limit == names.length) {
            names = Arrays.copyOf(names, limit * 2);
            uses = Arrays.copyOf(uses, limit * 2);
        }
        return limit++;
    }
}
