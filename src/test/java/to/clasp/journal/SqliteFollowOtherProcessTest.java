package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.SqliteTestSupport.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second JVM appends to the file this one follows, while this one appends too: the followers
 * get every entry of both, exactly once, in seq order, and the other process's entries exactly
 * as it wrote them.
 */
class SqliteFollowOtherProcessTest {

    private static final int REPORTED = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void entriesAnotherProcessCommitsAreDeliveredInOrderBesideOurOwn() throws Exception {
        Path file = dir.resolve("shared.db");
        try (SqliteJournal journal = SqliteJournal.builder(file)
                .followPollInterval(Duration.ofMillis(20)).build()) {
            await(journal.append(CrashWriterMain.entry(-1)));
            TestFollower all = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(all);
            TestFollower one = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/crash/3"), 0).subscribe(one);

            Process writer = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashWriterMain.class.getName(),
                    file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Map<Long, Long> reported = new HashMap<>(); // seq -> index
            List<CompletableFuture<Long>> ours = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (reported.size() < REPORTED && (line = lines.readLine()) != null) {
                    String[] parts = line.split(" ");
                    reported.put(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
                    if (reported.size() % 10 == 0) {
                        ours.add(journal.append(JournalEntry.fromPublish("/local/" + reported.size(),
                                SignalType.EVENT, Value.of(reported.size()), "here", 1L)));
                    }
                }
            } finally {
                writer.destroyForcibly();
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(reported).as("seqs reported by the other process").hasSize(REPORTED);
            ours.forEach(f -> await(f));

            List<JournalEntry> stored = await(journal.since(0, null));
            long latest = await(journal.latestSeq());
            assertThat(stored).hasSize((int) latest);
            all.awaitCount(stored.size(), WAIT);
            assertThat(all.received()).containsExactlyElementsOf(stored);
            for (Map.Entry<Long, Long> r : reported.entrySet()) {
                assertThat(all.received().get((int) (r.getKey() - 1)))
                        .isEqualTo(CrashWriterMain.entry(r.getValue()).withSeq(r.getKey()));
            }
            List<JournalEntry> crash3 = stored.stream().filter(e -> e.address().equals("/crash/3")).toList();
            one.awaitCount(crash3.size(), WAIT);
            assertThat(one.received()).containsExactlyElementsOf(crash3);
            assertThat(all.violations()).isEmpty();
            assertThat(one.violations()).isEmpty();
        }
    }

    @Test
    void thePollIntervalMustBePositive() {
        SqliteJournal.Builder builder = SqliteJournal.builder(dir.resolve("never.db"));
        assertThatThrownBy(() -> builder.followPollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("followPollInterval");
        assertThatThrownBy(() -> builder.followPollInterval(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.followPollInterval(null)).isInstanceOf(NullPointerException.class);
        assertThat(dir.resolve("never.db")).doesNotExist();
    }
}
