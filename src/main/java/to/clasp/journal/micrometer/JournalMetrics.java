package to.clasp.journal.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalStats;

/**
 * Publishes a journal's {@link Journal#stats()} to a Micrometer registry, tagged
 * {@code journal=<name>}:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>from {@link JournalStats}</th></tr>
 *   <tr><td>{@code clasp.journal.appends}</td><td>function counter</td><td>{@code appends}</td></tr>
 *   <tr><td>{@code clasp.journal.commits}</td><td>function timer</td>
 *       <td>{@code commits}, {@code commitTimeTotal}</td></tr>
 *   <tr><td>{@code clasp.journal.commit.latency}, tag {@code quantile} = {@code 0.5} /
 *       {@code 0.99}</td><td>time gauge</td><td>{@code commitP50}, {@code commitP99}</td></tr>
 *   <tr><td>{@code clasp.journal.commit.latency.max}</td><td>time gauge</td><td>{@code commitMax}</td></tr>
 *   <tr><td>{@code clasp.journal.batch.mean}</td><td>gauge</td><td>{@code meanBatch}</td></tr>
 *   <tr><td>{@code clasp.journal.batch.max}</td><td>gauge</td><td>{@code largestBatch}</td></tr>
 *   <tr><td>{@code clasp.journal.queue.depth}</td><td>gauge</td><td>{@code queueDepth}</td></tr>
 *   <tr><td>{@code clasp.journal.reads}</td><td>function counter</td><td>{@code reads}</td></tr>
 *   <tr><td>{@code clasp.journal.entries.read}</td><td>function counter</td><td>{@code entriesRead}</td></tr>
 *   <tr><td>{@code clasp.journal.failures}</td><td>function counter</td><td>{@code failures}</td></tr>
 *   <tr><td>{@code clasp.journal.rejected}</td><td>function counter</td><td>{@code rejected}</td></tr>
 * </table>
 *
 * <p>The meters read the journal when the registry asks (at each scrape or publication), so
 * the journal's hot paths do no Micrometer work at all; each reading is one cheap
 * {@link Journal#stats()} call. The commit percentiles are over all commits since the journal
 * opened. The registry holds the journal weakly, as Micrometer does for every function meter:
 * keep it referenced while it is in use, and remove the meters (or close the registry) when
 * you close it; a closed journal keeps reporting its final figures.
 *
 * <pre>{@code
 * SqliteJournal journal = SqliteJournal.open(Path.of("router.db"));
 * new JournalMetrics(journal, "router").bindTo(registry);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; binding the same journal and name to one registry
 * twice registers nothing new (Micrometer returns the meters already there).
 */
public final class JournalMetrics implements MeterBinder {

    private final Journal journal;
    private final Tags tags;

    /**
     * Prepares the meters of {@code journal}, tagged {@code journal=name}.
     *
     * @param journal the journal whose figures to publish
     * @param name the value of the {@code journal} tag, which tells the journals of one process
     *     apart
     * @throws NullPointerException if an argument is null
     */
    public JournalMetrics(Journal journal, String name) {
        this(journal, Tags.of("journal", Objects.requireNonNull(name, "name")));
    }

    /**
     * Prepares the meters of {@code journal} with the given tags, for instance a
     * {@code journal} tag and tags of your own.
     *
     * @param journal the journal whose figures to publish
     * @param tags the tags every meter gets
     * @throws NullPointerException if an argument is null
     */
    public JournalMetrics(Journal journal, Iterable<Tag> tags) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Registers the meters in {@code registry}.
     *
     * @param registry the registry; not null
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        counter(registry, "clasp.journal.appends", "entries appended", s -> s.appends());
        FunctionTimer.builder("clasp.journal.commits", journal,
                        j -> j.stats().commits(),
                        j -> j.stats().commitTimeTotal().toNanos(), TimeUnit.NANOSECONDS)
                .description("write transactions committed, and the time they took")
                .tags(tags).register(registry);
        latency(registry, "clasp.journal.commit.latency", "0.5", s -> s.commitP50().toNanos());
        latency(registry, "clasp.journal.commit.latency", "0.99", s -> s.commitP99().toNanos());
        TimeGauge.builder("clasp.journal.commit.latency.max", journal, TimeUnit.NANOSECONDS,
                        j -> j.stats().commitMax().toNanos())
                .description("the longest commit transaction").tags(tags).register(registry);
        gauge(registry, "clasp.journal.batch.mean", "writes committed per transaction, on average",
                s -> s.meanBatch());
        gauge(registry, "clasp.journal.batch.max", "the most writes one transaction committed",
                s -> s.largestBatch());
        gauge(registry, "clasp.journal.queue.depth", "writes waiting for the writer thread",
                s -> s.queueDepth());
        counter(registry, "clasp.journal.reads", "queries and since calls answered", s -> s.reads());
        counter(registry, "clasp.journal.entries.read", "entries returned by reads", s -> s.entriesRead());
        counter(registry, "clasp.journal.failures", "operations failed in storage", s -> s.failures());
        counter(registry, "clasp.journal.rejected", "calls refused for bad input", s -> s.rejected());
    }

    private void counter(MeterRegistry registry, String name, String description,
            ToDoubleFunction<JournalStats> figure) {
        FunctionCounter.builder(name, journal, j -> figure.applyAsDouble(j.stats()))
                .description(description).tags(tags).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description,
            ToDoubleFunction<JournalStats> figure) {
        Gauge.builder(name, journal, j -> figure.applyAsDouble(j.stats()))
                .description(description).tags(tags).register(registry);
    }

    private void latency(MeterRegistry registry, String name, String quantile,
            ToDoubleFunction<JournalStats> nanos) {
        TimeGauge.builder(name, journal, TimeUnit.NANOSECONDS, j -> nanos.applyAsDouble(j.stats()))
                .description("commit transaction time at a percentile, since the journal opened")
                .tags(tags).tag("quantile", quantile).register(registry);
    }

    @Override
    public String toString() {
        return "JournalMetrics" + tags.stream().map(t -> t.getKey() + "=" + t.getValue()).toList();
    }
}
