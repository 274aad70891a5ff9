package to.clasp.journal;

/** The journal contract, run against an in-memory {@link SqliteJournal}. */
class SqliteMemoryJournalContractTest extends JournalContract {

    @Override
    protected Journal newJournal() {
        return SqliteJournal.inMemory();
    }
}
