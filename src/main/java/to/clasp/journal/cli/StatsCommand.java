package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.SignalType;
import to.clasp.journal.SqliteJournal;

@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarises a journal. Read-only.",
            "Entries, seq and time range, counts per signal and message type, snapshots, the busiest",
            "address prefixes, and a chart of entries over time; for a file also its size, WAL and free",
            "pages and whether compaction shrinks it; for PostgreSQL the tables' size on the server.",
            "Reads every entry once. Read-only."},
        footerHeading = "%nExamples:%n", footer = {"  clasp-journal stats journal.db",
            "  clasp-journal stats jdbc:postgresql://db.local:5432/routers --user clasp --schema clasp_journal"})
final class StatsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JournalLocation journal;

    @Option(names = "--top", paramLabel = "N", defaultValue = "5", description = "Show the N busiest prefixes (default 5).")
    int top;

    @Option(names = "--buckets", paramLabel = "N", defaultValue = "12",
            description = "Bars in the chart of entries over time, 1 to " + MAX_BUCKETS + " (default 12).")
    int buckets;

    static final int MAX_BUCKETS = 100;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (top < 0) {
            throw new ParameterException(spec.commandLine(), "--top must not be negative: " + top);
        }
        if (buckets < 1 || buckets > MAX_BUCKETS) {
            throw new ParameterException(spec.commandLine(), "--buckets must be from 1 to " + MAX_BUCKETS + ": "
                    + buckets);
        }
        try (Journal j = journal.openReadOnly()) {
            List<String[]> storage = storage(j);
            long latest = j.latestSeq().join();
            Tally t = new Tally();
            List<Long> badSeqs = new ArrayList<>();
            EntryScanner.scan(j, 0, t::add, (seq, error) -> badSeqs.add(seq));

            List<String[]> rows = new ArrayList<>();
            rows.addAll(storage.subList(0, storage.size() - 1));
            if (t.count == 0) {
                rows.add(row("entries", "0" + (latest > 0 ? " (latest seq " + latest + "; all compacted)" : "")));
            } else {
                rows.add(row("entries", Args.count(t.count) + ", seqs " + t.minSeq + ".." + t.maxSeq
                        + " (latest seq ever assigned: " + latest + ")"));
                rows.add(row("time", Args.iso(t.minTime) + " .. " + Args.iso(t.maxTime) + " ("
                        + duration(t.maxTime - t.minTime) + ")"));
                rows.add(row("signal types", t.types()));
                rows.add(row("messages", "SET " + Args.count(t.sets) + ", PUBLISH " + Args.count(t.count - t.sets)));
            }
            rows.add(storage.get(storage.size() - 1));
            if (!badSeqs.isEmpty()) {
                rows.add(row("unreadable", badSeqs.size() + " entries could not be read, first seqs "
                        + first(badSeqs) + " (run 'verify' with the key)"));
            }
            EntryTable.align(rows).forEach(out::println);
            if (t.count > 0 && top > 0) {
                out.println();
                out.println("busiest address prefixes:");
                List<String[]> prefixRows = new ArrayList<>();
                t.prefixes.entrySet().stream()
                        .sorted(Map.Entry.<String, long[]>comparingByValue((a, b) -> Long.compare(b[0], a[0]))
                                .thenComparing(Map.Entry.comparingByKey()))
                        .limit(top)
                        .forEach(e -> prefixRows.add(new String[] {"  " + e.getKey(), Args.count(e.getValue()[0]),
                            String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * e.getValue()[0] / t.count)}));
                EntryTable.align(prefixRows).forEach(out::println);
                out.println();
                chart(out, t);
            }
        }
        return ClaspJournalCli.OK;
    }

    /** The rows about where the journal is stored; the last one is about its snapshots. */
    private List<String[]> storage(Journal j) {
        List<String[]> rows = new ArrayList<>();
        if (j instanceof SqliteJournal file) {
            SqliteJournal.FileInfo info = file.fileInfo().join();
            rows.add(row("file", journal.display()));
            rows.add(row("size", Args.bytes(info.fileBytes()) + ", WAL " + Args.bytes(info.walBytes())
                    + "; " + Args.count(info.pageCount()) + " pages of " + Args.bytes(info.pageSize())
                    + ", " + Args.count(info.freePages()) + " free (" + Args.bytes(info.freeBytes()) + ")"));
            rows.add(row("compaction", info.shrinksOnCompaction()
                    ? "shrinks the file (incremental auto-vacuum)"
                    : "does not shrink this file (auto_vacuum=NONE, as the Rust crate creates files); "
                            + "'compact --vacuum' converts it"));
            rows.add(snapshots(info.snapshotCount(), info.newestSnapshotSeq(), info.snapshotBytes()));
        } else {
            // JournalLocation opens a file or a PostgreSQL journal, nothing else.
            PostgresJournal.TableInfo info = ((PostgresJournal) j).tableInfo().join();
            rows.add(row("journal", journal.display()));
            rows.add(row("tables", "entries " + Args.bytes(info.entriesTableBytes()) + " + indexes "
                    + Args.bytes(info.entriesIndexBytes()) + ", snapshots " + Args.bytes(info.snapshotsTableBytes())
                    + " (on the server)"));
            rows.add(row("compaction", "deletes rows; (auto)vacuum makes their space reusable, "
                    + "only VACUUM FULL shrinks the tables"));
            rows.add(snapshots(info.snapshotCount(), info.newestSnapshotSeq(), info.snapshotBytes()));
        }
        return rows;
    }

    private static String[] snapshots(long count, java.util.OptionalLong newest, long bytes) {
        return row("snapshots", count == 0 ? "none"
                : count + ", newest at seq " + newest.getAsLong() + ", " + Args.bytes(bytes) + " in all");
    }

    private static String[] row(String name, String value) {
        return new String[] {name, value};
    }

    private static String first(List<Long> seqs) {
        return seqs.subList(0, Math.min(10, seqs.size())).toString();
    }

    private void chart(PrintWriter out, Tally t) {
        long span = t.maxTime - t.minTime + 1;
        long width = Math.max(1, (span + buckets - 1) / buckets);
        int n = (int) Math.min(buckets, (span + width - 1) / width);
        long[] counts = new long[n];
        for (int i = 0; i < t.times.size; i++) {
            counts[(int) Math.min(n - 1, (t.times.values[i] - t.minTime) / width)]++;
        }
        long max = Arrays.stream(counts).max().orElse(1);
        out.println("entries over time (" + n + " bars of " + duration(width) + "):");
        int barWidth = 40;
        for (int i = 0; i < n; i++) {
            int len = (int) Math.round((double) counts[i] * barWidth / max);
            if (counts[i] > 0 && len == 0) {
                len = 1;
            }
            out.println("  " + Args.iso(t.minTime + i * width) + "  " + "#".repeat(len)
                    + " ".repeat(barWidth - len) + "  " + Args.count(counts[i]));
        }
    }

    static String duration(long micros) {
        if (micros < 1_000) {
            return micros + " us";
        }
        if (micros < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1e3);
        }
        if (micros < 120_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", micros / 1e6);
        }
        if (micros < 7_200_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.1f min", micros / 6e7);
        }
        if (micros < 172_800_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.1f h", micros / 3.6e9);
        }
        return String.format(java.util.Locale.ROOT, "%.1f days", micros / 8.64e10);
    }

    /** Everything stats counts, in one pass. */
    private static final class Tally {
        long count;
        long sets;
        long minSeq = Long.MAX_VALUE;
        long maxSeq;
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;
        final Map<SignalType, Long> perType = new EnumMap<>(SignalType.class);
        final Map<String, long[]> prefixes = new HashMap<>();
        final LongList times = new LongList();

        void add(JournalEntry e) {
            count++;
            if (e.isSet()) {
                sets++;
            }
            minSeq = Math.min(minSeq, e.seq());
            maxSeq = Math.max(maxSeq, e.seq());
            minTime = Math.min(minTime, e.timestamp());
            maxTime = Math.max(maxTime, e.timestamp());
            perType.merge(e.signalType(), 1L, Long::sum);
            prefixes.computeIfAbsent(prefix(e.address()), k -> new long[1])[0]++;
            times.add(e.timestamp());
        }

        String types() {
            StringBuilder sb = new StringBuilder();
            for (SignalType type : SignalType.values()) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(type.wireName()).append(' ').append(Args.count(perType.getOrDefault(type, 0L)));
            }
            return sb.toString();
        }

        /** The address without its last segment, at most two segments deep, as a pattern: /lights/room1/**. */
        static String prefix(String address) {
            String[] parts = address.split("/", -1);
            int keep = Math.min(parts.length - 2, 2);
            if (keep <= 0) {
                return address;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= keep; i++) {
                sb.append('/').append(parts[i]);
            }
            return sb.append("/**").toString();
        }
    }

    /** A growable array of longs, for the timestamps the chart needs. */
    private static final class LongList {
        long[] values = new long[1024];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }
}
