/**
 * Publication of {@link to.clasp.journal.Journal#stats()} to Micrometer:
 * {@link to.clasp.journal.micrometer.JournalMetrics} binds a journal's figures to a
 * {@code MeterRegistry}.
 *
 * <p>{@code io.micrometer:micrometer-core} is an optional dependency of this library: add it to
 * your own build to use this package. Every reference to Micrometer is in this package, so a
 * journal that is never bound works without Micrometer on the class path.
 */
package to.clasp.journal.micrometer;
