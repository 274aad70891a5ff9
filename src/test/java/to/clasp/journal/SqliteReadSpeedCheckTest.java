package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.internal.sqlite.SqliteReadPool;

/**
 * The read pool's speed check: while the pool is young, a read connection found clearly slower
 * than a new one (as one whose monitor HotSpot inflated is) is replaced, and reads go on.
 */
class SqliteReadSpeedCheckTest {

    @TempDir
    Path dir;

    private SqliteJournal journalWith(int entries) {
        SqliteJournal j = SqliteJournal.open(dir.resolve("j.db"));
        for (int i = 1; i <= entries; i++) {
            j.append(JournalEntry.fromSet("/p/" + (i % 5), Value.of(i), i, "s", 1_000 + i)).join();
        }
        return j;
    }

    /** A probe under which the connections it has seen first are slow, and later ones fast. */
    private static final class FirstIsSlow implements SqliteReadPool.SpeedProbe {
        final Set<Connection> slow = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<Connection> seen = new ArrayList<>();

        @Override
        public synchronized long nanos(Connection c) throws SQLException {
            if (seen.isEmpty()) {
                slow.add(c);
            }
            if (!seen.contains(c)) {
                seen.add(c);
            }
            return slow.contains(c) ? 2_000 : 1_000;
        }
    }

    @Test
    void aConnectionFoundSlowIsReplacedAndReadsGoOn() throws Exception {
        try (SqliteJournal j = journalWith(50)) {
            SqliteReadPool pool = j.readers();
            FirstIsSlow probe = new FirstIsSlow();
            pool.speedProbe(probe);
            int open = pool.openConnections();
            for (int i = 0; i < SqliteReadPool.CHECK_EVERY + 5; i++) {
                assertThat(j.since(40, null).join()).extracting(JournalEntry::seq)
                        .containsExactly(41L, 42L, 43L, 44L, 45L, 46L, 47L, 48L, 49L, 50L);
            }
            assertThat(pool.replacedForSpeed()).isEqualTo(1);
            assertThat(pool.openConnections()).isEqualTo(open);
            Connection old = probe.seen.get(0);
            Connection replacement = probe.seen.get(1);
            assertThat(old.isClosed()).as("the slow connection is closed").isTrue();
            assertThat(replacement.isClosed()).as("the new one serves reads").isFalse();
        }
    }

    @Test
    void aConnectionAsFastAsANewOneIsKeptAndTheComparisonOneClosed() throws Exception {
        try (SqliteJournal j = journalWith(20)) {
            SqliteReadPool pool = j.readers();
            List<Connection> seen = new ArrayList<>();
            pool.speedProbe(c -> {
                synchronized (seen) {
                    if (!seen.contains(c)) {
                        seen.add(c);
                    }
                }
                return 1_000;
            });
            for (int i = 0; i < SqliteReadPool.CHECK_EVERY * 2; i++) {
                assertThat(j.since(10, null).join()).hasSize(10);
            }
            assertThat(pool.replacedForSpeed()).isZero();
            assertThat(seen).hasSize(3); // the reader, and one new connection per check
            assertThat(seen.get(0).isClosed()).isFalse();
            assertThat(seen.get(1).isClosed()).isTrue();
            assertThat(seen.get(2).isClosed()).isTrue();
        }
    }

    @Test
    void aFailedCheckKeepsTheConnection() {
        try (SqliteJournal j = journalWith(10)) {
            SqliteReadPool pool = j.readers();
            pool.speedProbe(c -> {
                throw new SQLException("cannot measure");
            });
            for (int i = 0; i < SqliteReadPool.CHECK_EVERY + 1; i++) {
                assertThat(j.since(0, null).join()).hasSize(10);
            }
            assertThat(pool.replacedForSpeed()).isZero();
        }
    }

    @Test
    void noCheckOnceThePoolStopsWatching() {
        try (SqliteJournal j = journalWith(10)) {
            SqliteReadPool pool = j.readers();
            pool.speedProbe(new FirstIsSlow());
            pool.watching(false);
            for (int i = 0; i < SqliteReadPool.CHECK_EVERY * 2; i++) {
                j.since(0, null).join();
            }
            assertThat(pool.replacedForSpeed()).isZero();
        }
    }

    @Test
    void slowMeansClearlySlower() {
        assertThat(SqliteReadPool.isSlow(1_300, 1_000)).isTrue();
        assertThat(SqliteReadPool.isSlow(1_200, 1_000)).isFalse();
        assertThat(SqliteReadPool.isSlow(1_000, 1_000)).isFalse();
        assertThat(SqliteReadPool.isSlow(900, 1_000)).isFalse();
    }

    @Test
    void theRealProbeMeasuresAConnection() throws Exception {
        try (SqliteJournal j = journalWith(1)) {
            List<Long> measured = new ArrayList<>();
            j.readers().forEachIdle(c -> {
                try {
                    measured.add(SqliteReadPool.probe(c));
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(measured).isNotEmpty().allSatisfy(n -> assertThat(n).isPositive().isLessThan(Long.MAX_VALUE));
        }
    }
}
