package to.clasp.journal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import to.clasp.journal.JournalException;
import to.clasp.journal.SqliteJournal;

/** The FILE every command takes, with its optional HMAC key, and how commands open it. */
final class JournalFile {

    @Parameters(index = "0", paramLabel = "FILE", description = "The journal file (SQLite).")
    Path file;

    @Option(names = "--key-file", paramLabel = "K",
            description = "The 32-byte HMAC key the journal was written with: 32 raw bytes or 64 hex digits. "
                    + "Every entry read is then verified.")
    Path keyFile;

    /** Opens the file read-only: nothing is created, migrated or changed. */
    SqliteJournal openReadOnly() {
        return openReadOnly(SqliteJournal.DEFAULT_FOLLOW_POLL_INTERVAL);
    }

    /**
     * Opens the file read-only, checking for other processes' commits every {@code followPoll}
     * while it is followed.
     */
    SqliteJournal openReadOnly(Duration followPoll) {
        requireExisting();
        byte[] key = key();
        try {
            return SqliteJournal.builder(file).readOnly(true).hmacKey(key).followPollInterval(followPoll).build();
        } catch (JournalException.Storage e) {
            throw CliException.failure(e.getMessage() + "; give the path of a clasp-journal file");
        }
    }

    /** Opens the file for writing (an existing file only; a Rust file gets this library's columns). */
    SqliteJournal openForWriting() {
        requireExisting();
        return openOrCreate();
    }

    /** Opens the file for writing, creating a new journal if it does not exist. */
    SqliteJournal openOrCreate() {
        byte[] key = key();
        try {
            return SqliteJournal.builder(file).hmacKey(key).build();
        } catch (JournalException.Storage e) {
            throw CliException.failure(e.getMessage());
        }
    }

    private void requireExisting() {
        if (!Files.exists(file)) {
            throw CliException.usage(file + ": no such file; give the path of an existing journal file "
                    + "(nothing was created)");
        }
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
