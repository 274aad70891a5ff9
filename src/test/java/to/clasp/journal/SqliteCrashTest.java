package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second JVM appends and reports each seq once its future completes; it is killed with
 * SIGKILL mid-stream. Every reported entry must be in the file afterwards, exactly, and
 * appending must go on after the highest seq.
 */
class SqliteCrashTest {

    private static final int REPORTED = 2_000;

    @TempDir
    Path dir;

    @RepeatedTest(3)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyCommittedAppendSurvivesAKill() throws Exception {
        Path file = dir.resolve("crash.db");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashWriterMain.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Map<Long, Long> reported = new HashMap<>(); // seq -> index
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (reported.size() < REPORTED && (line = lines.readLine()) != null) {
                String[] parts = line.split(" ");
                reported.put(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            }
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            writer.destroyForcibly();
        }
        assertThat(reported).as("seqs reported before the kill").hasSize(REPORTED);

        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long latest = await(journal.latestSeq());
            long highest = reported.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(latest).isGreaterThanOrEqualTo(highest);
            List<JournalEntry> stored = await(journal.since(0, null));
            assertThat(stored).extracting(JournalEntry::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, latest).boxed().toList());
            for (Map.Entry<Long, Long> r : reported.entrySet()) {
                JournalEntry expected = CrashWriterMain.entry(r.getValue()).withSeq(r.getKey());
                assertThat(stored.get((int) (r.getKey() - 1))).isEqualTo(expected);
            }
            assertThat(await(journal.append(CrashWriterMain.entry(-1)))).isEqualTo(latest + 1);
        }
    }
}
