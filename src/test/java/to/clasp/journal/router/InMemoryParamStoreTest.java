package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Value;

class InMemoryParamStoreTest {

    private static final long T0 = 1_708_500_000_000_000L;

    private final InMemoryParamStore store = new InMemoryParamStore();

    private static ParamSnapshot param(String address, long value, long revision) {
        return new ParamSnapshot(address, Value.of(value), revision, "w" + revision, T0 + revision);
    }

    @Test
    void newStoreIsEmpty() {
        assertThat(store.size()).isZero();
        assertThat(store.params()).isEmpty();
        assertThat(store.get("/a")).isEmpty();
    }

    @Test
    void setStoresWhatItIsGivenEvenAtALowerRevision() {
        store.set("/a", Value.of(1), 5, "w5", T0);
        ParamSnapshot lower = store.set("/a", Value.of(2), 3, "w3", T0 + 1);

        assertThat(lower).isEqualTo(new ParamSnapshot("/a", Value.of(2), 3, "w3", T0 + 1));
        assertThat(store.get("/a")).contains(lower);
        assertThat(store.size()).isOne();
    }

    @Test
    void restoreKeepsTheHigherRevisionAndIgnoresEqualOrLower() {
        store.restore(param("/a", 1, 2));
        store.restore(param("/a", 9, 1));
        assertThat(store.get("/a")).contains(param("/a", 1, 2));

        ParamSnapshot sameRevisionOtherValue = new ParamSnapshot("/a", Value.of(7), 2, "other", T0);
        store.restore(sameRevisionOtherValue);
        assertThat(store.get("/a")).contains(param("/a", 1, 2));

        store.restore(param("/a", 3, 3));
        assertThat(store.get("/a")).contains(param("/a", 3, 3));
    }

    @Test
    void paramsAreSortedByAddressAndImmutable() {
        store.set("/b", Value.of(1), 1, "w", T0);
        store.set("/a/z", Value.of(2), 1, "w", T0);
        store.set("/a", Value.of(3), 1, "w", T0);

        List<ParamSnapshot> params = store.params();

        assertThat(params).extracting(ParamSnapshot::address).containsExactly("/a", "/a/z", "/b");
        assertThatThrownBy(() -> params.add(param("/c", 1, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(store.params()).isEqualTo(params);
    }

    @Test
    void rejectsNullsAndStatesNoJournalWouldAccept() {
        assertThatThrownBy(() -> store.set(null, Value.of(1), 1, "w", T0))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.set("/a", null, 1, "w", T0))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.set("/a", Value.of(1), 1, null, T0))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.set("a", Value.of(1), 1, "w", T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> store.set("", Value.of(1), 1, "w", T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.set("/a", Value.of(1), -1, "w", T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("revision");
        assertThatThrownBy(() -> store.set("/a", Value.of(1), 1, "w", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
        assertThatThrownBy(() -> store.restore(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.restore(param("x", 1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get(null)).isInstanceOf(NullPointerException.class);

        assertThat(store.size()).isZero();
    }

    @Test
    void concurrentRestoresKeepTheHighestRevisionOfEveryParam() throws Exception {
        int params = 50;
        int revisions = 400;
        List<ParamSnapshot> all = new ArrayList<>();
        for (int p = 0; p < params; p++) {
            for (int r = 1; r <= revisions; r++) {
                all.add(param("/p/" + p, r, r));
            }
        }
        Collections.shuffle(all, new java.util.Random(42));

        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            int chunk = all.size() / threads;
            for (int t = 0; t < threads; t++) {
                List<ParamSnapshot> mine = all.subList(t * chunk, (t + 1) * chunk);
                done.add(pool.submit(() -> mine.forEach(store::restore)));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.size()).isEqualTo(params);
        for (int p = 0; p < params; p++) {
            assertThat(store.get("/p/" + p)).contains(param("/p/" + p, revisions, revisions));
        }
    }
}
