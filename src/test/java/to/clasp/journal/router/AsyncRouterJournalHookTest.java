package to.clasp.journal.router;

import to.clasp.journal.Journal;
import to.clasp.journal.MemoryJournal;

/**
 * The whole contract on a journal whose futures complete later on another thread, as a
 * database backend's do, so the hook's asynchronous paths are exercised as well.
 */
class AsyncRouterJournalHookTest extends RouterJournalHookContract {

    @Override
    protected Journal newJournal() {
        return new AsyncCompletingJournal(new MemoryJournal(200_000));
    }

    @Override
    protected Journal reopen(Journal crashed) {
        return crashed;
    }
}
