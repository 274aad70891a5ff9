package to.clasp.journal.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import to.clasp.journal.AddressPattern;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.SqliteJournal;

/**
 * Reads of a 1,000,000-entry file of {@link IssueWorkload}, built once and kept in the
 * temporary directory between runs: pattern queries, {@value #WINDOW} (the pattern {@code /**}
 * over the middle tenth of the time span, 100,000 entries) and {@value #SINCE} (the newest
 * 1,000 entries). {@code baseline} is the Rust crate's plan: {@code LIKE} for a trailing
 * {@code /**} (with the time bounds beside it), equality for an exact address, {@code seq > ?}
 * for {@code since}, otherwise every row fetched and filtered by the matcher; it reads every
 * column and parses {@code value_json}, as the crate does. {@code journal} is
 * {@link SqliteJournal#query} or {@link SqliteJournal#since}.
 */
// A query returning 100,000 entries allocates some 20 MB. On a fresh JVM the heap grows to
// gigabytes within seconds, and each new page of it costs a page fault the first time it is
// written, which on a virtual machine made the same query take 95 ms or 180 ms depending on
// whether the fork happened to be reusing eden or still touching it for the first time (the
// forks of one run split between 5 and 10 queries/s). A router runs for hours on a heap it has
// long touched; a fixed, pre-touched heap measures that steady state, for both sides.
//
// The other half of that split: every sqlite-jdbc getter locks the connection's NativeDB twice
// (SafeStmtPtr's synchronized block, then the synchronized native method). When the JIT
// deoptimizes code inside such a block during warm-up, HotSpot inflates that monitor, and every
// later lock takes the slow path: on an inflated connection the same reads took 45% longer
// (0.70 ms against 1.07 ms for since, 79 against 113 ms for the window, two journals in one
// JVM). Whether it happens is luck, per connection, so it struck the journal's or the
// baseline's forks at random. HotSpot deflates idle monitors every
// GuaranteedAsyncDeflationInterval (60 s in JDK 17.0.15), so a router that has run for a
// minute is past it; a fork lasts 10 to 20 s. One second instead measures that state, for
// both sides.
@Fork(jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-XX:+UnlockDiagnosticVMOptions",
        "-XX:GuaranteedAsyncDeflationInterval=1000"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class SqliteIssueQueryBench {

    private static final int ENTRIES = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String WINDOW = "/** in 10% of the time";
    static final String SINCE = "since(latest-1000)";
    private static final long WINDOW_FROM = IssueWorkload.T0 + ENTRIES * 45L / 100;
    private static final long WINDOW_TO = IssueWorkload.T0 + ENTRIES * 55L / 100 - 1;

    @Param({"/bench/*/param3", "/bench/room7/**", "/bench/room7/param3", WINDOW, SINCE})
    public String pattern;

    private long sinceSeq;

    private SqliteJournal journal;
    private Connection connection;
    private PreparedStatement baselineQuery;
    private AddressPattern compiled;
    private boolean filterInJava;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "clasp-journal-bench-issue-1m.db");
        if (!Files.exists(file)) {
            Path dir = BenchData.tempDir();
            Path building = dir.resolve("journal.db");
            try (SqliteJournal fresh = SqliteJournal.open(building)) {
                List<CompletableFuture<Long>> pending = new ArrayList<>();
                for (long i = 0; i < ENTRIES; i++) {
                    pending.add(fresh.append(IssueWorkload.entry(i)));
                    if (pending.size() == 10_000) {
                        pending.forEach(CompletableFuture::join);
                        pending.clear();
                    }
                }
                pending.forEach(CompletableFuture::join);
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + building)) {
                c.createStatement().execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            Files.move(building, file, StandardCopyOption.ATOMIC_MOVE);
            BenchData.delete(dir);
        }
        journal = SqliteJournal.open(file);
        sinceSeq = journal.latestSeq().join() - 1_000;
        compiled = pattern.equals(SINCE) ? null : query().addressPattern();
        connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        String columns = "SELECT seq, timestamp, author, address, signal_type, value_json, revision,"
                + " msg_type FROM journal_entries";
        if (pattern.equals(WINDOW)) {
            baselineQuery = connection.prepareStatement(columns
                    + " WHERE address LIKE ? AND timestamp >= ? AND timestamp <= ? ORDER BY seq");
            baselineQuery.setString(1, "/%");
            baselineQuery.setLong(2, WINDOW_FROM);
            baselineQuery.setLong(3, WINDOW_TO);
        } else if (pattern.equals(SINCE)) {
            baselineQuery = connection.prepareStatement(columns + " WHERE seq > ? ORDER BY seq");
            baselineQuery.setLong(1, sinceSeq);
        } else if (pattern.endsWith("/**") && pattern.indexOf('*') == pattern.length() - 2) {
            baselineQuery = connection.prepareStatement(columns + " WHERE address LIKE ? ORDER BY seq");
            baselineQuery.setString(1, pattern.substring(0, pattern.length() - 2) + "%");
        } else if (pattern.indexOf('*') < 0) {
            baselineQuery = connection.prepareStatement(columns + " WHERE address = ? ORDER BY seq");
            baselineQuery.setString(1, pattern);
        } else {
            baselineQuery = connection.prepareStatement(columns + " ORDER BY seq");
            filterInJava = true;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) throws SQLException {
        BenchStats.record(params, "sqlite", journal);
        journal.close();
        connection.close();
    }

    @Benchmark
    public int baseline() throws SQLException, JsonProcessingException {
        int found = 0;
        try (ResultSet rs = baselineQuery.executeQuery()) {
            while (rs.next()) {
                String address = rs.getString(4);
                String valueJson = rs.getString(6);
                rs.getLong(1);
                rs.getLong(2);
                rs.getString(3);
                rs.getString(5);
                rs.getLong(7);
                rs.getInt(8);
                if ((!filterInJava || compiled.matches(address)) && JSON.readTree(valueJson) != null) {
                    found++;
                }
            }
        }
        return found;
    }

    @Benchmark
    public int journal() {
        return (pattern.equals(SINCE) ? journal.since(sinceSeq, null) : journal.query(query())).join().size();
    }

    /** The query, built in each call as a caller would. */
    private JournalQuery query() {
        return pattern.equals(WINDOW) ? JournalQuery.of("/**").from(WINDOW_FROM).to(WINDOW_TO) : JournalQuery.of(pattern);
    }
}
