package to.clasp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static to.clasp.journal.SqliteTestSupport.assertFails;
import static to.clasp.journal.SqliteTestSupport.await;
import static to.clasp.journal.SqliteTestSupport.key;
import static to.clasp.journal.SqliteTestSupport.seqs;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import to.clasp.journal.internal.postgres.PostgresListener;
import to.clasp.journal.internal.postgres.PostgresPools;
import to.clasp.journal.internal.postgres.PostgresSchema;

/** What the contract does not cover: sharing a schema, the stored form, integrity, opening and closing. */
class PostgresJournalTest {

    private static final long T0 = 1_708_500_000_000_000L;

    @BeforeAll
    static void server() {
        PostgresTestSupport.requireServer();
    }

    private static PostgresJournal open(String schema) {
        return PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).build();
    }

    private static List<String> column(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = PostgresTestSupport.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void journalsOnOneSchemaShareSeqsSnapshotsAndLatestSeq() {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal a = open(schema); PostgresJournal b = open(schema)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add((i % 2 == 0 ? a : b).append(JournalEntry.fromSet("/shared/" + i, Value.of(i), i, "r", T0)));
            }
            futures.forEach(CompletableFuture::join);
            assertThat(seqs(await(a.since(0, null)))).containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
            assertThat(await(b.latestSeq())).isEqualTo(200);
            assertThat(await(a.snapshot(List.of()))).isEqualTo(200);
            assertThat(await(b.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(200L);
            assertThat(await(b.compact(101))).isEqualTo(100);
            assertThat(await(a.size())).isEqualTo(100);
            assertThat(await(a.append(JournalEntry.fromSet("/shared/x", Value.of(1), 1, "r", T0)))).isEqualTo(201);
        }
    }

    @Test
    void storedRowsUseTheRustJsonAndReadableAddresses() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = open(schema)) {
            await(journal.append(JournalEntry.fromSet("/lights/a", Value.of(1.0), 1, "me", T0)));
            await(journal.append(JournalEntry.fromSet("/a/\u0000/\u0001", Value.of(new byte[] {1, 2}), 1, "n\u0000", T0)));

            assertThat(column("SELECT value_json FROM " + schema + ".journal_entries ORDER BY seq"))
                    .containsExactly("1.0", "[1,2]");
            assertThat(column("SELECT address FROM " + schema + ".journal_entries ORDER BY seq"))
                    .containsExactly("/lights/a", "/a/\u0001\u0001/\u0001\u0002");
            assertThat(column("SELECT count(*) FROM " + schema + ".journal_entries WHERE value_exact IS NOT NULL"))
                    .containsExactly("1");
            assertThat(await(journal.since(0, null))).extracting(JournalEntry::address, JournalEntry::author)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("/lights/a", "me"),
                            org.assertj.core.groups.Tuple.tuple("/a/\u0000/\u0001", "n\u0000"));
            assertThat(seqs(await(journal.query(JournalQuery.of("/a/\u0000/*"))))).containsExactly(2L);
            assertThat(seqs(await(journal.query(JournalQuery.of("/a/\u0001/*"))))).isEmpty();
        }
    }

    @Test
    void storedEscapesKeepOrderAndPrefixes() {
        List<String> texts = List.of("", "\u0000", "\u0000\u0000", "\u0000a", "\u0001", "\u0001\u0000", "\u0002", "a",
                "a\u0000", "a\u0001", "ab", "\uFFFF", "😀");
        for (String x : texts) {
            assertThat(PostgresSchema.fromStored(PostgresSchema.toStored(x))).isEqualTo(x);
            for (String y : texts) {
                assertThat(Integer.signum(compareCodePoints(PostgresSchema.toStored(x), PostgresSchema.toStored(y))))
                        .as("%s vs %s", x, y).isEqualTo(Integer.signum(compareCodePoints(x, y)));
                assertThat(PostgresSchema.toStored(x).startsWith(PostgresSchema.toStored(y)))
                        .as("%s starts with %s", x, y).isEqualTo(x.startsWith(y));
            }
        }
    }

    private static int compareCodePoints(String a, String b) {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        return java.util.Arrays.compare(x, y);
    }

    @Test
    void tamperingWithASignedRowFailsWithIntegrityNamingTheSeq() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .hmacKey(key(5)).build()) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
            await(journal.append(JournalEntry.fromSet("/b", Value.of(new byte[] {9}), 1, "me", T0)));
            assertThat(await(journal.since(0, null))).hasSize(2);

            PostgresTestSupport.execute("UPDATE " + schema + ".journal_entries SET value_exact = '\\x0142ff'::bytea WHERE seq = 2");
            assertThat(assertFails(journal.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(2);
            PostgresTestSupport.execute("UPDATE " + schema + ".journal_entries SET value_json = '2' WHERE seq = 1");
            assertThat(assertFails(journal.query(JournalQuery.of("/a")), JournalException.Integrity.class).seq()).isEqualTo(1);
        }
        try (PostgresJournal wrongKey = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema)
                .hmacKey(key(6)).build()) {
            assertThat(assertFails(wrongKey.since(0, null), JournalException.Integrity.class).seq()).isEqualTo(1);
        }
    }

    @Test
    void corruptRowsAndSnapshotsFailWithTheirOwnErrors() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = open(schema)) {
            await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
            await(journal.snapshot(List.of(new ParamSnapshot("/a", Value.of(1), 1, "me", T0))));
            PostgresTestSupport.execute("UPDATE " + schema + ".journal_entries SET signal_type = 'bogus'");
            PostgresTestSupport.execute("UPDATE " + schema + ".snapshots SET data_json = '{', data_exact = NULL");

            assertThat(assertFails(journal.since(0, null), JournalException.Serialization.class)).hasMessageContaining("seq 1");
            assertFails(journal.loadSnapshot(), JournalException.Snapshot.class);
        }
    }

    @Test
    void anAppendTheDatabaseRejectsFailsAloneAndItsGroupStillCommits() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = open(schema)) {
            PostgresTestSupport.execute("CREATE FUNCTION " + schema + ".refuse() RETURNS trigger AS $$ BEGIN"
                    + " IF NEW.address = '/refused' THEN RAISE EXCEPTION 'refused by a trigger'; END IF;"
                    + " RETURN NEW; END $$ LANGUAGE plpgsql");
            PostgresTestSupport.execute("CREATE TRIGGER refuse BEFORE INSERT ON " + schema
                    + ".journal_entries FOR EACH ROW EXECUTE FUNCTION " + schema + ".refuse()");
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String address = i == 150 ? "/refused" : "/ok/" + i;
                futures.add(journal.append(JournalEntry.fromSet(address, Value.of(i), i, "me", T0)));
                if (i == 200) {
                    futures.add(journal.snapshot(List.of()).thenApply(seq -> -seq));
                }
            }
            assertThat(assertFails(futures.get(150), JournalException.Storage.class)).hasMessageContaining("refused");
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                if (i != 150) {
                    seqs.add(await(futures.get(i)));
                }
            }
            assertThat(seqs.remove(Long.valueOf(-200L))).as("the snapshot covers the 200 appends before it that committed").isTrue();
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 299).boxed().toList());
            assertThat(await(journal.latestSeq())).isEqualTo(299);
            assertThat(await(journal.append(JournalEntry.fromSet("/ok/next", Value.of(1), 1, "me", T0)))).isEqualTo(300);
        }
    }

    @Test
    void theListenerHearsCommitsOfAnyJournalOnTheSchemaAndNothingElse() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        String other = PostgresTestSupport.freshSchema();
        try (PostgresJournal writer = open(schema); PostgresJournal elsewhere = open(other)) {
            java.util.concurrent.Semaphore heard = new java.util.concurrent.Semaphore(0);
            try (PostgresListener listener = new PostgresListener(PostgresTestSupport.dataSource(),
                    new PostgresSchema(schema).channel, heard::release, "test")) {
                assertThat(heard.tryAcquire(30, java.util.concurrent.TimeUnit.SECONDS))
                        .as("the call made once listening").isTrue();
                assertThat(listener.isListening()).isTrue();
                await(elsewhere.append(JournalEntry.fromSet("/x", Value.of(1), 1, "me", T0)));
                assertThat(heard.tryAcquire(1, java.util.concurrent.TimeUnit.SECONDS))
                        .as("a commit on another schema").isFalse();
                await(writer.append(JournalEntry.fromSet("/x", Value.of(1), 1, "me", T0)));
                assertThat(heard.tryAcquire(30, java.util.concurrent.TimeUnit.SECONDS))
                        .as("a commit on the schema").isTrue();
            }
        }
    }

    @Test
    void compactionDeletesInChunksAndCountsExactly() {
        try (PostgresJournal journal = PostgresTestSupport.newJournal()) {
            int n = PostgresJournal.COMPACTION_CHUNK * 2 + 500;
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(journal.append(JournalEntry.fromPublish("/c", SignalType.STREAM, Value.of(i), "me", T0)));
            }
            futures.forEach(CompletableFuture::join);
            CompletableFuture<Long> compaction = journal.compact(n - 9);
            long next = await(journal.append(JournalEntry.fromPublish("/c", SignalType.STREAM, Value.of(-1), "me", T0)));

            assertThat(await(compaction)).isEqualTo(n - 10L);
            assertThat(next).isEqualTo(n + 1L);
            assertThat(seqs(await(journal.since(0, null))))
                    .containsExactlyElementsOf(LongStream.rangeClosed(n - 9L, n + 1L).boxed().toList());
        }
    }

    @Test
    void closeStopsACompactionBetweenChunksLeavingASuffix() {
        String schema = PostgresTestSupport.freshSchema();
        int n = PostgresJournal.COMPACTION_CHUNK * 8;
        CompletableFuture<Long> compaction;
        try (PostgresJournal journal = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).build()) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(journal.append(JournalEntry.fromPublish("/c", SignalType.STREAM, Value.of(i), "me", T0)));
            }
            futures.forEach(CompletableFuture::join);
            compaction = journal.compact(n + 1);
        } // closed at once: the compaction may not have begun, may be part-way, or may be done
        assertThat(compaction).as("close() returns with the compaction's future completed").isDone();
        long removed;
        if (compaction.isCompletedExceptionally()) {
            JournalException.Closed closed = assertFails(compaction, JournalException.Closed.class);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("after it removed (\\d+) entries")
                    .matcher(closed.getMessage());
            assertThat(m.find()).as(closed.getMessage()).isTrue();
            removed = Long.parseLong(m.group(1));
            assertThat(removed).isLessThan(n).isEqualTo(removed / PostgresJournal.COMPACTION_CHUNK
                    * PostgresJournal.COMPACTION_CHUNK);
        } else {
            removed = compaction.join();
            assertThat(removed).isEqualTo(n);
        }
        try (PostgresJournal reopened = PostgresJournal.builder(PostgresTestSupport.dataSource()).schema(schema).build()) {
            assertThat(seqs(await(reopened.since(0, null))))
                    .as("what is left is the newest entries, every one of them")
                    .containsExactlyElementsOf(LongStream.rangeClosed(removed + 1, n).boxed().toList());
            assertThat(await(reopened.compact(n + 1))).isEqualTo(n - removed);
        }
    }

    @Test
    void badSchemaNamesAndOptionsAreRefused() {
        DataSource ds = PostgresTestSupport.dataSource();
        for (String bad : new String[] {null, "", "Upper", "1abc", "a-b", "a;drop", "x".repeat(56)}) {
            assertThatThrownBy(() -> PostgresJournal.builder(ds).schema(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        // Names of the right form that PostgreSQL keeps for itself or cannot take unquoted.
        for (String reserved : new String[] {"pg_temp", "pg_catalog", "pg_x", "information_schema", "user", "table",
            "select"}) {
            assertThatThrownBy(() -> PostgresJournal.builder(ds).schema(reserved)).as(reserved)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reserved)
                    .hasMessageContaining("reserved");
        }
        assertThat(PostgresJournal.builder(ds).schema("values")).as("a key word that may name a schema").isNotNull();
        assertThatThrownBy(() -> PostgresJournal.builder(ds).hmacKey(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresJournal.builder(ds).maxBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresJournal.builder(ds).maxBatchSize(PostgresJournal.MAX_BATCH_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresJournal.builder(ds).maxBatchSize(1 << 25)).isInstanceOf(IllegalArgumentException.class);
        assertThat(PostgresJournal.builder(ds).maxBatchSize(PostgresJournal.MAX_BATCH_SIZE)).isNotNull();
        assertThatThrownBy(() -> PostgresJournal.builder(ds).snapshotsToKeep(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresJournal.open((DataSource) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aUserWhoMayOnlyReadAndWriteTheTablesCanOpenAnExistingJournal() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        String role = schema + "_rw";
        try (PostgresJournal owner = open(schema)) {
            await(owner.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
        }
        PostgresTestSupport.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
        try {
            PostgresTestSupport.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            PostgresTestSupport.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
            PostgresTestSupport.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role);
            try (PostgresJournal limited = PostgresJournal.builder(System.getenv(PostgresTestSupport.URL), role, "pw")
                    .schema(schema).build()) {
                assertThat(await(limited.append(JournalEntry.fromSet("/b", Value.of(2), 1, "me", T0)))).isEqualTo(2);
                assertThat(await(limited.snapshot(List.of()))).isEqualTo(2);
                assertThat(await(limited.compact(2))).isEqualTo(1);
            }
            assertThatThrownBy(() -> PostgresJournal.builder(System.getenv(PostgresTestSupport.URL), role, "pw")
                    .schema(PostgresTestSupport.freshSchema()).build())
                    .isInstanceOf(JournalException.Storage.class).hasMessageContaining("permission denied");
        } finally {
            PostgresTestSupport.execute("DROP OWNED BY " + role);
            PostgresTestSupport.execute("DROP ROLE " + role);
        }
    }

    @Test
    void aWrongPasswordFailsToOpenWithStorage() {
        assertThatThrownBy(() -> PostgresJournal.open(System.getenv(PostgresTestSupport.URL),
                System.getenv(PostgresTestSupport.USER), "not-the-password"))
                .isInstanceOf(JournalException.Storage.class).hasMessageContaining("cannot open");
    }

    @Test
    void theConvenienceFactoryOwnsItsPoolButACallersDataSourceIsLeftOpen() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = PostgresJournal.builder(System.getenv(PostgresTestSupport.URL),
                System.getenv(PostgresTestSupport.USER), System.getenv(PostgresTestSupport.PASSWORD))
                .schema(schema).build()) {
            assertThat(await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)))).isEqualTo(1);
        }
        try (PostgresJournal journal = open(schema)) {
            assertThat(await(journal.latestSeq())).isEqualTo(1);
        }
        try (Connection c = PostgresTestSupport.dataSource().getConnection()) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    private static boolean schemaExists(String schema) throws Exception {
        return column("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'").equals(List.of("1"));
    }

    private static java.sql.SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException e) {
                return e;
            }
        }
        throw new AssertionError("no SQLException in " + t);
    }

    @Test
    void readOnlyAndNoCreateOpensOfAMissingJournalFailAndCreateNothing() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        DataSource ds = PostgresTestSupport.dataSource();
        Throwable readOnly = org.assertj.core.api.Assertions.catchThrowable(
                () -> PostgresJournal.builder(ds).schema(schema).readOnly(true).build());
        assertThat(readOnly).isInstanceOf(JournalException.Storage.class)
                .hasMessageContaining("no schema " + schema).hasMessageContaining("nothing was created");
        assertThat(sqlCause(readOnly).getSQLState()).isEqualTo("3F000");
        Throwable noCreate = org.assertj.core.api.Assertions.catchThrowable(
                () -> PostgresJournal.builder(ds).schema(schema).createIfAbsent(false).build());
        assertThat(noCreate).isInstanceOf(JournalException.Storage.class);
        assertThat(sqlCause(noCreate).getSQLState()).isEqualTo("3F000");
        assertThat(schemaExists(schema)).isFalse();

        PostgresTestSupport.execute("CREATE SCHEMA " + schema);
        Throwable empty = org.assertj.core.api.Assertions.catchThrowable(
                () -> PostgresJournal.builder(ds).schema(schema).readOnly(true).build());
        assertThat(empty).isInstanceOf(JournalException.Storage.class).hasMessageContaining("holds no journal");
        assertThat(sqlCause(empty).getSQLState()).isEqualTo("42P01");
        assertThat(column("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'")).containsExactly("0");
    }

    @Test
    void aReadOnlyJournalReadsAndFollowsButRefusesEveryWrite() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        String role = schema + "_ro";
        try (PostgresJournal owner = open(schema)) {
            await(owner.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)));
            await(owner.snapshot(List.of()));
        }
        PostgresTestSupport.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
        try {
            // A user that may only read: a read-only open must not even write the counter row.
            PostgresTestSupport.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            PostgresTestSupport.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
            try (PostgresJournal reader = PostgresJournal.builder(System.getenv(PostgresTestSupport.URL), role, "pw")
                    .schema(schema).readOnly(true).build();
                    PostgresJournal writer = open(schema)) {
                assertThat(seqs(await(reader.since(0, null)))).containsExactly(1L);
                assertThat(await(reader.latestSnapshot())).get().extracting(Snapshot::seq).isEqualTo(1L);
                assertThat(assertFails(reader.append(JournalEntry.fromSet("/b", Value.of(2), 1, "me", T0)),
                        JournalException.Storage.class)).hasMessageContaining("read-only");
                assertThat(assertFails(reader.snapshot(List.of()), JournalException.Storage.class))
                        .hasMessageContaining("read-only");
                assertThat(assertFails(reader.compact(5), JournalException.Storage.class))
                        .hasMessageContaining("read-only");
                JournalStats stats = reader.stats(); // no writer: reads only, nothing queued
                assertThat(stats.reads()).isEqualTo(1);
                assertThat(stats.entriesRead()).isEqualTo(1);
                assertThat(stats.appends()).isZero();
                assertThat(stats.commits()).isZero();
                assertThat(stats.queueDepth()).isZero();

                TestFollower follower = TestFollower.unbounded();
                reader.follow(JournalQuery.of("/**"), 0).subscribe(follower);
                await(writer.append(JournalEntry.fromSet("/c", Value.of(3), 1, "me", T0)));
                follower.awaitCount(2, java.time.Duration.ofSeconds(10));
            assertThat(follower.seqs()).containsExactly(1L, 2L);
            }
            assertThat(column("SELECT count(*) FROM " + schema + ".journal_entries")).containsExactly("2");
        } finally {
            PostgresTestSupport.execute("DROP OWNED BY " + role);
            PostgresTestSupport.execute("DROP ROLE " + role);
        }
    }

    @Test
    void tableInfoReportsTheTablesAndSnapshots() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        try (PostgresJournal journal = open(schema)) {
            PostgresJournal.TableInfo empty = await(journal.tableInfo());
            assertThat(empty.snapshotCount()).isZero();
            assertThat(empty.newestSnapshotSeq()).isEmpty();
            assertThat(empty.snapshotBytes()).isZero();
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                futures.add(journal.append(JournalEntry.fromSet("/info/" + i, Value.of("x".repeat(100)), 1, "me", T0)));
            }
            futures.forEach(CompletableFuture::join);
            await(journal.snapshot(List.of(new ParamSnapshot("/info/1", Value.of(1), 1, "me", T0))));
            await(journal.snapshot(List.of()));
            PostgresJournal.TableInfo info = await(journal.tableInfo());
            assertThat(info.entriesTableBytes()).isGreaterThan(2_000L * 100);
            assertThat(info.entriesIndexBytes()).isGreaterThan(0);
            assertThat(info.snapshotsTableBytes()).isGreaterThan(0);
            assertThat(info.snapshotCount()).isEqualTo(2);
            assertThat(info.newestSnapshotSeq()).hasValue(2_000);
            assertThat(info.snapshotBytes()).isEqualTo(Long.parseLong(column("SELECT sum(octet_length(data_json)"
                    + " + COALESCE(octet_length(data_exact), 0)) FROM " + schema + ".snapshots").get(0)));
        }
    }

    @Test
    void theDriversOwnDataSourceServesAJournalWithoutHikariCp() throws Exception {
        String schema = PostgresTestSupport.freshSchema();
        PostgresPools.Pool pool = PostgresPools.open(System.getenv(PostgresTestSupport.URL),
                System.getenv(PostgresTestSupport.USER), System.getenv(PostgresTestSupport.PASSWORD), false);
        assertThat(pool.dataSource()).isInstanceOf(org.postgresql.ds.PGSimpleDataSource.class);
        assertThat(pool.closer()).isNull();
        try (PostgresJournal journal = PostgresJournal.builder(pool.dataSource()).schema(schema).build();
                PostgresJournal other = open(schema)) {
            TestFollower follower = TestFollower.unbounded();
            journal.follow(JournalQuery.of("/**"), 0).subscribe(follower);
            assertThat(await(journal.append(JournalEntry.fromSet("/a", Value.of(1), 1, "me", T0)))).isEqualTo(1);
            await(other.append(JournalEntry.fromSet("/b", Value.of(2), 1, "me", T0)));
            assertThat(seqs(await(journal.query(JournalQuery.of("/*"))))).containsExactly(1L, 2L);
            follower.awaitCount(2, java.time.Duration.ofSeconds(10));
            assertThat(follower.seqs()).containsExactly(1L, 2L);
        }
    }

    @Test
    void aMalformedUrlFailsWithoutRepeatingItsParameters() {
        assertThatThrownBy(() -> PostgresJournal.open("jdbc:postgresql://h:notaport/db?password=secret", "u", null))
                .isInstanceOf(JournalException.Storage.class)
                .hasMessageContaining("not a PostgreSQL JDBC URL").hasMessageNotContaining("secret");
    }

    @Test
    void aLoneCallerWaitingForEachAppendCommitsItOnItsOwnThreadAsOnSqlite() throws Exception {
        try (PostgresJournal journal = open(PostgresTestSupport.freshSchema())) {
            for (int i = 0; i < 50; i++) {
                CompletableFuture<Long> seq = journal.append(JournalEntry.fromSet("/own", Value.of(i), i + 1, "me", T0));
                assertThat(i % 2 == 0 ? seq.join() : seq.get()).isEqualTo(i + 1L);
            }
            // The shared writer: the writer thread may win the race for a batch now and then.
            assertThat(journal.writer().batchesRunByCallers()).isGreaterThan(10);
            assertThat(journal.writer().commits()).isEqualTo(50);
            assertThat(await(journal.size())).isEqualTo(50);
        }
    }
}
