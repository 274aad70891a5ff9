package to.clasp.journal;

/** The Reactive Streams TCK against an in-memory {@link SqliteJournal#follow}. */
public class SqliteMemoryFollowTckTest extends FollowTck {

    public SqliteMemoryFollowTckTest() {
        super(SqliteJournal.inMemory());
    }
}
