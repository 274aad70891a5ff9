package to.clasp.journal.bench;

import java.sql.SQLException;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import to.clasp.journal.PostgresJournal;

/**
 * What the keyed PostgreSQL append benchmarks share: two {@link PostgresJournal}s on schemas of
 * their own on the same server, one without a key ({@code baseline}) and one with an HMAC key
 * ({@code journal}: every entry signed into the chain under the counter lock), so that the ratio
 * is what the key costs in the same run.
 */
@State(Scope.Benchmark)
public abstract class PostgresKeyedAppendState {

    private static final byte[] KEY = key();

    String plainSchema;
    String keyedSchema;
    PostgresJournal plain;
    PostgresJournal keyed;

    private static byte[] key() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 9);
        return key;
    }

    @Setup(Level.Trial)
    public void setUp() {
        plainSchema = PostgresBenchSupport.freshSchema();
        keyedSchema = PostgresBenchSupport.freshSchema();
        plain = PostgresBenchSupport.open(plainSchema);
        keyed = PostgresBenchSupport.open(keyedSchema, KEY);
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) {
        BenchStats.record(params, "postgres", plain);
        BenchStats.record(params, "postgres, keyed", keyed);
        plain.close();
        keyed.close();
        for (String schema : new String[] {plainSchema, keyedSchema}) {
            try {
                PostgresBenchSupport.drop(schema);
            } catch (SQLException ignored) {
                // a scratch schema on a scratch server
            }
        }
    }
}
