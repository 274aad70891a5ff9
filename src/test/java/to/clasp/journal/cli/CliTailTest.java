package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.SignalType;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

/** tail: the last N matching entries, and with -f every new one, exactly once. */
class CliTailTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void lastNMatching() {
        Path file = Cli.fixture("journal.db", dir);
        Cli.Result r = Cli.run("tail", file.toString(), "/sensors/**", "-n", "2", "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().lines().map(l -> l.substring(0, l.indexOf(','))).toList())
                .containsExactly("{\"seq\":26", "{\"seq\":28");
        Cli.Result all = Cli.run("tail", file.toString());
        assertThat(all.out().lines()).hasSize(11);
        assertThat(all.out().lines().skip(1).map(l -> l.strip().split(" +")[0]).toList())
                .containsExactly("19", "20", "21", "22", "23", "24", "25", "26", "27", "28");
    }

    @Test
    void followPrintsExactlyTheNewMatchingEntries() throws Exception {
        Path file = dir.resolve("live.db");
        try (SqliteJournal writer = SqliteJournal.open(file)) {
            for (int i = 1; i <= 5; i++) {
                writer.append(JournalEntry.fromSet("/lights/" + i, Value.of(i), i, "old", T0 + i)).join();
            }
            StringWriter out = new StringWriter();
            AtomicInteger code = new AtomicInteger(-1);
            Thread tail = new Thread(() -> code.set(ClaspJournalCli.run(new PrintWriter(out, true),
                    new PrintWriter(new StringWriter(), true), false,
                    "tail", file.toString(), "/lights/**", "-n", "2", "-f", "--json", "--poll-ms", "20")));
            tail.start();
            Cli.waitUntil(Duration.ofSeconds(30), () -> out.toString().lines().count() == 2);

            // Another thread appends, matching and not, while tail follows.
            List<Long> expected = new ArrayList<>();
            Thread appender = new Thread(() -> {
                for (int i = 0; i < 300; i++) {
                    String address = i % 3 == 0 ? "/audio/" + i : "/lights/new/" + i;
                    long seq = writer.append(JournalEntry.fromPublish(address, SignalType.EVENT, Value.of(i), "new",
                            T0 + 100 + i)).join();
                    if (i % 3 != 0) {
                        synchronized (expected) {
                            expected.add(seq);
                        }
                    }
                }
            });
            appender.start();
            appender.join();
            Cli.waitUntil(Duration.ofSeconds(30), () -> out.toString().lines().count() == 2 + 200);
            Thread.sleep(200); // nothing more may come
            tail.interrupt();
            tail.join(30_000);
            assertThat(tail.isAlive()).isFalse();
            assertThat(code.get()).isZero();

            List<Long> seqs = out.toString().lines()
                    .map(l -> Long.parseLong(l.substring("{\"seq\":".length(), l.indexOf(','))))
                    .toList();
            List<Long> want = new ArrayList<>(List.of(4L, 5L));
            want.addAll(expected);
            assertThat(seqs).containsExactlyElementsOf(want);
        }
    }
}
