package to.clasp.journal;

import java.util.concurrent.Flow;
import java.util.function.Supplier;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.SkipException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK's publisher verification, run against {@link Journal#follow}. Each
 * backend's subclass gives a journal; it is filled with {@value #STORED} entries, and a
 * publisher of n elements follows it with a limit of n, so it completes after n entries (the
 * largest n the TCK asks for, {@link Integer#MAX_VALUE}, keeps following live entries).
 */
abstract class FollowTck extends FlowPublisherVerification<JournalEntry> {

    static final int STORED = 1_024;
    /** How long the TCK waits for an expected signal; generous for a loaded CI machine. */
    private static final long TIMEOUT_MILLIS = 5_000;
    /** How long the TCK waits to be sure that no signal comes. */
    private static final long NO_SIGNAL_MILLIS = 100;

    private final Supplier<Journal> opener;
    private Journal journal;

    /**
     * @param opener opens the journal when the class starts; it returns null when the backend
     *     is not available here, and every test that needs a publisher is then skipped
     */
    FollowTck(Supplier<Journal> opener) {
        super(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNAL_MILLIS));
        this.opener = opener;
    }

    @BeforeClass
    void openJournal() {
        journal = opener.get();
        for (int i = 0; journal != null && i < STORED; i++) {
            journal.append(JournalEntry.fromPublish("/tck/" + (i % 10), SignalType.EVENT, Value.of(i),
                    "tck", 1_708_500_000_000_000L + i)).join();
        }
    }

    @AfterClass
    void closeJournal() {
        if (journal != null) {
            journal.close();
        }
    }

    @Override
    public Flow.Publisher<JournalEntry> createFlowPublisher(long elements) {
        requireJournal();
        return journal.follow(JournalQuery.of("/tck/*").limit((int) Math.min(elements, Integer.MAX_VALUE)), 0);
    }

    /** A publisher that fails: a negative afterSeq ends every stream with InvalidInput. */
    @Override
    public Flow.Publisher<JournalEntry> createFailedFlowPublisher() {
        requireJournal();
        return journal.follow(JournalQuery.of("/tck/*"), -1);
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE;
    }

    private void requireJournal() {
        if (journal == null) {
            throw new SkipException(getClass().getSimpleName() + ": the backend is not available here");
        }
    }
}
