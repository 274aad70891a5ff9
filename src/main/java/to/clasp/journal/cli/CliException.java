package to.clasp.journal.cli;

/** A failure the tool reports as one line, with its exit code (1 failure, 2 usage). */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(ClaspJournalCli.USAGE, message);
    }

    static CliException failure(String message) {
        return new CliException(ClaspJournalCli.FAILURE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
