package to.clasp.journal.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import to.clasp.journal.JournalException;

/**
 * The command-line tool {@code clasp-journal}: a demo of crash recovery, and commands that look
 * into, follow, check, compact, export and import journals, and show their params' state at any
 * moment, what changed between two and a chart of it over time: SQLite files written by this library
 * or by the Rust crate, and PostgreSQL journals named by a {@code jdbc:postgresql:} URL. Run {@code java -jar clasp-journal-cli.jar --help} for the commands.
 *
 * <p>Exit codes: 0 on success, 1 when the command failed (a file that is not a journal, a
 * failed check, a storage error), 2 for a usage error (a bad argument, a missing file, a bad
 * pattern, time or key file; a malformed URL, a server that cannot be reached, a refused login,
 * a schema that holds no journal). Errors are one line on stderr; {@code --verbose} adds the stack
 * trace.
 */
@Command(name = "clasp-journal", mixinStandardHelpOptions = true,
        versionProvider = ClaspJournalCli.Version.class,
        description = {"Looks into, follows, checks and repairs clasp-journal journals: SQLite files "
                + "(written by this library or by the Rust crate) and PostgreSQL schemas; shows their params' state "
                + "at any moment (state, diff, plot), and crash recovery in a demo.",
            "Every command that takes JOURNAL takes a file or a jdbc:postgresql:// URL, with --user, --password "
                + "(or PGUSER, PGPASSWORD) and --schema."},
        subcommands = {DemoCommand.class, StatsCommand.class, QueryCommand.class, SinceCommand.class,
                LatestCommand.class, SnapshotCommand.class, StateCommand.class, DiffCommand.class, PlotCommand.class,
                TailCommand.class, CompactCommand.class,
                VerifyCommand.class, ExportCommand.class, ImportCommand.class, DemoRouterCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal demo",
                "  clasp-journal stats journal.db",
                "  clasp-journal query journal.db '/lights/**' --from 2024-02-21T07:00:00Z --limit 20",
                "  PGPASSWORD=... clasp-journal stats jdbc:postgresql://db.local:5432/routers --user clasp",
                "",
                "Exit codes: 0 success, 1 failure, 2 usage error (bad argument, missing file, bad URL or login)."})
public final class ClaspJournalCli implements Runnable {

    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    private static final Pattern SEQ_IN_MESSAGE = Pattern.compile("^seq (\\d+):");

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, print the stack trace too.")
    boolean verbose;

    /**
     * The PostgreSQL driver logs through java.util.logging, which would print its warnings (a
     * malformed URL, say) to stderr beside the tool's own one-line error; the tool reports every
     * failure itself. Held here so that the setting is not collected with the logger.
     */
    private static final Logger DRIVER_LOG = Logger.getLogger("org.postgresql");

    static {
        DRIVER_LOG.setLevel(Level.OFF);
    }

    /** Whether progress bars may draw on a terminal; false in tests and pipes. */
    final boolean interactive;

    /** The environment: PGUSER and PGPASSWORD for PostgreSQL journals. */
    final Map<String, String> env;

    private ClaspJournalCli(boolean interactive, Map<String, String> env) {
        this.interactive = interactive;
        this.env = env;
    }

    /**
     * Runs the tool and exits the JVM with its exit code.
     *
     * @param args the command line, such as {@code stats journal.db}
     */
    public static void main(String[] args) {
        Charset cs = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, cs), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, cs), true);
        int code = run(out, err, System.console() != null, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the tool with the given streams and returns its exit code; never exits the JVM. */
    static int run(PrintWriter out, PrintWriter err, boolean interactive, String... args) {
        return run(out, err, interactive, System.getenv(), args);
    }

    /** Runs the tool with the given streams and environment and returns its exit code. */
    static int run(PrintWriter out, PrintWriter err, boolean interactive, Map<String, String> env, String... args) {
        ClaspJournalCli root = new ClaspJournalCli(interactive, Map.copyOf(env));
        Secrets secrets = Secrets.of(args, env);
        CommandLine cli = new CommandLine(root);
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpWidth(100);
        cli.setParameterExceptionHandler((ex, argv) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println(secrets.scrub(prefix(cmd) + ex.getMessage() + " (see '"
                    + cmd.getCommandSpec().qualifiedName() + " --help')"));
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter e = cmd.getErr();
            java.io.StringWriter report = new java.io.StringWriter();
            int code;
            try (PrintWriter w = new PrintWriter(report)) {
                code = report(ex, prefix(cmd), w);
                if (root.verbose) {
                    ex.printStackTrace(w);
                }
            }
            e.print(secrets.scrub(report.toString()));
            e.flush();
            return code;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    private static int report(Exception failure, String prefix, PrintWriter err) {
        Exception ex = failure;
        if (ex instanceof java.util.concurrent.CompletionException && ex.getCause() instanceof Exception cause) {
            ex = cause;
        }
        if (ex instanceof CliException c) {
            err.println(prefix + c.getMessage());
            return c.exitCode();
        }
        if (ex instanceof JournalException.Integrity i) {
            err.println(prefix + i.getMessage() + (namesRowMode(i) ? " (with this tool: add --integrity row)"
                    : " (a wrong key, or the entry was altered; run 'verify' to list every bad seq)"));
            return FAILURE;
        }
        if (ex instanceof JournalException j) {
            err.println(prefix + j.getMessage());
            return FAILURE;
        }
        err.println(prefix + "unexpected error: " + ex + " (run with --verbose for the details)");
        return FAILURE;
    }

    /** Whether a failure says that the file holds the Rust crate's writes, which row mode reads. */
    static boolean namesRowMode(JournalException e) {
        return String.valueOf(e.getMessage()).contains("IntegrityMode.ROW");
    }

    /** The seq a failed read names, if any: Integrity carries it, Serialization says it first. */
    static long badSeq(JournalException e) {
        if (e instanceof JournalException.Integrity i) {
            return i.seq();
        }
        if (e instanceof JournalException.Serialization) {
            Matcher m = SEQ_IN_MESSAGE.matcher(String.valueOf(e.getMessage()));
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        return -1;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, such as demo or stats");
    }

    /** The version the jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ClaspJournalCli.class.getPackage().getImplementationVersion();
            return new String[] {"clasp-journal " + (v == null ? "(development build)" : v)};
        }
    }
}
