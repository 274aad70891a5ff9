package to.clasp.journal.router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import to.clasp.journal.Journal;
import to.clasp.journal.SignalType;
import to.clasp.journal.Value;

/**
 * A router as the hook sees it, for one thread: it assigns revisions, applies each SET to its
 * store and then records it, and stamps both with the same time.
 */
final class SimulatedRouter {

    static final long T0 = 1_708_500_000_000_000L;

    final InMemoryParamStore store = new InMemoryParamStore();
    final RouterJournalHook hook;
    private final AtomicLong now = new AtomicLong(T0);
    private final Map<String, Long> revisions = new HashMap<>();
    private final List<CompletableFuture<Long>> pending = new ArrayList<>();
    private long sets;
    private long publishes;

    SimulatedRouter(Journal journal) {
        this(journal, (builder, store) -> builder);
    }

    /** A router whose hook gets further options, which may refer to the router's store. */
    SimulatedRouter(Journal journal,
            BiFunction<RouterJournalHook.Builder, ParamStore, RouterJournalHook.Builder> options) {
        this.hook = options.apply(RouterJournalHook.builder(journal).clock(now::get), store).build();
    }

    void set(String address, Value value, String author) {
        long revision = revisions.merge(address, 1L, Long::sum);
        long ts = now.addAndGet(7);
        store.set(address, value, revision, author, ts);
        pending.add(hook.recordSet(address, value, revision, author));
        sets++;
    }

    void publish(String address, SignalType type, Value value, String author) {
        now.addAndGet(3);
        pending.add(hook.recordPublish(address, type, value, author));
        publishes++;
    }

    /**
     * Makes {@code count} SETs of params picked at random, with a PUBLISH after about one in four.
     */
    void traffic(Random rng, List<String> params, int count) {
        for (int i = 0; i < count; i++) {
            String address = params.get(rng.nextInt(params.size()));
            set(address, someValue(rng), "session-" + rng.nextInt(8));
            if (rng.nextInt(4) == 0) {
                SignalType type = SignalType.values()[1 + rng.nextInt(SignalType.values().length - 1)];
                publish("/events/" + rng.nextInt(20), type, someValue(rng), "session-" + rng.nextInt(8));
            }
        }
    }

    /** Waits until everything recorded so far is in the journal; fails if any record failed. */
    void flush() {
        for (CompletableFuture<Long> f : pending) {
            Await.await(f);
        }
        pending.clear();
    }

    long sets() {
        return sets;
    }

    long publishes() {
        return publishes;
    }

    static List<String> params(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add("/zone" + (i % 10) + "/device" + i + "/level");
        }
        return out;
    }

    static Value someValue(Random rng) {
        switch (rng.nextInt(8)) {
            case 0: return Value.of(rng.nextLong());
            case 1: return Value.of(rng.nextDouble());
            case 2: return Value.of("v" + rng.nextInt(1000));
            case 3: return Value.of(rng.nextBoolean());
            case 4: return Value.of(new byte[] {(byte) rng.nextInt(), 0, (byte) 255});
            case 5: return Value.of(List.of(Value.of(1.0), Value.NULL, Value.of(Double.NaN)));
            case 6: return Value.of(Map.of("k", Value.of(rng.nextInt(10))));
            default: return Value.NULL;
        }
    }
}
