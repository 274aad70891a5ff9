package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two journals in two other JVMs append 20,000 entries each to one schema at the same time,
 * while a third journal here follows with {@code since(lastSeen)}: it must see all 40,000, each
 * once, in seq order, with no seq skipped (an entry it skipped could never show up later), and
 * each writer's entries in its call order. With an HMAC key (fewer entries, to keep the suite
 * fast), the two writers' entries also form one chain, which the whole-journal check verifies.
 */
class PostgresMultiWriterTest {


    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    /** A writer process and everything it printed, read as it goes so that it never blocks. */
    private record Writer(Process process, CompletableFuture<String> output) {}

    private static Writer writer(String schema, String name, int count, boolean keyed) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PostgresWriterMain.class.getName(),
                schema, name, Integer.toString(count), keyed ? "keyed" : "plain")
                .redirectErrorStream(true)
                .start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        return new Writer(p, output);
    }

    private static String outputs(List<Writer> writers) {
        StringBuilder sb = new StringBuilder();
        for (Writer w : writers) {
            sb.append(w.output().getNow("(still running)")).append('\n');
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "keyed: {0}, {1} entries per writer")
    @CsvSource({"false, 20000", "true, 5000"})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void twoProcessesAppendAndAFollowerSeesEveryEntryOnceInSeqOrder(boolean keyed, int perWriter) throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        // All three open (and so create) the schema at the same moment.
        List<Writer> writers = List.of(writer(schema, "w1", perWriter, keyed), writer(schema, "w2", perWriter, keyed));
        try (PostgresJournal follower = PostgresJournal.builder(PostgresTestSupport.dataSource())
                .schema(schema).hmacKey(keyed ? SqliteTestSupport.key(9) : null).build()) {
            long lastSeen = 0;
            Map<String, Long> nextValue = new HashMap<>(Map.of("w1", 0L, "w2", 0L));
            int emptyPolls = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (lastSeen < 2L * perWriter && System.nanoTime() < deadline) {
                List<JournalEntry> batch = follower.since(lastSeen, 3_000).get(30, TimeUnit.SECONDS);
                for (JournalEntry e : batch) {
                    assertThat(e.seq()).as("the seq after %d", lastSeen).isEqualTo(lastSeen + 1);
                    long value = ((Value.Int) e.value()).value();
                    assertThat(value).as("%s's next value", e.author()).isEqualTo(nextValue.get(e.author()));
                    nextValue.put(e.author(), value + 1);
                    lastSeen = e.seq();
                }
                if (batch.isEmpty()) {
                    emptyPolls++;
                    Thread.sleep(5);
                }
            }
            assertThat(lastSeen).as("entries seen; the writers printed: %s", outputs(writers))
                    .isEqualTo(2L * perWriter);
            assertThat(nextValue).containsEntry("w1", (long) perWriter).containsEntry("w2", (long) perWriter);
            assertThat(emptyPolls).as("polls that found nothing new (the follower ran alongside)").isPositive();
            for (Writer w : writers) {
                assertThat(w.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
                String output = w.output().get(30, TimeUnit.SECONDS);
                assertThat(w.process().exitValue()).as(output).isZero();
                assertThat(output).contains("done");
            }
            assertThat(follower.since(lastSeen, null).get(30, TimeUnit.SECONDS)).isEmpty();
            assertThat(follower.latestSeq().get(30, TimeUnit.SECONDS)).isEqualTo(2L * perWriter);
            assertThat(follower.size().get(30, TimeUnit.SECONDS)).isEqualTo(2L * perWriter);
            if (keyed) {
                assertThat(follower.verifyIntegrity().get(60, TimeUnit.SECONDS)).isEqualTo(2L * perWriter);
            }
        } finally {
            writers.forEach(w -> w.process().destroyForcibly());
        }
    }
}
