package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DataModelTest {

    @Test
    void floatsCompareLikeDoubleCompare() {
        assertThat(Value.of(Double.NaN)).isEqualTo(Value.of(Double.NaN));
        assertThat(Value.of(Double.NaN).hashCode()).isEqualTo(Value.of(Double.NaN).hashCode());
        assertThat(Value.of(0.0)).isNotEqualTo(Value.of(-0.0));
        assertThat(Value.of(1.0)).isNotEqualTo(Value.of(1));
    }

    @Test
    void bytesCompareByContentAndNeverExposeTheirArray() {
        byte[] source = {1, 2, 3};
        Value.Bytes bytes = (Value.Bytes) Value.of(source);
        source[0] = 9;
        assertThat(bytes.data()).containsExactly(1, 2, 3);
        bytes.data()[1] = 9;
        assertThat(bytes.data()).containsExactly(1, 2, 3);
        assertThat(bytes).isEqualTo(Value.of(new byte[] {1, 2, 3}));
        assertThat(bytes.hashCode()).isEqualTo(Value.of(new byte[] {1, 2, 3}).hashCode());
        assertThat(bytes.length()).isEqualTo(3);
        assertThat(bytes.byteAt(2)).isEqualTo((byte) 3);
        assertThat(bytes.toString()).isEqualTo("Bytes[010203]");
    }

    @Test
    void containersAreImmutableCopiesThatKeepOrder() {
        List<Value> items = new ArrayList<>(List.of(Value.of(1), Value.of("x")));
        Value.Array array = (Value.Array) Value.of(items);
        items.add(Value.NULL);
        assertThat(array.items()).containsExactly(Value.of(1), Value.of("x"));
        assertThatThrownBy(() -> array.items().add(Value.NULL)).isInstanceOf(UnsupportedOperationException.class);

        Map<String, Value> entries = new LinkedHashMap<>();
        entries.put("z", Value.of(1));
        entries.put("a", Value.of(2));
        entries.put("m", Value.of(3));
        Value.Map map = (Value.Map) Value.of(entries);
        entries.put("b", Value.NULL);
        assertThat(map.entries().keySet()).containsExactly("z", "a", "m");
        assertThatThrownBy(() -> map.entries().put("q", Value.NULL))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void valuesRejectNulls() {
        assertThatThrownBy(() -> Value.of((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Value.of((byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Value.of((List<Value>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Value.of(Arrays.asList(Value.NULL, null)))
                .isInstanceOf(NullPointerException.class);
        Map<String, Value> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThatThrownBy(() -> Value.of(nullValue)).isInstanceOf(NullPointerException.class);
        Map<String, Value> nullKey = new LinkedHashMap<>();
        nullKey.put(null, Value.NULL);
        assertThatThrownBy(() -> Value.of(nullKey)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void signalTypesUseLowercaseWireNames() {
        assertThat(Arrays.stream(SignalType.values()).map(SignalType::wireName))
                .containsExactly("param", "event", "stream", "gesture", "timeline");
        for (SignalType t : SignalType.values()) {
            assertThat(SignalType.fromWireName(t.wireName())).isSameAs(t);
        }
        assertThatThrownBy(() -> SignalType.fromWireName("Event")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignalType.fromWireName(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void entryFactoriesFillInTheMessageShape() {
        JournalEntry set = JournalEntry.fromSet("/a", Value.of(0.5), 3, "s", 10);
        assertThat(set.seq()).isZero();
        assertThat(set.signalType()).isEqualTo(SignalType.PARAM);
        assertThat(set.revision()).hasValue(3);
        assertThat(set.msgType()).isEqualTo(0x21);
        assertThat(set.isSet()).isTrue();

        JournalEntry pub = JournalEntry.fromPublish("/b", SignalType.GESTURE, Value.NULL, "s", 11);
        assertThat(pub.revision()).isEmpty();
        assertThat(pub.msgType()).isEqualTo(0x20);
        assertThat(pub.isSet()).isFalse();
        assertThat(pub.withSeq(42).seq()).isEqualTo(42);
        assertThat(pub.withSeq(42)).isEqualTo(new JournalEntry(42, 11, "s", "/b", SignalType.GESTURE,
                Value.NULL, OptionalLong.empty(), 0x20));
    }

    @Test
    void recordsRejectNulls() {
        assertThatThrownBy(() -> JournalEntry.fromSet(null, Value.NULL, 1, "a", 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> JournalEntry.fromSet("/a", null, 1, "a", 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("value");
        assertThatThrownBy(() -> JournalEntry.fromPublish("/a", null, Value.NULL, "a", 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("signalType");
        assertThatThrownBy(() -> new ParamSnapshot("/a", Value.NULL, 1, null, 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("writer");
        assertThatThrownBy(() -> new Snapshot(1, 1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Snapshot(1, 1, Arrays.asList((ParamSnapshot) null)))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void queriesAreImmutableAndValidateAtConstruction() {
        JournalQuery base = JournalQuery.of("/lights/**");
        JournalQuery narrowed = base.from(5).to(9).limit(3).types(SignalType.EVENT).descending();

        assertThat(base.fromMicros()).isEmpty();
        assertThat(base.maxResults()).isEmpty();
        assertThat(base.isDescending()).isFalse();
        assertThat(base.signalTypes()).isEmpty();
        assertThat(narrowed.pattern()).isEqualTo("/lights/**");
        assertThat(narrowed.fromMicros()).hasValue(5);
        assertThat(narrowed.toMicros()).hasValue(9);
        assertThat(narrowed.maxResults()).hasValue(3);
        assertThat(narrowed.signalTypes()).containsExactly(SignalType.EVENT);
        assertThat(narrowed.isDescending()).isTrue();
        assertThat(narrowed).isEqualTo(JournalQuery.of("/lights/**").descending().types(SignalType.EVENT)
                .limit(3).to(9).from(5));
        assertThat(narrowed.toString()).contains("/lights/**", "limit=3", "descending");

        assertThatThrownBy(() -> JournalQuery.of(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> JournalQuery.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.limit(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.types((SignalType) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void queriesMatchSingleEntriesOnEveryFilter() {
        JournalEntry e = JournalEntry.fromPublish("/lights/a", SignalType.EVENT, Value.NULL, "s", 100);
        assertThat(JournalQuery.of("/lights/*").matches(e)).isTrue();
        assertThat(JournalQuery.of("/lights/*").from(100).to(100).matches(e)).isTrue();
        assertThat(JournalQuery.of("/lights/*").from(101).matches(e)).isFalse();
        assertThat(JournalQuery.of("/lights/*").to(99).matches(e)).isFalse();
        assertThat(JournalQuery.of("/lights/*").types(SignalType.PARAM).matches(e)).isFalse();
        assertThat(JournalQuery.of("/audio/*").matches(e)).isFalse();
    }
}
