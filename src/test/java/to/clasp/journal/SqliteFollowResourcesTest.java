package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static to.clasp.journal.SqliteTestSupport.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A thousand streams that read the file leave no connection (and so no statement) behind. */
class SqliteFollowResourcesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aThousandStreamsReadingStorageShareTheBoundedReadPool() {
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("many.db"))) {
            for (int i = 0; i < 2_000; i++) {
                journal.append(JournalEntry.fromPublish("/r/" + (i % 40), SignalType.EVENT, Value.of(i),
                        "me", 1L));
            }
            await(journal.append(JournalEntry.fromPublish("/r/x", SignalType.EVENT, Value.NULL, "me", 1L)));
            int poolMax = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
            List<TestFollower> followers = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                TestFollower f = TestFollower.unbounded();
                journal.follow(JournalQuery.of("/r/" + (i % 40)), 0).subscribe(f); // each reads the file
                followers.add(f);
            }
            for (int i = 0; i < 1_000; i++) {
                followers.get(i).awaitCount(50, WAIT);
                assertThat(followers.get(i).seqs()).hasSize(50).isSorted();
                assertThat(journal.readers().openConnections()).isLessThanOrEqualTo(poolMax);
            }
            followers.forEach(TestFollower::cancel);
            assertThat(journal.readers().openConnections()).isBetween(1, poolMax);
            assertThat(await(journal.size())).isEqualTo(2_001);
        }
    }
}
