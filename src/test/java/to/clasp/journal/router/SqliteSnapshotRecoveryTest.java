package to.clasp.journal.router;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.router.Await.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;
import to.clasp.journal.router.RecoveryReport.SnapshotStatus;

/** A stored snapshot whose params no router would accept is reported unreadable, not thrown. */
class SqliteSnapshotRecoveryTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aSnapshotWithAnInvalidAddressIsUnreadableAndRecoveryRebuildsFromTheEntries() throws Exception {
        Path file = dir.resolve("journal.db");
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "w", T0)));
            await(journal.append(JournalEntry.fromSet("/b", Value.of(2), 1, "w", T0 + 1)));
            await(journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(1), 1, "w", T0),
                    new ParamSnapshot("/b", Value.of(2), 1, "w", T0 + 1))));
            await(journal.append(JournalEntry.fromSet("/a", Value.of(3), 2, "w", T0 + 2)));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE snapshots SET data_exact = NULL, data_json = "
                    + "'[{\"address\":\"a\",\"value\":1,\"revision\":1,\"writer\":\"w\",\"timestamp\":1}]'");
        }
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            InMemoryParamStore store = new InMemoryParamStore();
            RecoveryReport report = await(new RouterJournalHook(journal).recover(store));

            assertThat(report.snapshotStatus()).isEqualTo(SnapshotStatus.UNREADABLE);
            assertThat(report.snapshotError()).get().isInstanceOf(JournalException.Snapshot.class);
            assertThat(report.entriesReplayed()).isEqualTo(3);
            assertThat(store.params()).extracting(ParamSnapshot::address, ParamSnapshot::value)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("/a", Value.of(3)),
                            org.assertj.core.groups.Tuple.tuple("/b", Value.of(2)));
        }
    }
}
