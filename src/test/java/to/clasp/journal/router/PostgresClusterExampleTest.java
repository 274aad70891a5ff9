package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.PostgresTestSupport;
import to.clasp.journal.Value;

/**
 * The cluster of routers of docs/postgresql.md: two routers record into one schema, a
 * third recovers from it, and a standby that follows with {@code since} ends up with every
 * router's state.
 */
class PostgresClusterExampleTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    private static PostgresJournal open(String schema) {
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).build();
    }

    @Test
    void routersShareOneJournalAndAStandbyFollowsThemAll() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal routerA = open(schema); PostgresJournal routerB = open(schema);
                PostgresJournal standbyJournal = open(schema)) {
            InMemoryParamStore paramsA = new InMemoryParamStore();
            InMemoryParamStore paramsB = new InMemoryParamStore();
            RouterJournalHook hookA = new RouterJournalHook(routerA);
            RouterJournalHook hookB = new RouterJournalHook(routerB);
            assertThat(hookA.recover(paramsA).join().lastSeq()).isZero();

            // The standby starts before the traffic, from the state so far (none).
            InMemoryParamStore standby = new InMemoryParamStore();
            RecoveryReport report = new RouterJournalHook(standbyJournal).recover(standby).join();
            long lastSeen = report.lastSeq();

            for (int i = 0; i < 200; i++) {
                InMemoryParamStore store = i % 2 == 0 ? paramsA : paramsB;
                RouterJournalHook hook = i % 2 == 0 ? hookA : hookB;
                String address = "/lights/room" + (i % 20) + "/level";
                store.set(address, Value.of(i), i + 1, "s" + (i % 2), T0 + i);
                hook.recordSet(address, Value.of(i), i + 1, "s" + (i % 2)).join();
            }

            List<JournalEntry> seen = new ArrayList<>();
            for (int polls = 0; polls < 100 && lastSeen < 200; polls++) {
                List<JournalEntry> next = standbyJournal.since(lastSeen, 64).join();
                for (JournalEntry e : next) {
                    if (e.isSet()) {
                        standby.restore(new ParamSnapshot(e.address(), e.value(), e.revision().getAsLong(),
                                e.author(), e.timestamp()));
                    }
                    seen.add(e);
                    lastSeen = e.seq();
                }
            }
            assertThat(seen).hasSize(200);

            // A router that restarts recovers what both recorded.
            InMemoryParamStore restarted = new InMemoryParamStore();
            RecoveryReport recovered = new RouterJournalHook(open(schema)).recover(restarted).join();
            assertThat(recovered.lastSeq()).isEqualTo(200);
            assertThat(restarted.params()).extracting(ParamSnapshot::address, ParamSnapshot::value)
                    .containsExactlyInAnyOrderElementsOf(standby.params().stream()
                            .map(p -> org.assertj.core.groups.Tuple.tuple(p.address(), p.value())).toList());
            assertThat(standby.params()).hasSize(20);
            for (ParamSnapshot p : standby.params()) {
                // The last SET of room r was i = 180 + r, from either router.
                int room = Integer.parseInt(p.address().replaceAll("\\D", ""));
                assertThat(p.value()).isEqualTo(Value.of(180 + room));
            }
        }
    }
}
