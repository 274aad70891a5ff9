package to.clasp.journal.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import to.clasp.journal.AddressPattern;

/**
 * Matching 1,000 addresses against one pattern: compiled once ({@code journal}) against
 * interpreting the pattern text on every call, as the Rust crate's {@code glob_match} does
 * ({@code baseline}, here {@link AddressPattern#matches(String, String)}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class PatternMatchBench {

    @Param({"/lights/**", "/*/*/brightness", "/sensors/{temp,hum}/*"})
    public String pattern;

    private List<String> addresses;
    private AddressPattern compiled;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        String[] tops = {"lights", "sensors", "audio", "admin"};
        String[] leaves = {"brightness", "temp", "hum", "volume", "level"};
        addresses = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            addresses.add("/" + tops[random.nextInt(tops.length)] + "/room" + random.nextInt(50) + "/"
                    + leaves[random.nextInt(leaves.length)]);
        }
        compiled = AddressPattern.compile(pattern);
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        for (String a : addresses) {
            bh.consume(AddressPattern.matches(pattern, a));
        }
    }

    @Benchmark
    public void journal(Blackhole bh) {
        for (String a : addresses) {
            bh.consume(compiled.matches(a));
        }
    }
}
