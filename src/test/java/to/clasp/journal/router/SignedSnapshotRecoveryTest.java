package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.router.Await.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;
import to.clasp.journal.router.RecoveryReport.SnapshotStatus;

/**
 * Recovery from a signed journal whose snapshot was edited: the snapshot is reported
 * UNREADABLE and the params are rebuilt from the entries, so a moved {@code seq_at} cannot make
 * recovery skip entries and an edited param cannot win.
 */
class SignedSnapshotRecoveryTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private final ConcurrentLinkedQueue<JournalFailure> heard = new ConcurrentLinkedQueue<>();

    private static byte[] key() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 5);
        return key;
    }

    private SqliteJournal open(Path file) {
        return SqliteJournal.builder(file).hmacKey(key()).build();
    }

    /** 20 SETs, a snapshot at seq 20, 10 more SETs; returns the router's params. */
    private List<ParamSnapshot> run(Path file) {
        InMemoryParamStore store = new InMemoryParamStore();
        try (SqliteJournal journal = open(file)) {
            RouterJournalHook hook = RouterJournalHook.builder(journal).errorListener(heard::add).build();
            for (int i = 0; i < 30; i++) {
                if (i == 20) {
                    assertThat(await(hook.saveSnapshot(store))).isEqualTo(20);
                }
                String address = "/p/" + (i % 5);
                store.set(address, Value.of(i), i + 1, "s", T0 + i);
                await(hook.recordSet(address, Value.of(i), i + 1, "s"));
            }
        }
        return withoutTimes(store.params());
    }

    /** The params without their timestamps, which the hook takes from its own clock. */
    private static List<ParamSnapshot> withoutTimes(List<ParamSnapshot> params) {
        return params.stream().map(p -> new ParamSnapshot(p.address(), p.value(), p.revision(), p.writer(), 0))
                .toList();
    }

    private static void sql(Path file, String update) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(update)).isEqualTo(1);
        }
    }

    @Test
    void anUntouchedSignedSnapshotIsLoaded() {
        Path file = dir.resolve("journal.db");
        List<ParamSnapshot> expected = run(file);
        try (SqliteJournal journal = open(file)) {
            InMemoryParamStore recovered = new InMemoryParamStore();
            RecoveryReport report = await(RouterJournalHook.builder(journal).errorListener(heard::add).build()
                    .recover(recovered));
            assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.LOADED);
            assertThat(report.entriesReplayed()).isEqualTo(10);
            assertThat(withoutTimes(recovered.params())).isEqualTo(expected);
        }
        assertThat(heard).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "UPDATE snapshots SET seq_at = 30",
        "UPDATE snapshots SET data_exact = NULL, data_json = replace(data_json, '\"revision\":16', '\"revision\":99')",
    })
    void anEditedSnapshotIsUnreadableAndRecoveryRebuildsFromEveryEntry(String edit) throws Exception {
        Path file = dir.resolve("journal.db");
        List<ParamSnapshot> expected = run(file);
        sql(file, edit);
        try (SqliteJournal journal = open(file)) {
            InMemoryParamStore recovered = new InMemoryParamStore();
            RecoveryReport report = await(RouterJournalHook.builder(journal).errorListener(heard::add).build()
                    .recover(recovered));
            assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.UNREADABLE);
            assertThat(report.snapshotError()).get().extracting(Throwable::getMessage).asString()
                    .contains("integrity");
            assertThat(report.entriesReplayed()).isEqualTo(30);
            assertThat(report.complete()).isTrue();
            assertThat(withoutTimes(recovered.params())).isEqualTo(expected);
        }
    }
}
