package to.clasp.journal.router;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;

/**
 * A journal whose futures complete later, on its own thread, like a backend with a writer
 * thread: the work is done in call order on the caller's thread, only the completion is handed
 * off. It makes the hook's callbacks run on a foreign thread and after the call returned.
 */
final class AsyncCompletingJournal extends ForwardingJournal {

    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "journal-completer");
        t.setDaemon(true);
        return t;
    });

    AsyncCompletingJournal(Journal delegate) {
        super(delegate);
    }

    private <T> CompletableFuture<T> later(CompletableFuture<T> done) {
        return done.thenApplyAsync(v -> v, completer);
    }

    @Override
    public CompletableFuture<Long> append(JournalEntry entry) {
        return later(super.append(entry));
    }

    @Override
    public CompletableFuture<List<JournalEntry>> query(JournalQuery query) {
        return later(super.query(query));
    }

    @Override
    public CompletableFuture<List<JournalEntry>> since(long seq, Integer limit) {
        return later(super.since(seq, limit));
    }

    @Override
    public CompletableFuture<Long> latestSeq() {
        return later(super.latestSeq());
    }

    @Override
    public CompletableFuture<Long> snapshot(List<ParamSnapshot> state) {
        return later(super.snapshot(state));
    }

    @Override
    public CompletableFuture<Optional<List<ParamSnapshot>>> loadSnapshot() {
        return later(super.loadSnapshot());
    }

    @Override
    public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
        return later(super.latestSnapshot());
    }

    @Override
    public CompletableFuture<Long> compact(long beforeSeq) {
        return later(super.compact(beforeSeq));
    }

    @Override
    public CompletableFuture<Long> size() {
        return later(super.size());
    }

    @Override
    public void close() {
        super.close();
        completer.shutdown();
    }
}
