package to.clasp.journal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import to.clasp.journal.IntegrityMode;
import to.clasp.journal.Journal;
import to.clasp.journal.JournalException;
import to.clasp.journal.PostgresJournal;
import to.clasp.journal.SqliteJournal;

/**
 * The JOURNAL every command takes, a SQLite file or a PostgreSQL JDBC URL, with its HMAC key
 * and PostgreSQL credentials, and how commands open it. Commands get a {@link Journal}; the few
 * that show what only one backend has (file or table sizes, vacuum, the file's whole check) look
 * at its class.
 */
final class JournalLocation {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Parameters(index = "0", paramLabel = "JOURNAL",
            description = "The journal: a SQLite file, or a PostgreSQL JDBC URL such as "
                    + "jdbc:postgresql://localhost:5432/routers.")
    String journal;

    @Option(names = "--key-file", paramLabel = "K",
            description = "The 32-byte HMAC key the journal was written with: 32 raw bytes or 64 hex digits. "
                    + "Every entry read is then verified.")
    Path keyFile;

    @Option(names = "--integrity", paramLabel = "MODE",
            description = "With --key-file, on a SQLite file: what every read checks. chain (the default): "
                    + "everything this library signs, deleted and moved entries included. row: each entry "
                    + "as the Rust crate checks it (its HMAC over address, value and timestamp), for a file "
                    + "the Rust crate keeps writing with the same key.")
    String integrity;

    @Option(names = "--user", paramLabel = "NAME",
            description = "PostgreSQL: the user name (default: the URL's user=, else PGUSER).")
    String user;

    @Option(names = "--password", paramLabel = "PW",
            description = "PostgreSQL: the password (default: the URL's password=, else PGPASSWORD, "
                    + "which keeps it out of the process list).")
    String password;

    @Option(names = "--schema", paramLabel = "NAME",
            description = "PostgreSQL: the schema that holds the journal (default " + PostgresJournal.DEFAULT_SCHEMA + ").")
    String schema;

    /** Whether JOURNAL is a PostgreSQL URL. */
    boolean isPostgres() {
        return PostgresTarget.isUrl(journal);
    }

    /** Checks JOURNAL and the options that go with it, without opening anything; a usage error if wrong. */
    void check() {
        if (isPostgres()) {
            postgres();
        } else {
            sqliteFile();
        }
    }

    /** How messages name the journal: the file, or the URL (without its parameters) and schema. */
    String display() {
        return isPostgres() ? postgres().display() : journal;
    }

    /** Opens the journal read-only: nothing is created, migrated or changed. */
    Journal openReadOnly() {
        return openReadOnly(SqliteJournal.DEFAULT_FOLLOW_POLL_INTERVAL);
    }

    /**
     * Opens the journal read-only; a file is checked for other processes' commits every
     * {@code followPoll} while it is followed (PostgreSQL announces them by itself).
     */
    Journal openReadOnly(Duration followPoll) {
        if (isPostgres()) {
            return openPostgres(t -> t.builder(key()).readOnly(true));
        }
        Path file = requireExistingFile();
        byte[] key = key();
        try {
            return SqliteJournal.builder(file).readOnly(true).hmacKey(key).integrityMode(integrityMode())
                    .followPollInterval(followPoll).build();
        } catch (JournalException.Storage e) {
            throw CliException.failure(e.getMessage() + "; give the path of a clasp-journal file");
        }
    }

    /**
     * Opens the journal read-only for the checks a writing command makes before it writes, or
     * returns empty when there is no journal yet that it could create: a file that does not exist
     * or is empty (0 bytes), a PostgreSQL schema without the journal's tables. Nothing is created,
     * migrated or changed. A file or schema that holds something other than a journal is an
     * error, as for the read-only commands.
     */
    java.util.Optional<Journal> openExistingReadOnly() {
        if (isPostgres()) {
            PostgresTarget target = postgres();
            try {
                return java.util.Optional.of(target.builder(key()).readOnly(true).build());
            } catch (JournalException e) {
                if (PostgresTarget.isAbsentJournal(e)) {
                    return java.util.Optional.empty();
                }
                throw target.openFailure(e);
            }
        }
        Path file = sqliteFile();
        try {
            if (Files.notExists(file) || Files.isRegularFile(file) && Files.size(file) == 0) {
                return java.util.Optional.empty();
            }
        } catch (IOException e) {
            throw CliException.failure(file + ": cannot read the file (" + e.getMessage() + ")");
        }
        return java.util.Optional.of(openReadOnly());
    }

