package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.SqliteJournal;

/** The demo, in-process, on a small size: a child JVM is killed and this one recovers. */
class CliDemoTest {

    @TempDir
    Path dir;

    @Test
    void demoCrashesARouterAndRecoversEveryAcknowledgedSet() {
        Path db = dir.resolve("demo.db");
        Cli.Result r = Cli.run("demo", "--db", db.toString(), "--params", "40", "--sets", "1500");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("1. Recording. A router process records SETs of 40 params")
                .contains("acknowledged SETs: 50% (750 of 1,500)")
                .contains("2. Crash. The router was killed with SIGKILL (exit 137)")
                .contains("3. Recovery, in this process:")
                .contains("4. Check passed: every acknowledged SET is in the recovered state.")
                .contains("Try next, on the file the demo left (" + db + "):")
                .contains("stats " + db);
        assertThat(r.out()).containsPattern("restored the snapshot at seq \\d+ \\(40 params\\)|no snapshot yet");
        assertThat(r.out()).containsPattern("Recovery, in this process: loaded SQLite in \\d+ ms \\(once per JVM\\), "
                + "opened the file in \\d+ ms and rebuilt 40 params in \\d+ ms:");
        try (SqliteJournal j = SqliteJournal.openReadOnly(db)) {
            assertThat(j.latestSeq().join()).isGreaterThanOrEqualTo(1_500);
        }
        assertThat(Cli.run("stats", db.toString()).code()).isZero();
    }

    @Test
    void demoRefusesAnExistingFile() throws Exception {
        Path db = Files.writeString(dir.resolve("mine.db"), "keep me");
        Cli.Result r = Cli.run("demo", "--db", db.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("already exists");
        assertThat(Files.readString(db)).isEqualTo("keep me");
    }
}
