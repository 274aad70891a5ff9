package to.clasp.journal;

/** The Reactive Streams TCK against {@link MemoryJournal#follow}. */
public class MemoryFollowTckTest extends FollowTck {

    public MemoryFollowTckTest() {
        super(new MemoryJournal(2 * STORED));
    }
}
