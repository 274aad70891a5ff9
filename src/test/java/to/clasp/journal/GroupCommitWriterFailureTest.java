package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.Function;
import to.clasp.journal.internal.sql.GroupCommitWriter;
import to.clasp.journal.internal.sql.SqlRows;
import to.clasp.journal.internal.sqlite.SqliteSchema;
import to.clasp.journal.internal.sqlite.SqliteWriteBackend;

/**
 * The writer outlives failures that come out of the driver. An {@link Error} thrown in a SQL
 * function called by a trigger reaches the writer as a SQLException, and the driver closes the
 * statement that ran it: the failing write must fail alone, and the writer must go on.
 */
class GroupCommitWriterFailureTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aWriteThatBreaksTheDriversStatementFailsAloneAndTheWriterGoesOn() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"))) {
            SqliteSchema.prepare(c, true, "NORMAL");
            // A trigger that calls into Java, which throws an Error for one address.
            Function.create(c, "explode", new Function() {
                @Override
                protected void xFunc() {
                    throw new StackOverflowError("injected");
                }
            });
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TRIGGER explode_on_boom BEFORE INSERT ON journal_entries"
                        + " WHEN NEW.address = '/boom' BEGIN SELECT explode(); END");
            }
            GroupCommitWriter writer = SqliteWriteBackend.start(c, null, "w.db", null, 1024, 3, null, null);
            try {
                List<CompletableFuture<Long>> before = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    before.add(writer.append(encode("/before")));
                }
                CompletableFuture<Long> boom = writer.append(encode("/boom"));
                List<CompletableFuture<Long>> after = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    after.add(writer.append(encode("/after")));
                }

                assertThat(assertFails(boom, JournalException.Storage.class)).hasMessageContaining("/boom");
                List<Long> seqs = new ArrayList<>();
                for (CompletableFuture<Long> f : before) {
                    seqs.add(await(f));
                }
                for (CompletableFuture<Long> f : after) {
                    seqs.add(await(f));
                }
                // Every other write committed, with dense seqs: the failed one took none.
                assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, 400).boxed().toList());
                assertThat(await(writer.append(encode("/later")))).isEqualTo(401);
            } finally {
                writer.close();
                writer.closeStatements();
            }
        }
    }

    private static SqlRows.EncodedEntry encode(String address) {
        return SqlRows.encode(JournalEntry.fromSet(address, Value.of(1), 1, "me", T0), null);
    }
}
