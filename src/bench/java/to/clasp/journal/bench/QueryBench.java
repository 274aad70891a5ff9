package to.clasp.journal.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
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
 * Pattern queries over 200,000 entries (2,000 addresses). {@code baseline} is the Rust crate's
 * plan on the same file: {@code LIKE 'prefix%'} for a trailing {@code /**} (which cannot use
 * the address index) and a full fetch filtered by the matcher for any other wildcard pattern;
 * both read every column and parse {@code value_json}, as the crate does. {@code journal} is
 * {@link SqliteJournal#query}, which also builds the entries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class QueryBench {

    private static final int ENTRIES = 200_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Param({"/lights/room7/**", "/lights/*/brightness", "/audio/room3/volume"})
    public String pattern;

    private Path dir;
    private SqliteJournal journal;
    private Connection connection;
    private PreparedStatement baselineQuery;
    private AddressPattern compiled;
    private boolean filterInJava;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        dir = BenchData.tempDir();
        Path file = dir.resolve("journal.db");
        journal = SqliteJournal.open(file);
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (long n = 1; n <= ENTRIES; n++) {
            pending.add(journal.append(BenchData.entry(n)));
        }
        pending.forEach(CompletableFuture::join);
        compiled = AddressPattern.compile(pattern);
        connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        String columns = "SELECT seq, timestamp, author, address, signal_type, value_json, revision,"
                + " msg_type FROM journal_entries";
        if (pattern.endsWith("/**") && pattern.indexOf('*') == pattern.length() - 2) {
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
        BenchData.delete(dir);
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
        return journal.query(JournalQuery.of(pattern)).join().size();
    }
}
