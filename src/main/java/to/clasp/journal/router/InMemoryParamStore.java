package to.clasp.journal.router;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;

/**
 * A {@link ParamStore} held in a concurrent map: the reference implementation, and the store a
 * router can use when it has no param state of its own.
 *
 * <p>Thread-safe and lock-free for readers. {@link #set} stores what it is given, because the
 * router assigns revisions; {@link #restore} keeps the higher revision atomically, so recovered
 * entries can be applied in any order and any number of times. {@link #params()} is sorted by
 * address, so two snapshots of the same state are identical.
 *
 * <pre>{@code
 * InMemoryParamStore store = new InMemoryParamStore();
 * store.set("/lights/room1/brightness", Value.of(0.75), 3, "session-abc", nowMicros);
 * store.get("/lights/room1/brightness").map(ParamSnapshot::revision);   // Optional[3]
 * }</pre>
 */
public final class InMemoryParamStore implements ParamStore {

    private static final Comparator<ParamSnapshot> BY_ADDRESS =
            Comparator.comparing(ParamSnapshot::address);

    private final ConcurrentHashMap<String, ParamSnapshot> params = new ConcurrentHashMap<>();

    /** Creates an empty store. */
    public InMemoryParamStore() {}

    /**
     * Stores a param's new state unconditionally, replacing whatever the store held for the
     * address, whatever its revision: the router decides revisions, this store only keeps them.
     *
     * @param address the param's address, starting with {@code /}
     * @param value the new value, not null
     * @param revision the param's revision after this write, not negative
     * @param writer the session or entity that wrote it, not null
     * @param timestampMicros the time of the write in microseconds since the epoch, not negative
     * @return the stored state
     * @throws NullPointerException if {@code address}, {@code value} or {@code writer} is null
     * @throws IllegalArgumentException if the address does not start with {@code /}, or the
     *     revision or timestamp is negative (a journal would refuse such a state in a snapshot)
     */
    public ParamSnapshot set(String address, Value value, long revision, String writer,
            long timestampMicros) {
        ParamSnapshot param = checked(new ParamSnapshot(address, value, revision, writer, timestampMicros));
        params.put(address, param);
        return param;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Atomic: of concurrent restores of one param, the highest revision is kept.
     *
     * @throws IllegalArgumentException if the address does not start with {@code /}, or the
     *     revision or timestamp is negative
     */
    @Override
    public void restore(ParamSnapshot param) {
        checked(Objects.requireNonNull(param, "param"));
        params.merge(param.address(), param,
                (held, offered) -> offered.revision() > held.revision() ? offered : held);
    }

    /**
     * Returns the current state of one param.
     *
     * @param address the param's address, not null
     * @return the state, or empty if the store holds nothing for that address
     * @throws NullPointerException if {@code address} is null
     */
    public Optional<ParamSnapshot> get(String address) {
        return Optional.ofNullable(params.get(Objects.requireNonNull(address, "address")));
    }

    /**
     * Returns the number of params held.
     *
     * @return the count
     */
    public int size() {
        return params.size();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sorted by address. Taken without blocking writers: a param changed during the call
     * appears with its old or its new state.
     *
     * @return an immutable list, sorted by address
     */
    @Override
    public List<ParamSnapshot> params() {
        ParamSnapshot[] all = params.values().toArray(new ParamSnapshot[0]);
        Arrays.sort(all, BY_ADDRESS);
        return List.of(all);
    }

    @Override
    public String toString() {
        return "InMemoryParamStore[size=" + params.size() + "]";
    }

    private static ParamSnapshot checked(ParamSnapshot p) {
        if (p.address().isEmpty() || p.address().charAt(0) != '/') {
            throw new IllegalArgumentException("address must start with '/': '" + p.address() + "'");
        }
        if (p.revision() < 0) {
            throw new IllegalArgumentException("revision must not be negative: " + p.revision());
        }
        if (p.timestamp() < 0) {
            throw new IllegalArgumentException("timestamp must not be negative: " + p.timestamp());
        }
        return p;
    }
}
