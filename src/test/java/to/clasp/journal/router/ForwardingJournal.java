package to.clasp.journal.router;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalEntry;
import to.clasp.journal.JournalQuery;
import to.clasp.journal.JournalStats;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.Snapshot;

/** A journal that passes every call to another; tests override the calls they want to break. */
class ForwardingJournal implements Journal {

    protected final Journal delegate;

    ForwardingJournal(Journal delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<Long> append(JournalEntry entry) {
        return delegate.append(entry);
    }

    @Override
    public CompletableFuture<List<JournalEntry>> query(JournalQuery query) {
        return delegate.query(query);
    }

    @Override
    public CompletableFuture<List<JournalEntry>> since(long seq, Integer limit) {
        return delegate.since(seq, limit);
    }

    @Override
    public JournalStats stats() {
        return delegate.stats();
    }

    @Override
    public CompletableFuture<Long> latestSeq() {
        return delegate.latestSeq();
    }

    @Override
    public CompletableFuture<Long> snapshot(List<ParamSnapshot> state) {
        return delegate.snapshot(state);
    }

    @Override
    public CompletableFuture<Optional<List<ParamSnapshot>>> loadSnapshot() {
        return delegate.loadSnapshot();
    }

    @Override
    public CompletableFuture<Optional<Snapshot>> latestSnapshot() {
        return delegate.latestSnapshot();
    }

    @Override
    public CompletableFuture<Long> compact(long beforeSeq) {
        return delegate.compact(beforeSeq);
    }

    @Override
    public CompletableFuture<Long> size() {
        return delegate.size();
    }

    @Override
    public Flow.Publisher<JournalEntry> follow(JournalQuery query, long afterSeq) {
        return delegate.follow(query, afterSeq);
    }

    @Override
    public CompletableFuture<Snapshot> stateAt(long seq) {
        return delegate.stateAt(seq);
    }

    @Override
    public CompletableFuture<Snapshot> checkpoint() {
        return delegate.checkpoint();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
