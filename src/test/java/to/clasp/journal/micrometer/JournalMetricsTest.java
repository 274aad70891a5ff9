package to.clasp.journal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalException;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.JournalStats;
import to.clasp.journal.MemoryJournal;
import to.clasp.journal.SignalType;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.Value;

class JournalMetricsTest {

    /** A nanosecond figure that went through Micrometer's seconds-as-double: less than half a nanosecond off. */
    private static final double NANOSECOND_ROUNDING = 0.5;

    private static final long T0 = 1_708_500_000_000_000L;

    @TempDir
    Path dir;

    private static JournalEntry entry(long i) {
        return JournalEntry.fromPublish("/m/" + (i % 3), SignalType.EVENT, Value.of(i), "s1", T0 + i);
    }

    @Test
    void theMetersReadTheJournalsFiguresWhenAsked() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SqliteJournal journal = SqliteJournal.open(dir.resolve("j.db"))) {
            new JournalMetrics(journal, "router").bindTo(registry);
            // Bound before anything happened: the meters follow the journal, not a copy.
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                appends.add(journal.append(entry(i)));
            }
            appends.forEach(CompletableFuture::join);
            assertThat(journal.query(JournalQuery.of("/m/1")).join()).hasSize(167);
            assertThat(journal.append(JournalEntry.fromSet("bad", Value.of(1), 1, "s1", T0)))
                    .failsWithin(java.time.Duration.ofSeconds(10))
                    .withThrowableThat().havingCause().isInstanceOf(JournalException.InvalidInput.class);

            JournalStats stats = journal.stats();
            assertThat(counter(registry, "clasp.journal.appends")).isEqualTo(500);
            assertThat(counter(registry, "clasp.journal.reads")).isEqualTo(1);
            assertThat(counter(registry, "clasp.journal.entries.read")).isEqualTo(167);
            assertThat(counter(registry, "clasp.journal.rejected")).isEqualTo(1);
            assertThat(counter(registry, "clasp.journal.failures")).isZero();

            FunctionTimer commits = registry.get("clasp.journal.commits").tag("journal", "router").functionTimer();
            assertThat(commits.count()).isEqualTo(stats.commits()).isPositive();
            // Micrometer keeps times in seconds as doubles: nanoseconds come back within rounding.
            assertThat(commits.totalTime(TimeUnit.NANOSECONDS))
                    .isCloseTo(stats.commitTimeTotal().toNanos(), within(NANOSECOND_ROUNDING));

            double p50 = registry.get("clasp.journal.commit.latency").tag("quantile", "0.5").timeGauge()
                    .value(TimeUnit.NANOSECONDS);
            double p99 = registry.get("clasp.journal.commit.latency").tag("quantile", "0.99").timeGauge()
                    .value(TimeUnit.NANOSECONDS);
            double max = registry.get("clasp.journal.commit.latency.max").timeGauge().value(TimeUnit.NANOSECONDS);
            assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThanOrEqualTo(max);
            assertThat(max).isCloseTo(stats.commitMax().toNanos(), within(NANOSECOND_ROUNDING));

            assertThat(registry.get("clasp.journal.batch.mean").gauge().value()).isEqualTo(500.0 / stats.commits());
            assertThat(registry.get("clasp.journal.batch.max").gauge().value()).isEqualTo(stats.largestBatch());
            assertThat(registry.get("clasp.journal.queue.depth").gauge().value()).isZero();
        }
    }

    @Test
    void everyMeterCarriesTheJournalTagSoJournalsStayApart() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MemoryJournal a = MemoryJournal.withDefaultCapacity();
                MemoryJournal b = MemoryJournal.withDefaultCapacity()) {
            new JournalMetrics(a, "a").bindTo(registry);
            new JournalMetrics(b, "b").bindTo(registry);
            a.append(entry(1)).join();
            a.append(entry(2)).join();
            b.append(entry(3)).join();

            assertThat(registry.get("clasp.journal.appends").tag("journal", "a").functionCounter().count())
                    .isEqualTo(2);
            assertThat(registry.get("clasp.journal.appends").tag("journal", "b").functionCounter().count())
                    .isEqualTo(1);
            List<Meter> meters = registry.getMeters();
            assertThat(meters).hasSize(2 * 12);
            assertThat(meters).allSatisfy(m -> assertThat(m.getId().getTag("journal")).isIn("a", "b"));
            assertThat(meters).allSatisfy(m -> assertThat(m.getId().getName()).startsWith("clasp.journal."));
        }
    }

    @Test
    void aClosedJournalKeepsReportingItsFinalFigures() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path file = dir.resolve("closed.db");
        SqliteJournal journal = SqliteJournal.open(file);
        new JournalMetrics(journal, "j").bindTo(registry);
        journal.append(entry(1)).join();
        journal.close();
        assertThat(Files.exists(file)).isTrue();
        assertThat(counter(registry, "clasp.journal.appends")).isEqualTo(1);
    }

    @Test
    void nullArgumentsAreRejected() {
        try (MemoryJournal journal = MemoryJournal.withDefaultCapacity()) {
            assertThatThrownBy(() -> new JournalMetrics(null, "x")).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> new JournalMetrics(journal, (String) null))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> new JournalMetrics(journal, "x").bindTo(null))
                    .isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void onlyThisPackageRefersToMicrometer() throws Exception {
        // The journal must work without Micrometer on the class path: no class outside this
        // package may name a Micrometer type, or loading it would fail there.
        Path classes = Path.of(to.clasp.journal.Journal.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        Path binder = classes.resolve("to/clasp/journal/micrometer");
        List<Path> offenders;
        try (var files = Files.walk(classes.resolve("to/clasp/journal"))) {
            offenders = files.filter(f -> f.toString().endsWith(".class") && !f.startsWith(binder))
                    .filter(f -> new String(readAll(f), java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains("io/micrometer"))
                    .toList();
        }
        assertThat(offenders).isEmpty();
        assertThat(new String(readAll(binder.resolve("JournalMetrics.class")),
                java.nio.charset.StandardCharsets.ISO_8859_1)).contains("io/micrometer");
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }
}