    /** The SQLite file JOURNAL names, or empty for a PostgreSQL journal. */
    java.util.Optional<Path> file() {
        return isPostgres() ? java.util.Optional.empty() : java.util.Optional.of(sqliteFile());
    }

    /**
     * Opens an existing journal for writing (a Rust file gets this library's columns); creates
     * nothing. Call it only once the command knows it will write: a file that holds no journal
     * is refused, as by {@link #openReadOnly()}, before anything is opened for writing.
     */
    Journal openForWriting() {
        if (isPostgres()) {
            return openPostgres(t -> t.builder(key()).createIfAbsent(false));
        }
        requireExistingFile();
        openReadOnly().close(); // refuses, unchanged, a file that is not a journal
        return openOrCreate();
    }

    /**
     * Opens the journal for writing, creating a new one (file, or schema and tables) if absent
     * or, for a file, empty. A file that holds something other than a journal is refused before
     * anything is opened for writing.
     */
    Journal openOrCreate() {
        if (isPostgres()) {
            return openPostgres(t -> t.builder(key()));
        }
        Path file = sqliteFile();
        byte[] key = key();
        openExistingReadOnly().ifPresent(Journal::close); // refuses, unchanged, a file that is not a journal
        try {
            return SqliteJournal.builder(file).hmacKey(key).integrityMode(integrityMode()).build();
        } catch (JournalException.Storage e) {
            throw CliException.failure(e.getMessage());
        }
    }

    private Journal openPostgres(java.util.function.Function<PostgresTarget, PostgresJournal.Builder> options) {
        PostgresTarget target = postgres();
        PostgresJournal.Builder builder = options.apply(target);
        try {
            return builder.build();
        } catch (JournalException e) {
            throw target.openFailure(e);
        }
    }

    /** The URL, credentials and schema; a usage error for a malformed URL or schema. */
    PostgresTarget postgres() {
        if (integrity != null) {
            // PostgreSQL keeps no chain: its rows are always checked one by one.
            throw CliException.usage("--integrity applies to a SQLite file only; on PostgreSQL every row is "
                    + "checked on its own, as --integrity row does on a file");
        }
        ClaspJournalCli root = (ClaspJournalCli) command.root().userObject();
        return PostgresTarget.resolve(journal, user, password, schema, root.env);
    }

    /** The SQLite file JOURNAL names; a usage error for what is neither a file nor a PostgreSQL URL. */
    Path sqliteFile() {
        String lower = journal.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
            throw CliException.usage(PostgresTarget.redacted(journal) + ": give PostgreSQL as a JDBC URL, "
                    + "jdbc:postgresql://host:port/database, with the user and password in --user/--password, "
                    + "PGUSER/PGPASSWORD or the URL's user= and password=");
        }
        if (lower.startsWith("jdbc:")) {
            throw CliException.usage(PostgresTarget.redacted(journal) + ": only jdbc:postgresql: URLs "
                    + "are supported; give a SQLite journal as the path of its file");
        }
        for (String[] option : new String[][] {{"--user", user}, {"--password", password}, {"--schema", schema}}) {
            if (option[1] != null) {
                throw CliException.usage(option[0] + " applies to a PostgreSQL URL only, and " + journal
                        + " is a file");
            }
        }
        return Path.of(journal);
    }

    private Path requireExistingFile() {
        Path file = sqliteFile();
        if (!Files.exists(file)) {
            throw CliException.usage(file + ": no such file; give the path of an existing journal file "
                    + "(nothing was created)");
        }
        return file;
    }

    /** The mode --integrity names; a usage error for another word, or without --key-file. */
    IntegrityMode integrityMode() {
        if (integrity == null) {
            return IntegrityMode.CHAIN;
        }
        IntegrityMode mode = switch (integrity.toLowerCase(java.util.Locale.ROOT)) {
            case "chain" -> IntegrityMode.CHAIN;
            case "row" -> IntegrityMode.ROW;
            default -> throw CliException.usage("--integrity takes chain or row, not '" + integrity + "'");
        };
        if (keyFile == null) {
            throw CliException.usage("--integrity says what the key checks: add --key-file K");
        }
        return mode;
    }

    /** The key from --key-file, or null without one. */
    byte[] key() {
        return keyFile == null ? null : readKey(keyFile);
    }

    static byte[] readKey(Path keyFile) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw CliException.usage(keyFile + ": cannot read the key file (" + e.getMessage() + ")");
        }
        if (raw.length == 32) {
            return raw;
        }
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        if (text.length() == 64) {
            try {
                return HexFormat.of().parseHex(text);
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw CliException.usage(keyFile + ": a key file holds 32 raw bytes or 64 hex digits, this one holds "
                + raw.length + " bytes");
    }
}
