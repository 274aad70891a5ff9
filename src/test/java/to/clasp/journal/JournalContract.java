package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import to.clasp.journal.internal.follow.FollowHub;
import to.clasp.journal.internal.codec.Micros;
import to.clasp.journal.internal.codec.ValueCodec;

/**
 * The behaviour every {@link Journal} shares. A backend's test extends this class and says how
 * to create a fresh, empty journal; every test here then runs against that backend, so the
 * backends cannot drift apart.
 */
public abstract class JournalContract
        implements FollowRoutingContract, SnapshotOrderContract, StateAtContract, CheckpointContract {

    /** A timeout generous enough for a slow CI machine; a future that takes longer is a hang. */
    protected static final Duration WAIT = Duration.ofSeconds(30);

    protected static final long T0 = 1_708_500_000_000_000L;

    protected Journal journal;

    /**
     * Creates a fresh, empty journal that can hold at least 100,000 entries.
     *
     * @return the journal under test; the contract closes it
     */
    protected abstract Journal newJournal() throws Exception;

    @BeforeEach
    void openJournal() throws Exception {
        journal = newJournal();
    }

    @AfterEach
    void closeJournal() {
        journal.close();
    }

    @Override
    public Journal journal() {
        return journal;
    }

    // ---- helpers -------------------------------------------------------------------------

    protected static <T> T await(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(WAIT);
        return future.join();
    }

    /** Asserts that {@code future} fails with {@code type} and returns that exception. */
    protected static <E extends JournalException> E assertFails(CompletableFuture<?> future, Class<E> type) {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        assertThat(future).failsWithin(WAIT).withThrowableThat()
                .satisfies(t -> cause.set(t.getCause()))
                .havingCause().isInstanceOf(type);
        return type.cast(cause.get());
    }

    protected long append(JournalEntry entry) {
        return await(journal.append(entry));
    }

    protected static JournalEntry set(String address, Value value, long revision, long ts) {
        return JournalEntry.fromSet(address, value, revision, "session-abc", ts);
    }

    protected static JournalEntry event(String address, Value value, long ts) {
        return JournalEntry.fromPublish(address, SignalType.EVENT, value, "session-def", ts);
    }

    protected static List<Long> seqs(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::seq).toList();
    }

    protected List<Long> seqsOf(JournalQuery query) {
        return seqs(await(journal.query(query)));
    }

    /** Appends one SET per address, at T0 + i ms, and returns nothing: seq i+1 is address i. */
    protected void appendAll(List<String> addresses) {
        for (int i = 0; i < addresses.size(); i++) {
            append(set(addresses.get(i), Value.of(i), i + 1, T0 + i * 1000L));
        }
    }

    protected void assertUnchanged(long size, long latestSeq) {
        assertThat(await(journal.size())).isEqualTo(size);
        assertThat(await(journal.latestSeq())).isEqualTo(latestSeq);
    }

    static Value everyKind() {
        Map<String, Value> map = new LinkedHashMap<>();
        map.put("z", Value.of(1));
        map.put("a", Value.of(new byte[] {0, 1, 2, (byte) 255}));
        map.put("m", Value.of(Double.NaN));
        return Value.of(List.of(
                Value.NULL, Value.of(true), Value.of(false), Value.of(Long.MIN_VALUE),
                Value.of(Long.MAX_VALUE), Value.of(1.0), Value.of(-0.0), Value.of(-2.5e-7),
                Value.of(Double.POSITIVE_INFINITY), Value.of(Double.NEGATIVE_INFINITY),
                Value.of("héllo \"quoted\" \n line ✓ 🎛"), Value.of(new byte[0]),
                Value.of(List.of(Value.of(new byte[] {7}), Value.of(List.of()))), Value.of(map)));
    }

    // ---- a new journal --------------------------------------------------------------------

    @Test
    void newJournalIsEmpty() {
        assertThat(await(journal.size())).isZero();
        assertThat(await(journal.isEmpty())).isTrue();
        assertThat(await(journal.latestSeq())).isZero();
        assertThat(await(journal.since(0, null))).isEmpty();
        assertThat(await(journal.query(JournalQuery.of("/**")))).isEmpty();
        assertThat(await(journal.loadSnapshot())).isEmpty();
        assertThat(await(journal.latestSnapshot())).isEmpty();
    }

    // ---- append ---------------------------------------------------------------------------

    @Test
    void appendAssignsDenseSeqsFromOneAndIgnoresTheCallersSeq() {
        assertThat(append(set("/a", Value.of(1), 1, T0).withSeq(99))).isEqualTo(1);
        assertThat(append(set("/a", Value.of(2), 2, T0).withSeq(-5))).isEqualTo(2);
        assertThat(append(event("/b", Value.NULL, T0))).isEqualTo(3);

        assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L);
        assertThat(await(journal.latestSeq())).isEqualTo(3);
        assertThat(await(journal.size())).isEqualTo(3);
        assertThat(await(journal.isEmpty())).isFalse();
    }

    @Test
    void entriesReadBackExactlyAsWritten() {
        JournalEntry setEntry = JournalEntry.fromSet("/lights/room1/brightness", Value.of(0.75), 7,
                "session-abc", T0);
        List<JournalEntry> written = new ArrayList<>();
        written.add(setEntry);
        for (SignalType type : List.of(SignalType.EVENT, SignalType.STREAM, SignalType.GESTURE,
                SignalType.TIMELINE)) {
            written.add(JournalEntry.fromPublish("/sensors/" + type.wireName(), type,
                    Value.of(type.ordinal()), "session-def", T0 + type.ordinal()));
        }
        written.add(new JournalEntry(0, 0, "", "/", SignalType.PARAM, Value.NULL, OptionalLong.of(0),
                JournalEntry.MSG_SET));
        for (JournalEntry e : written) {
            append(e);
        }

        List<JournalEntry> read = await(journal.since(0, null));
        List<JournalEntry> expected = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            expected.add(written.get(i).withSeq(i + 1));
        }
        assertThat(read).containsExactlyElementsOf(expected);
        assertThat(read.get(0).isSet()).isTrue();
        assertThat(read.get(0).revision()).hasValue(7);
        assertThat(read.get(1).isSet()).isFalse();
        assertThat(read.get(1).revision()).isEmpty();
        assertThat(read.get(1).msgType()).isEqualTo(JournalEntry.MSG_PUBLISH);
    }

    @Test
    void valuesNestedAsDeeplyAsAllowedRoundTrip() {
        Value deep = nestedArrays(ValueCodec.MAX_DEPTH - 1);
        append(set("/deep", deep, 1, T0));

        assertThat(await(journal.since(0, null)).get(0).value()).isEqualTo(deep);
    }

    @Test
    void everyKindOfValueRoundTripsLosslessly() {
        Value value = everyKind();
        List<Value> values = new ArrayList<>(((Value.Array) value).items());
        values.add(value);
        for (int i = 0; i < values.size(); i++) {
            append(set("/v/" + i, values.get(i), i, T0));
        }

        List<JournalEntry> read = await(journal.since(0, null));
        assertThat(read).extracting(JournalEntry::value).containsExactlyElementsOf(values);
        Value.Map map = (Value.Map) ((Value.Array) read.get(read.size() - 1).value()).items().get(13);
        assertThat(map.entries().keySet()).containsExactly("z", "a", "m");
        assertThat(read.get(5).value()).isInstanceOf(Value.Float.class);
    }

    // ---- patterns -------------------------------------------------------------------------

    static final List<String> ADDRESSES = List.of(
            "/lights/room1/brightness", // 1
            "/lights/room2/brightness", // 2
            "/audio/mixer/volume", // 3
            "/sensors/temp/room1", // 4
            "/sensors/temp", // 5
            "/a/b/c/d/e", // 6
            "/LIGHTS/room1/brightness", // 7
            "/lights/room_/brightness", // 8
            "/admin/users/root", // 9
            "/lightsout/x", // 10
            "/lights%/x", // 11
            "/lights/master"); // 12

    static List<Arguments> patterns() {
        return List.of(
                Arguments.of("/lights/room1/brightness", List.of(1L)),
                Arguments.of("/Lights/room1/brightness", List.of()),
                Arguments.of("/**", List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L)),
                Arguments.of("**", List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L)),
                Arguments.of("/lights/**", List.of(1L, 2L, 8L, 12L)),
                Arguments.of("/LIGHTS/**", List.of(7L)),
                Arguments.of("/lights/room_/**", List.of(8L)),
                Arguments.of("/lights%/*", List.of(11L)),
                Arguments.of("/lights/*", List.of(12L)),
                Arguments.of("/sensors/*", List.of(5L)),
                Arguments.of("/sensors/**", List.of(4L, 5L)),
                Arguments.of("/sensors/temp/*", List.of(4L)),
                Arguments.of("/*/*/brightness", List.of(1L, 2L, 7L, 8L)),
                Arguments.of("/sensors/te*", List.of(5L)),
                Arguments.of("/lights*/**", List.of(1L, 2L, 8L, 10L, 11L, 12L)),
                Arguments.of("/a/b/**/e", List.of(6L)),
                Arguments.of("/sensors/{temp,hum}", List.of(5L)),
                Arguments.of("/{audio,admin}/**", List.of(3L, 9L)),
                Arguments.of("/lights/room?/brightness", List.of(1L, 2L, 8L)),
                Arguments.of("/lights/room[12]/brightness", List.of(1L, 2L)),
                Arguments.of("/lights/room[!1]/brightness", List.of(2L, 8L)),
                Arguments.of("!/lights/**", List.of(3L, 4L, 5L, 6L, 7L, 9L, 10L, 11L)),
                Arguments.of("/nothing/**", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patterns")
    void queriesSelectExactlyWhatThePatternMatches(String pattern, List<Long> expected) {
        appendAll(ADDRESSES);

        assertThat(seqsOf(JournalQuery.of(pattern))).containsExactlyElementsOf(expected);
        assertThat(seqs(await(journal.query(pattern, null, null, null, null))))
                .containsExactlyElementsOf(expected);
        List<Long> reversed = new ArrayList<>(expected);
        Collections.reverse(reversed);
        assertThat(seqsOf(JournalQuery.of(pattern).descending())).containsExactlyElementsOf(reversed);
        assertThat(seqsOf(JournalQuery.of(pattern).limit(1)))
                .containsExactlyElementsOf(expected.stream().limit(1).toList());
    }

    @Test
    void unusualButWellFormedCharactersAreStoredAndMatchedExactly() {
        List<String> addresses = List.of("/a/\u0000nul", "/a/😀/x", "/a/\uFFFF", "/a/?", "/a/\uFFFD", "/a/é");
        appendAll(addresses);

        assertThat(await(journal.since(0, null))).extracting(JournalEntry::address)
                .containsExactlyElementsOf(addresses);
        for (int i = 0; i < addresses.size(); i++) {
            assertThat(seqsOf(JournalQuery.of(addresses.get(i).replace("?", "\\?"))))
                    .as(addresses.get(i)).containsExactly(i + 1L);
        }
        assertThat(seqsOf(JournalQuery.of("/a/😀/*"))).containsExactly(2L);
        // A pattern holding a lone surrogate can match no stored address.
        assertThat(seqsOf(JournalQuery.of("/a/\uD800"))).isEmpty();
        assertThat(seqsOf(JournalQuery.of("/a/\uD800/**"))).isEmpty();
    }

    @Test
    void aScopedQueryNeverLeaksEntriesFromOutsideItsScope() {
        List<String> addresses = new ArrayList<>();
        for (String top : List.of("lights", "admin", "lightsX", "Lights", "light", "lights_")) {
            for (int i = 0; i < 5; i++) {
                addresses.add("/" + top + "/room" + i + "/level");
                addresses.add("/" + top + "/room" + i);
            }
        }
        addresses.add("/lights");
        appendAll(addresses);

        for (String pattern : List.of("/lights/**", "/lights/*", "/lights/*/level", "/lights/room1/*")) {
            List<JournalEntry> found = await(journal.query(JournalQuery.of(pattern)));
            assertThat(found).isNotEmpty();
            assertThat(found).extracting(JournalEntry::address)
                    .allSatisfy(a -> assertThat(a).startsWith("/lights/"))
                    .allSatisfy(a -> assertThat(AddressPattern.matches(pattern, a)).isTrue());
        }
        assertThat(await(journal.query(JournalQuery.of("/admin/**")))).hasSize(10)
                .extracting(JournalEntry::address).allSatisfy(a -> assertThat(a).startsWith("/admin/"));
    }

    // ---- time, types, limit, order --------------------------------------------------------

    @Test
    void timeBoundsAreInclusive() {
        for (long ts : new long[] {100, 200, 300, 400}) {
            append(set("/t", Value.of(ts), 1, ts));
        }
        JournalQuery all = JournalQuery.of("/t");

        assertThat(seqsOf(all.from(200).to(300))).containsExactly(2L, 3L);
        assertThat(seqsOf(all.from(200))).containsExactly(2L, 3L, 4L);
        assertThat(seqsOf(all.to(200))).containsExactly(1L, 2L);
        assertThat(seqsOf(all.from(300).to(300))).containsExactly(3L);
        assertThat(seqsOf(all.from(301).to(399))).isEmpty();
        assertThat(seqsOf(all.from(300).to(200))).isEmpty();
        assertThat(seqs(await(journal.query("/t", 200L, 300L, null, null)))).containsExactly(2L, 3L);
        assertThat(seqs(await(journal.query("/t", null, 100L, null, List.of())))).containsExactly(1L);
    }

    @Test
    void typeFiltersKeepOnlyTheGivenSignalTypes() {
        append(set("/x", Value.of(1), 1, T0));
        for (SignalType type : List.of(SignalType.EVENT, SignalType.STREAM, SignalType.GESTURE,
                SignalType.TIMELINE)) {
            append(JournalEntry.fromPublish("/x", type, Value.NULL, "a", T0));
        }

        assertThat(seqsOf(JournalQuery.of("/x").types(SignalType.PARAM))).containsExactly(1L);
        assertThat(seqsOf(JournalQuery.of("/x").types(SignalType.GESTURE, SignalType.TIMELINE)))
                .containsExactly(4L, 5L);
        assertThat(seqsOf(JournalQuery.of("/x").types())).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(seqs(await(journal.query("/x", null, null, null, List.of(SignalType.EVENT)))))
                .containsExactly(2L);
        assertThat(seqs(await(journal.query("/x", null, null, null, List.of())))).hasSize(5);
    }

    @Test
    void limitAppliesAfterEveryFilterInEitherOrder() {
        for (int i = 0; i < 20; i++) {
            String address = i % 2 == 0 ? "/even/" + i : "/odd/" + i;
            append(set(address, Value.of(i), i, T0 + i));
        }
        // Even addresses got odd seqs 1, 3, 5, ...

        assertThat(seqsOf(JournalQuery.of("/even/*").limit(3))).containsExactly(1L, 3L, 5L);
        assertThat(seqsOf(JournalQuery.of("/even/*").descending().limit(3))).containsExactly(19L, 17L, 15L);
        assertThat(seqsOf(JournalQuery.of("/even/*").from(T0 + 10).limit(2))).containsExactly(11L, 13L);
        assertThat(seqsOf(JournalQuery.of("/even/*").limit(0))).isEmpty();
        assertThat(seqsOf(JournalQuery.of("/even/*").limit(100))).hasSize(10);
        assertThat(seqs(await(journal.query("/odd/**", null, null, 2, null)))).containsExactly(2L, 4L);
    }

    // ---- since ----------------------------------------------------------------------------

    @Test
    void sinceReturnsLaterEntriesInSeqOrderWithAndWithoutLimit() {
        for (int i = 0; i < 10; i++) {
            append(set("/s/" + i, Value.of(i), i, T0));
        }

        assertThat(seqs(await(journal.since(0, null)))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(seqs(await(journal.since(7, null)))).containsExactly(8L, 9L, 10L);
        assertThat(seqs(await(journal.since(3, 2)))).containsExactly(4L, 5L);
        assertThat(seqs(await(journal.since(0, 0)))).isEmpty();
        assertThat(seqs(await(journal.since(10, null)))).isEmpty();
        assertThat(seqs(await(journal.since(Long.MAX_VALUE, null)))).isEmpty();
        assertThat(seqs(await(journal.since(-5, 1)))).containsExactly(1L);
    }

    // ---- snapshots ------------------------------------------------------------------------

    @Test
    void snapshotReturnsTheLatestSeqAndTheLatestSnapshotWins() {
        long before = Micros.now();
        assertThat(await(journal.snapshot(List.of()))).isZero();
        append(set("/p", Value.of(1), 1, T0));
        append(set("/p", Value.of(2), 2, T0));
        List<ParamSnapshot> first = List.of(new ParamSnapshot("/p", Value.of(1), 1, "w", T0));
        assertThat(await(journal.snapshot(first))).isEqualTo(2);
        append(set("/q", Value.of(3), 1, T0));
        List<ParamSnapshot> second = List.of(
                new ParamSnapshot("/p", Value.of(2), 2, "w", T0 + 1),
                new ParamSnapshot("/q", everyKind(), 1, "w2", T0 + 2));
        assertThat(await(journal.snapshot(second))).isEqualTo(3);

        assertThat(await(journal.loadSnapshot())).contains(second);
        Optional<Snapshot> latest = await(journal.latestSnapshot());
        assertThat(latest).isPresent();
        assertThat(latest.get().seq()).isEqualTo(3);
        assertThat(latest.get().params()).isEqualTo(second);
        assertThat(latest.get().createdAt()).isBetween(before, Micros.now());
        // Saving a snapshot is not an entry.
        assertThat(await(journal.size())).isEqualTo(3);
        assertThat(await(journal.latestSeq())).isEqualTo(3);
    }

    @Test
    void snapshotsAreOrderedWithAppends() {
        CompletableFuture<Long> before = journal.append(set("/p", Value.of(1), 1, T0));
        CompletableFuture<Long> snapshot = journal.snapshot(List.of());
        CompletableFuture<Long> after = journal.append(set("/p", Value.of(2), 2, T0));

        assertThat(await(before)).isLessThanOrEqualTo(await(snapshot));
        assertThat(await(after)).isGreaterThan(await(snapshot));
        assertThat(await(snapshot)).isEqualTo(1);
    }

    // ---- compaction -----------------------------------------------------------------------

    @Test
    void compactionsAreOrderedWithAppends() {
        List<CompletableFuture<Long>> before = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            before.add(journal.append(set("/c", Value.of(i), i, T0)));
        }
        CompletableFuture<Long> compaction = journal.compact(Long.MAX_VALUE);
        CompletableFuture<Long> after = journal.append(set("/c", Value.of(301), 301, T0));

        assertThat(before).allSatisfy(f -> assertThat(f).succeedsWithin(WAIT));
        assertThat(await(compaction)).isEqualTo(300);
        assertThat(await(after)).isEqualTo(301);
        assertThat(seqs(await(journal.since(0, null)))).containsExactly(301L);
    }

    @Test
    void compactionRemovesOlderEntriesAndNeverLowersLatestSeq() {
        for (int i = 0; i < 10; i++) {
            append(set("/c/" + i, Value.of(i), i, T0));
        }

        assertThat(await(journal.compact(4))).isEqualTo(3);
        assertThat(await(journal.size())).isEqualTo(7);
        assertThat(seqs(await(journal.since(0, null)))).startsWith(4L).hasSize(7);
        assertThat(seqsOf(JournalQuery.of("/c/*"))).startsWith(4L).hasSize(7);
        assertThat(await(journal.compact(4))).isZero();
        assertThat(await(journal.compact(0))).isZero();
        assertThat(await(journal.compact(-1))).isZero();
        assertThat(await(journal.latestSeq())).isEqualTo(10);

        assertThat(await(journal.compact(Long.MAX_VALUE))).isEqualTo(7);
        assertThat(await(journal.size())).isZero();
        assertThat(await(journal.isEmpty())).isTrue();
        assertThat(await(journal.latestSeq())).isEqualTo(10);

        assertThat(append(set("/c/next", Value.of(1), 1, T0))).isEqualTo(11);
        assertThat(seqs(await(journal.since(0, null)))).containsExactly(11L);
    }

    // ---- bad input ------------------------------------------------------------------------

    static Value nestedArrays(int depth) {
        Value v = Value.NULL;
        for (int i = 0; i < depth; i++) {
            v = Value.of(List.of(v));
        }
        return v;
    }

    static List<Arguments> badEntries() {
        Value v = Value.of(1);
        return List.of(
                Arguments.of("null entry", null, "entry"),
                Arguments.of("empty address", set("", v, 1, T0), "address"),
                Arguments.of("relative address", set("lights/a", v, 1, T0), "address"),
                Arguments.of("negative timestamp", set("/a", v, 1, -1), "timestamp"),
                Arguments.of("negative revision", set("/a", v, -1, T0), "revision"),
                Arguments.of("value nested too deeply", set("/a", nestedArrays(10_000), 1, T0), "value"),
                Arguments.of("unpaired surrogate in address", set("/a\uD800", v, 1, T0), "address"),
                Arguments.of("unpaired surrogate in author", JournalEntry.fromSet("/a", v, 1, "me\uDC00", T0),
                        "author"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEntries")
    void aBadEntryIsRejectedAndChangesNothing(String name, JournalEntry entry, String field) {
        append(set("/ok", Value.of(1), 1, T0));

        CompletableFuture<Long> result = journal.append(entry);

        assertThat(assertFails(result, JournalException.InvalidInput.class)).hasMessageContaining(field);
        assertUnchanged(1, 1);
        assertThat(append(set("/ok", Value.of(2), 2, T0))).isEqualTo(2);
    }

    static List<Arguments> badCalls() {
        return List.<Arguments>of(
                Arguments.of("null query", (CallOn) j -> j.query(null), "query"),
                Arguments.of("null pattern", (CallOn) j -> j.query(null, null, null, null, null), "pattern"),
                Arguments.of("empty pattern", (CallOn) j -> j.query("", null, null, null, null), "pattern"),
                Arguments.of("negative limit", (CallOn) j -> j.query("/**", null, null, -1, null), "limit"),
                Arguments.of("null type", (CallOn) j -> j.query("/**", null, null, null,
                        Arrays.asList(SignalType.EVENT, null)), "types"),
                Arguments.of("since negative limit", (CallOn) j -> j.since(0, -1), "limit"),
                Arguments.of("null snapshot", (CallOn) j -> j.snapshot(null), "snapshot"),
                Arguments.of("null snapshot element", (CallOn) j -> j.snapshot(Arrays.asList(
                        new ParamSnapshot("/p", Value.NULL, 1, "w", 1), null)), "snapshot"),
                Arguments.of("snapshot bad address", (CallOn) j -> j.snapshot(List.of(
                        new ParamSnapshot("p", Value.NULL, 1, "w", 1))), "address"),
                Arguments.of("snapshot negative revision", (CallOn) j -> j.snapshot(List.of(
                        new ParamSnapshot("/p", Value.NULL, -1, "w", 1))), "revision"),
                Arguments.of("snapshot writer with an unpaired surrogate", (CallOn) j -> j.snapshot(List.of(
                        new ParamSnapshot("/p", Value.NULL, 1, "w\uD800", 1))), "writer"),
                Arguments.of("snapshot value nested too deeply", (CallOn) j -> j.snapshot(List.of(
                        new ParamSnapshot("/p", nestedArrays(10_000), 1, "w", 1))), "value"));
    }

    @FunctionalInterface
    interface CallOn {
        CompletableFuture<?> call(Journal journal);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCalls")
    void badArgumentsFailThroughTheFutureAndChangeNothing(String name, CallOn call, String field) {
        append(set("/ok", Value.of(1), 1, T0));
        List<ParamSnapshot> state = List.of(new ParamSnapshot("/ok", Value.of(1), 1, "w", T0));
        await(journal.snapshot(state));

        AtomicReference<CompletableFuture<?>> result = new AtomicReference<>();
        assertThatCode(() -> result.set(call.call(journal))).doesNotThrowAnyException();

        assertThat(assertFails(result.get(), JournalException.InvalidInput.class)).hasMessageContaining(field);
        assertUnchanged(1, 1);
        assertThat(await(journal.loadSnapshot())).contains(state);
    }

    // ---- concurrency ----------------------------------------------------------------------

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void concurrentAppendsGetDistinctSeqsInEachThreadsCallOrder() throws Exception {
        int threads = 8;
        int perThread = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            // A reader that never sees entry N+1 without entry N.
            Future<Long> reader = pool.submit(() -> {
                long seen = 0;
                start.await();
                while (writing.get() || seen < (long) threads * perThread) {
                    // Read the flag before reading entries: an empty read that started before the
                    // last commits says nothing about them, even if the writers are done by now.
                    boolean writersDone = !writing.get();
                    List<JournalEntry> batch = journal.since(seen, 5_000).get(30, TimeUnit.SECONDS);
                    for (JournalEntry e : batch) {
                        assertThat(e.seq()).isEqualTo(seen + 1);
                        seen = e.seq();
                    }
                    if (batch.isEmpty() && writersDone && seen < (long) threads * perThread) {
                        break;
                    }
                }
                return seen;
            });
            List<Future<List<Long>>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String author = "thread-" + t;
                writers.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<Long>> futures = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        futures.add(journal.append(JournalEntry.fromPublish("/load/" + author,
                                SignalType.STREAM, Value.of(i), author, T0 + i)));
                    }
                    List<Long> assigned = new ArrayList<>(perThread);
                    for (CompletableFuture<Long> f : futures) {
                        assigned.add(f.get(60, TimeUnit.SECONDS));
                    }
                    return assigned;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> w : writers) {
                List<Long> assigned = w.get(4, TimeUnit.MINUTES);
                assertThat(assigned).hasSize(perThread).isSorted().doesNotHaveDuplicates();
                all.addAll(assigned);
            }
            writing.set(false);
            assertThat(reader.get(1, TimeUnit.MINUTES)).isEqualTo((long) threads * perThread);

            assertThat(all).hasSize(threads * perThread).doesNotHaveDuplicates();
            List<JournalEntry> stored = await(journal.since(0, null));
            assertThat(seqs(stored)).hasSize(threads * perThread).isSorted().doesNotHaveDuplicates();
            assertThat(stored.get(stored.size() - 1).seq()).isEqualTo((long) threads * perThread);
            // Within each thread the values (its call order) rise with the seq.
            Map<String, Long> lastValue = new LinkedHashMap<>();
            for (JournalEntry e : stored) {
                long v = ((Value.Int) e.value()).value();
                Long previous = lastValue.put(e.author(), v);
                assertThat(v).isEqualTo(previous == null ? 0 : previous + 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- closing --------------------------------------------------------------------------

    @Test
    void everyCallAfterCloseFailsWithClosedAndCloseIsIdempotent() {
        append(set("/a", Value.of(1), 1, T0));
        journal.close();
        journal.close();

        List<Supplier<CompletableFuture<?>>> calls = List.of(
                () -> journal.append(set("/a", Value.of(2), 2, T0)),
                () -> journal.query(JournalQuery.of("/**")),
                () -> journal.query("/**", null, null, null, null),
                () -> journal.since(0, null),
                () -> journal.latestSeq(),
                () -> journal.snapshot(List.of()),
                () -> journal.loadSnapshot(),
                () -> journal.latestSnapshot(),
                () -> journal.compact(1),
                () -> journal.size(),
                () -> journal.isEmpty());
        for (Supplier<CompletableFuture<?>> call : calls) {
            assertFails(call.get(), JournalException.Closed.class);
        }
    }

    @Test
    void afterCloseEvenBadArgumentsAnswerClosed() {
        journal.close();

        List<Supplier<CompletableFuture<?>>> calls = List.of(
                () -> journal.append(null),
                () -> journal.query((JournalQuery) null),
                () -> journal.since(0, -1),
                () -> journal.snapshot(null));
        for (Supplier<CompletableFuture<?>> call : calls) {
            assertFails(call.get(), JournalException.Closed.class);
        }
    }

    @Test
    void aThreadWhoseInterruptFlagIsSetCanAppendAndKeepsTheFlag() {
        CompletableFuture<Long> first;
        CompletableFuture<Long> second;
        boolean stillInterrupted;
        Thread.currentThread().interrupt();
        try {
            first = journal.append(set("/interrupted", Value.of(1), 1, T0));
            second = journal.append(set("/interrupted", Value.of(2), 2, T0));
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        assertThat(stillInterrupted).isTrue();
        assertThat(await(first)).isEqualTo(1);
        assertThat(await(second)).isEqualTo(2);
    }

    @Test
    void appendsAcceptedBeforeCloseAreCompletedNotDropped() {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            futures.add(journal.append(set("/close/" + i, Value.of(i), i, T0)));
        }
        journal.close();

        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i)).succeedsWithin(WAIT).isEqualTo(i + 1L);
        }
    }

    // ---- following ------------------------------------------------------------------------

    protected TestFollower follow(JournalQuery query, long afterSeq, TestFollower follower) {
        journal.follow(query, afterSeq).subscribe(follower);
        return follower.awaitSubscribed(WAIT);
    }

    protected static List<Long> range(long first, long last) {
        return java.util.stream.LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static JournalEntry load(int thread, int i) {
        return JournalEntry.fromPublish("/follow/t" + thread + "/" + (i % 5), SignalType.STREAM,
                Value.of(i), "thread-" + thread, T0 + i);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void followCatchesUpThenStaysLiveWhileFourThreadsAppend() throws Exception {
        int stored = 600;
        for (int i = 0; i < stored; i++) {
            append(load(9, i));
        }
        TestFollower all = follow(JournalQuery.of("/**"), 0, TestFollower.unbounded());
        TestFollower fromMiddle = follow(JournalQuery.of("/follow/**"), 250, TestFollower.unbounded());
        TestFollower oneThread = follow(JournalQuery.of("/follow/t1/*"), 0, TestFollower.unbounded());
        // Requests in small steps, so that it is still catching up while the others append.
        TestFollower stepwise = new TestFollower(7) {
            @Override
            void onEntry(JournalEntry entry) {
                if (count() % 7 == 0) {
                    request(7);
                }
            }
        };
        follow(JournalQuery.of("/**"), 0, stepwise);

        int threads = 4;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    List<CompletableFuture<Long>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        futures.add(journal.append(load(thread, i)));
                        if (i % 100 == 0) {
                            Thread.yield();
                        }
                    }
                    futures.forEach(f -> f.join());
                    return null;
                }));
            }
            for (Future<?> w : writers) {
                w.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = stored + threads * perThread;
        all.awaitCount(total, WAIT);
        fromMiddle.awaitCount(total - 250, WAIT);
        stepwise.awaitCount(total, WAIT);
        List<JournalEntry> expected = await(journal.since(0, null));
        assertThat(expected).hasSize(total);

        assertThat(all.received()).containsExactlyElementsOf(expected);
        assertThat(stepwise.received()).containsExactlyElementsOf(expected);
        assertThat(fromMiddle.seqs()).containsExactlyElementsOf(range(251, total));
        List<JournalEntry> ofThreadOne = expected.stream()
                .filter(e -> e.address().startsWith("/follow/t1/")).toList();
        oneThread.awaitCount(ofThreadOne.size(), WAIT);
        assertThat(oneThread.received()).containsExactlyElementsOf(ofThreadOne);
        for (TestFollower f : List.of(all, fromMiddle, oneThread, stepwise)) {
            assertThat(f.violations()).isEmpty();
            assertThat(f.isTerminated()).isFalse();
        }
    }

    @Test
    void followFiltersByPatternTypesAndTimeInCatchUpAndLive() {
        JournalQuery query = JournalQuery.of("/lights/*/brightness").types(SignalType.PARAM)
                .from(T0 + 10).to(T0 + 1_000);
        List<JournalEntry> batch = List.of(
                set("/lights/a/brightness", Value.of(1), 1, T0 + 10),      // kept
                set("/lights/a/brightness", Value.of(2), 2, T0 + 5),       // too early
                event("/lights/a/brightness", Value.of(3), T0 + 20),        // an event
                set("/lights/a/b/brightness", Value.of(4), 1, T0 + 20),    // no match
                set("/lights/b/brightness", Value.of(5), 1, T0 + 1_000),   // kept
                set("/lights/b/brightness", Value.of(6), 2, T0 + 1_001));  // too late
        batch.forEach(this::append);
        TestFollower follower = follow(query, 0, TestFollower.unbounded());
        follower.awaitCount(2, WAIT);
        batch.forEach(this::append);
        follower.awaitCount(4, WAIT);

        assertThat(follower.seqs()).containsExactly(1L, 5L, 7L, 11L);
        assertThat(follower.received().get(3)).isEqualTo(batch.get(4).withSeq(11));
        assertThat(follower.violations()).isEmpty();
    }

    @Test
    void aFollowerThatRequestsOneAtATimeAndSleepsGetsEveryEntryNeverMoreThanRequested() {
        for (int i = 0; i < 100; i++) {
            append(event("/slow/" + i, Value.of(i), T0 + i));
        }
        TestFollower slow = new TestFollower(1) {
            @Override
            void onEntry(JournalEntry entry) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                request(1);
            }
        };
        follow(JournalQuery.of("/slow/**"), 0, slow);
        for (int i = 100; i < 700; i++) {
            journal.append(event("/slow/" + i, Value.of(i), T0 + i));
        }
        slow.awaitCount(700, WAIT);

        assertThat(slow.seqs()).containsExactlyElementsOf(range(1, 700));
        assertThat(slow.violations()).isEmpty();
    }

    @Test
    void withoutRequestsNothingIsDelivered() throws Exception {
        appendAll(List.of("/a", "/b", "/c"));
        TestFollower idle = follow(JournalQuery.of("/**"), 0, new TestFollower(0));
        append(set("/d", Value.of(1), 1, T0));
        Thread.sleep(100);
        assertThat(idle.count()).isZero();

        idle.request(2);
        idle.awaitCount(2, WAIT);
        Thread.sleep(50);
        assertThat(idle.seqs()).containsExactly(1L, 2L);
        idle.request(5);
        idle.awaitCount(4, WAIT);
        assertThat(idle.seqs()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(idle.violations()).isEmpty();
    }

    @Test
    void cancelMidStreamStopsTheStream() throws Exception {
        for (int i = 0; i < 50; i++) {
            append(event("/c", Value.of(i), T0));
        }
        TestFollower cancelling = new TestFollower(Long.MAX_VALUE) {
            @Override
            void onEntry(JournalEntry entry) {
                if (entry.seq() == 10) {
                    cancel();
                }
            }
        };
        follow(JournalQuery.of("/c"), 0, cancelling);
        cancelling.awaitCount(10, WAIT);
        for (int i = 0; i < 50; i++) {
            append(event("/c", Value.of(i), T0));
        }
        Thread.sleep(100);

        assertThat(cancelling.seqs()).containsExactlyElementsOf(range(1, 10));
        assertThat(cancelling.isTerminated()).isFalse();
        assertThat(cancelling.violations()).isEmpty();
    }

    @Test
    void aLimitEndsTheStreamWithOnComplete() {
        appendAll(List.of("/l/1", "/x", "/l/2"));
        TestFollower limited = follow(JournalQuery.of("/l/*").limit(4), 0, TestFollower.unbounded());
        limited.awaitCount(2, WAIT);
        appendAll(List.of("/l/3", "/l/4", "/l/5"));
        limited.awaitTerminated(WAIT);

        assertThat(limited.completed()).isTrue();
        assertThat(limited.error()).isNull();
        assertThat(limited.seqs()).containsExactly(1L, 3L, 4L, 5L);
        assertThat(follow(JournalQuery.of("/**").limit(0), 0, new TestFollower(0))
                .awaitTerminated(WAIT).completed()).isTrue();
    }

    @Test
    void badFollowArgumentsEndTheStreamWithInvalidInput() {
        appendAll(List.of("/a"));
        List<TestFollower> bad = List.of(
                follow(JournalQuery.of("/**").descending(), 0, new TestFollower(1)),
                follow(JournalQuery.of("/**"), -1, new TestFollower(1)),
                follow(null, 0, new TestFollower(1)));
        for (TestFollower f : bad) {
            f.awaitTerminated(WAIT);
            assertThat(f.error()).isInstanceOf(JournalException.InvalidInput.class);
            assertThat(f.count()).isZero();
        }
        assertThat(bad.get(0).error()).hasMessageContaining("ascending");
        assertThat(bad.get(1).error()).hasMessageContaining("afterSeq");
        assertThat(bad.get(2).error()).hasMessageContaining("query");
        assertThatCode(() -> journal.follow(JournalQuery.of("/**"), 0).subscribe(null))
                .isInstanceOf(NullPointerException.class);
        assertUnchanged(1, 1);
    }

    @Test
    void closeEndsEveryStreamWithClosed() {
        appendAll(List.of("/a", "/b"));
        TestFollower live = follow(JournalQuery.of("/**"), 0, TestFollower.unbounded());
        TestFollower waiting = follow(JournalQuery.of("/**"), 0, new TestFollower(0));
        live.awaitCount(2, WAIT);
        journal.close();

        for (TestFollower f : List.of(live, waiting)) {
            f.awaitTerminated(WAIT);
            assertThat(f.error()).isInstanceOf(JournalException.Closed.class);
            assertThat(f.violations()).isEmpty();
        }
        TestFollower late = follow(JournalQuery.of("/**"), 0, new TestFollower(1)).awaitTerminated(WAIT);
        assertThat(late.error()).isInstanceOf(JournalException.Closed.class);
    }

    @Test
    void compactionBeforeAFollowerReadsEndsItWithTruncatedNamingTheSeqs() {
        for (int i = 0; i < 10; i++) {
            append(event("/t", Value.of(i), T0));
        }
        TestFollower early = follow(JournalQuery.of("/t"), 2, new TestFollower(0));
        assertThat(await(journal.compact(6))).isEqualTo(5);
        early.request(100);
        early.awaitTerminated(WAIT);

        JournalException.Truncated truncated = (JournalException.Truncated) early.error();
        assertThat(truncated).isInstanceOf(JournalException.Truncated.class);
        assertThat(truncated.firstMissed()).isEqualTo(3);
        assertThat(truncated.oldestHeld()).isEqualTo(6);
        assertThat(early.count()).isZero();

        // Following again from oldestHeld - 1 works; so does a follower that needs nothing gone.
        TestFollower again = follow(JournalQuery.of("/t"), truncated.oldestHeld() - 1,
                TestFollower.unbounded()).awaitCount(5, WAIT);
        assertThat(again.seqs()).containsExactlyElementsOf(range(6, 10));
        assertThat(await(journal.compact(11))).isEqualTo(5);
        append(event("/t", Value.of(10), T0));
        again.awaitCount(6, WAIT);
        assertThat(again.seqs()).containsExactlyElementsOf(range(6, 11));
        assertThat(again.isTerminated()).isFalse();
        TestFollower afterAll = follow(JournalQuery.of("/t"), 0, new TestFollower(1)).awaitTerminated(WAIT);
        assertThat(((JournalException.Truncated) afterAll.error()).oldestHeld()).isEqualTo(11);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aSlowFollowerKeepsOnlyASmallBufferAndIsTruncatedWhenCompactionPassesIt() throws InterruptedException {
        TestFollower slow = follow(JournalQuery.of("/s/**"), 0, new TestFollower(1));
        // More than the stream may hold, then a compaction past what it holds.
        int total = FollowHub.STREAM_BUFFER + FollowHub.MAX_BATCH + 2_000;
        int keepFrom = total - 1_000;
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            futures.add(journal.append(event("/s/" + (i % 3), Value.of(i), T0 + i)));
        }
        futures.forEach(f -> await(f));
        slow.awaitCount(1, WAIT);
        Thread.sleep(200); // let the commits reach the stream: what it holds is bounded
        assertThat(await(journal.compact(keepFrom))).isEqualTo(keepFrom - 1L);
        slow.request(Long.MAX_VALUE);
        slow.awaitTerminated(WAIT);

        // Whatever it had buffered came first, in order; then the gap is reported, not skipped.
        List<Long> got = slow.seqs();
        assertThat(got).containsExactlyElementsOf(range(1, got.size()));
        assertThat(got.size()).as("entries held for a follower that requested one")
                .isLessThanOrEqualTo(FollowHub.MAX_BATCH + FollowHub.STREAM_BUFFER + 1);
        assertThat(slow.error()).isInstanceOf(JournalException.Truncated.class);
        JournalException.Truncated truncated = (JournalException.Truncated) slow.error();
        assertThat(truncated.firstMissed()).isEqualTo(got.size() + 1L);
        assertThat(truncated.oldestHeld()).isEqualTo(keepFrom);
        assertThat(slow.violations()).isEmpty();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aBlockedSubscriberStallsNeitherTheWriterNorOtherStreams() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestFollower blocked = new TestFollower(Long.MAX_VALUE) {
            @Override
            void onEntry(JournalEntry entry) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        follow(JournalQuery.of("/**"), 0, blocked);
        TestFollower other = follow(JournalQuery.of("/**"), 0, TestFollower.unbounded());
        try {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                futures.add(journal.append(event("/b/" + (i % 7), Value.of(i), T0 + i)));
            }
            for (CompletableFuture<Long> f : futures) {
                assertThat(f).succeedsWithin(WAIT);
            }
            other.awaitCount(2_000, WAIT);
            assertThat(other.seqs()).containsExactlyElementsOf(range(1, 2_000));
            assertThat(blocked.count()).isEqualTo(1);
        } finally {
            release.countDown();
        }
        blocked.awaitCount(2_000, WAIT);
        assertThat(blocked.seqs()).containsExactlyElementsOf(range(1, 2_000));
        assertThat(blocked.violations()).isEmpty();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aThousandStreamsShareCommitsAndCancelledOnesLeaveNoThreads() throws Exception {
        int streams = 1_000;
        int addresses = 50;
        List<TestFollower> followers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            followers.add(follow(JournalQuery.of("/many/" + (i % addresses) + "/*"), 0,
                    TestFollower.unbounded()));
        }
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 4 * addresses; i++) {
            futures.add(journal.append(event("/many/" + (i % addresses) + "/x", Value.of(i), T0 + i)));
        }
        futures.forEach(f -> await(f));
        for (int i = 0; i < streams; i++) {
            TestFollower f = followers.get(i).awaitCount(4, WAIT);
            long first = i % addresses + 1;
            assertThat(f.seqs()).containsExactly(first, first + addresses, first + 2 * addresses,
                    first + 3 * addresses);
        }
        followers.forEach(TestFollower::cancel);
        append(event("/many/0/x", Value.of(-1), T0));
        Thread.sleep(100);
        for (TestFollower f : followers) {
            assertThat(f.count()).isEqualTo(4);
            assertThat(f.violations()).isEmpty();
        }
        // Idle streams hold no thread; the subscriber threads of cancelled ones end.
        TestFollower.awaitTrue(() -> followThreads() == 0, Duration.ofSeconds(30),
                () -> followThreads() + " subscriber threads still alive");
        assertThat(await(journal.latestSeq())).isEqualTo(4L * addresses + 1);
    }

    // ---- runtime statistics ----------------------------------------------------------------

    /**
     * Whether the backend commits its writes in transactions (and so reports commits, batches
     * of more than one and commit times); a memory journal does not.
     */
    protected boolean commitsInTransactions() {
        return true;
    }

    @Test
    void statsOfANewJournalAreZero() {
        JournalStats stats = journal.stats();
        assertThat(stats.appends()).isZero();
        assertThat(stats.commits()).isZero();
        assertThat(stats.meanBatch()).isZero();
        assertThat(stats.largestBatch()).isZero();
        assertThat(stats.commitMax()).isEqualTo(Duration.ZERO);
        assertThat(stats.queueDepth()).isZero();
        assertThat(stats.reads()).isZero();
        assertThat(stats.entriesRead()).isZero();
        assertThat(stats.failures()).isZero();
        assertThat(stats.rejected()).isZero();
    }

    @Test
    void statsCountAppendsReadsAndEntriesReturned() {
        appendAll(List.of("/a/1", "/a/2", "/b/1", "/b/2", "/b/3"));
        assertThat(await(journal.query(JournalQuery.of("/b/*")))).hasSize(3);
        assertThat(await(journal.since(3, null))).hasSize(2);
        assertThat(await(journal.query(JournalQuery.of("/nothing/**")))).isEmpty();
        await(journal.latestSeq()); // not an entry read

        JournalStats stats = journal.stats();
        assertThat(stats.appends()).isEqualTo(5);
        assertThat(stats.reads()).isEqualTo(3);
        assertThat(stats.entriesRead()).isEqualTo(5);
        assertThat(stats.failures()).isZero();
        assertThat(stats.rejected()).isZero();
        assertThat(stats.queueDepth()).isZero();
        assertThat(stats.largestBatch()).isBetween(1, 5);
        assertThat(stats.meanBatch()).isBetween(1.0, (double) stats.largestBatch());
        if (commitsInTransactions()) {
            // Each caller waited for its append, so each append had a commit of its own.
            assertThat(stats.commits()).isEqualTo(5);
            assertThat(stats.commitMax()).isPositive();
            assertThat(stats.commitP50()).isPositive().isLessThanOrEqualTo(stats.commitP99());
            assertThat(stats.commitP99()).isLessThanOrEqualTo(stats.commitMax());
            assertThat(stats.commitTimeTotal()).isGreaterThanOrEqualTo(stats.commitMax());
        } else {
            assertThat(stats.commits()).isZero();
            assertThat(stats.commitMax()).isEqualTo(Duration.ZERO);
        }
    }

    @Test
    void statsCountASnapshotAsAWriteButNotAsAnAppend() {
        append(set("/a", Value.of(1), 1, T0));
        await(journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(1), 1, "w", T0))));
        JournalStats stats = journal.stats();
        assertThat(stats.appends()).isEqualTo(1);
        if (commitsInTransactions()) {
            assertThat(stats.commits()).isEqualTo(2);
            assertThat(stats.meanBatch()).isEqualTo(1.0);
        }
    }

    @Test
    void statsCountBadInputAsRejectedAndNotAsFailures() {
        append(set("/a", Value.of(1), 1, T0));
        assertFails(journal.append(set("no-slash", Value.of(1), 1, T0)), JournalException.InvalidInput.class);
        assertFails(journal.append(null), JournalException.InvalidInput.class);
        assertFails(journal.query(null), JournalException.InvalidInput.class);
        assertFails(journal.since(0, -1), JournalException.InvalidInput.class);

        JournalStats stats = journal.stats();
        assertThat(stats.rejected()).isEqualTo(4);
        assertThat(stats.failures()).isZero();
        assertThat(stats.appends()).isEqualTo(1);
        assertThat(stats.reads()).isZero();
    }

    @Test
    void statsStillAnswerAfterCloseWithTheFinalFigures() {
        appendAll(List.of("/a/1", "/a/2"));
        journal.close();
        assertFails(journal.append(set("/a/3", Value.of(3), 3, T0)), JournalException.Closed.class);
        JournalStats stats = journal.stats();
        assertThat(stats.appends()).isEqualTo(2);
        assertThat(stats.rejected()).isZero(); // a closed journal is neither bad input nor a failure
        assertThat(stats.failures()).isZero();
    }

    @Test
    void statsAreCountedExactlyUnderConcurrentAppendsAndReads() throws Exception {
        int threads = 4;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    List<CompletableFuture<Long>> appends = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        appends.add(journal.append(event("/load/" + thread, Value.of(i), T0 + i)));
                    }
                    appends.forEach(f -> await(f));
                    assertThat(await(journal.query(JournalQuery.of("/load/" + thread)))).hasSize(perThread);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        JournalStats stats = journal.stats();
        long appends = (long) threads * perThread;
        assertThat(stats.appends()).isEqualTo(appends);
        assertThat(stats.reads()).isEqualTo(threads);
        assertThat(stats.entriesRead()).isEqualTo(appends);
        assertThat(stats.queueDepth()).isZero();
        if (commitsInTransactions()) {
            // Every append was committed by some transaction, and the mean is exactly theirs.
            assertThat(stats.commits()).isBetween(1L, appends);
            assertThat(stats.meanBatch()).isCloseTo((double) appends / stats.commits(),
                    org.assertj.core.data.Offset.offset(1e-9));
            assertThat(stats.largestBatch()).isGreaterThanOrEqualTo((int) Math.ceil(stats.meanBatch()));
        }
    }

    /** The threads that run subscribers for any journal, other than the dispatchers. */
    private static long followThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("clasp-journal-follow-")
                        && !t.getName().equals("clasp-journal-follow-dispatch"))
                .count();
    }
}
