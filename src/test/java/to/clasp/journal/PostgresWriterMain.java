package to.clasp.journal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A second process for {@link PostgresMultiWriterTest}: opens the journal in the schema given
 * (creating it if it is the first), appends {@code count} entries from one thread with up to 256
 * in flight, author {@code writer} and values 0, 1, 2, ..., then prints {@code done} and exits
 * (1 on any failure). Arguments: schema, writer, count, and optionally {@code keyed} to open it
 * with the tests' HMAC key ({@code SqliteTestSupport.key(9)}); the server comes from the
 * environment, as for the tests.
 */
public final class PostgresWriterMain {

    private PostgresWriterMain() {}

    public static void main(String[] args) throws Exception {
        String schema = args[0];
        String writer = args[1];
        int count = Integer.parseInt(args[2]);
        byte[] key = args.length > 3 && args[3].equals("keyed") ? SqliteTestSupport.key(9) : null;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (PostgresJournal journal = PostgresJournal.builder(System.getenv(PostgresTestSupport.URL),
                System.getenv(PostgresTestSupport.USER), System.getenv(PostgresTestSupport.PASSWORD))
                .schema(schema).hmacKey(key).build()) {
            Semaphore inFlight = new Semaphore(256);
            for (int i = 0; i < count; i++) {
                inFlight.acquire();
                journal.append(JournalEntry.fromPublish("/multi/" + writer + "/" + (i % 10), SignalType.STREAM,
                        Value.of(i), writer, 1_708_500_000_000_000L + i)).whenComplete((seq, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                            inFlight.release();
                        });
            }
            inFlight.acquire(256);
        }
        if (failure.get() != null) {
            failure.get().printStackTrace();
            System.exit(1);
        }
        System.out.println("done");
        System.exit(0);
    }
}
