package to.clasp.journal.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import to.clasp.journal.ParamSnapshot;
import to.clasp.journal.SqliteJournal;
import to.clasp.journal.router.InMemoryParamStore;
import to.clasp.journal.router.RecoveryReport;
import to.clasp.journal.router.RouterJournalHook;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows crash recovery: a router is killed mid-recording, then recovered and checked.",
            "A router process records SETs and PUBLISHes to a new SQLite journal",
            "through RouterJournalHook, snapshots automatically, and is killed with SIGKILL while recording.",
            "This process then recovers the params from the file and checks that every SET the router had",
            "acknowledged is in the recovered state. Leaves the file behind for the other commands."},
        footerHeading = "%nExamples:%n",
        footer = {"  clasp-journal demo", "  clasp-journal demo --db show.db --params 5000 --sets 200000"})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--db", paramLabel = "FILE",
            description = "The journal file to create (default: a new clasp-journal-demo-*.db here).")
    Path db;

    @Option(names = "--params", paramLabel = "N", defaultValue = "500", description = "Params the router holds (default 500).")
    int params;

    @Option(names = "--sets", paramLabel = "N", defaultValue = "20000",
            description = "Acknowledged SETs to wait for before the crash (default 20000).")
    int sets;

    @Override
    public Integer call() throws Exception {
        if (params < 1 || sets < 1) {
            throw new ParameterException(spec.commandLine(), "--params and --sets must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = ((ClaspJournalCli) spec.root().userObject()).interactive;
        Path file = chooseFile();
        long snapshotEvery = Math.max(100, sets / 4);

        out.println("clasp-journal demo: crash recovery of a router's params");
        out.println();
        out.println("1. Recording. A router process records SETs of " + Args.count(params) + " params, and PUBLISHes,");
        out.println("   to the journal " + file + " through RouterJournalHook;");
        out.println("   it takes a snapshot by itself every " + Args.count(snapshotEvery) + " entries.");
        out.flush();

        Process router = startRouter(file, snapshotEvery);
        ByteArrayOutputStream routerErrors = new ByteArrayOutputStream();
        Thread errDrain = drain(router.getErrorStream(), routerErrors);
        long[] acked = new long[params];
        long ackCount = 0;
        long t0 = 0;
        long recordingNanos = 0;
        boolean killed = false;
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(router.getInputStream(), StandardCharsets.US_ASCII))) {
            String ready = lines.readLine();
            if (!"ready".equals(ready)) {
                router.waitFor();
                errDrain.join();
                throw CliException.failure("the router process did not start: "
                        + routerErrors.toString(StandardCharsets.UTF_8).strip());
            }
            t0 = System.nanoTime();
            try (Progress progress = Progress.start(terminal, out, "   acknowledged SETs", sets)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.startsWith("ack ")) {
                        continue;
                    }
                    int space = line.indexOf(' ', 4);
                    int i = Integer.parseInt(line.substring(4, space));
                    long rev = Long.parseLong(line.substring(space + 1));
                    acked[i] = Math.max(acked[i], rev);
                    ackCount++;
                    if (!killed) {
                        progress.stepTo(Math.min(ackCount, sets));
                        if (ackCount >= sets) {
                            // The crash: SIGKILL, while the router is still recording. Through its
                            // handle, which (unlike Process.destroyForcibly) leaves our end of
                            // the pipe open, so the acks it wrote before dying are still read.
                            recordingNanos = System.nanoTime() - t0;
                            router.toHandle().destroyForcibly();
                            killed = true;
                        }
                    }
                    // After the kill, the lines it wrote before dying still count: those SETs
                    // were acknowledged before the crash.
                }
            }
        } finally {
            if (router.isAlive()) {
                router.destroyForcibly();
            }
        }
        int exit = router.waitFor();
        errDrain.join();
        if (!killed) {
            throw CliException.failure("the router process ended before the crash (exit " + exit + "): "
                    + routerErrors.toString(StandardCharsets.UTF_8).strip());
        }
        double seconds = recordingNanos / 1e9;
        out.println("   " + Args.count(sets) + " SETs acknowledged in " + String.format(Locale.ROOT, "%.1f s", seconds)
                + " (" + Args.count((long) (sets / Math.max(seconds, 1e-9))) + " per second), plus a PUBLISH for every"
                + " fourth SET.");
        out.println();
        out.println("2. Crash. The router was killed with SIGKILL (exit " + exit + ") while it was still recording:");
        out.println("   no clean close, no flush. " + Args.count(ackCount) + " SETs in all had been acknowledged"
                + " when it died.");
        out.println();
        out.flush();

        // A restarted router pays for loading SQLite's driver and native library once per JVM,
        // whatever the file; timed apart, so that "opened the file" is about the file.
        long w0 = System.nanoTime();
        SqliteJournal.inMemory().close();
        long driverNanos = System.nanoTime() - w0;

        long r0 = System.nanoTime();
        InMemoryParamStore store = new InMemoryParamStore();
        RecoveryReport report;
        SqliteJournal.FileInfo info;
        long latest;
        try (SqliteJournal journal = SqliteJournal.open(file)) {
            long opened = System.nanoTime();
            report = new RouterJournalHook(journal).recover(store).join();
            latest = journal.latestSeq().join();
            info = journal.fileInfo().join();
            out.println("3. Recovery, in this process: loaded SQLite in " + millis(driverNanos)
                    + " (once per JVM), opened the file in " + millis(opened - r0) + " and rebuilt "
                    + Args.count(store.size()) + " params in " + millis(report.duration().toNanos()) + ":");
        }
        out.println("   " + describe(report));
        out.println("   The file holds seqs 1.." + latest + " (SETs and PUBLISHes), " + info.snapshotCount()
                + (info.snapshotCount() == 1 ? " snapshot, " : " snapshots (the newest kept), ")
                + Args.bytes(info.fileBytes() + info.walBytes()) + " with its WAL.");
        out.println();

        List<String> problems = new ArrayList<>();
        long newer = 0;
        int checked = 0;
        for (int i = 0; i < params; i++) {
            if (acked[i] == 0) {
                continue;
            }
            checked++;
            Optional<ParamSnapshot> p = store.get(DemoWorkload.address(i));
            if (p.isEmpty()) {
                problems.add(DemoWorkload.address(i) + " is missing (acknowledged revision " + acked[i] + ")");
            } else if (p.get().revision() < acked[i]) {
                problems.add(DemoWorkload.address(i) + " has revision " + p.get().revision() + ", but revision "
                        + acked[i] + " was acknowledged");
            } else if (!p.get().value().equals(DemoWorkload.value(i, p.get().revision()))) {
                problems.add(DemoWorkload.address(i) + " holds " + p.get().value() + ", not the value written with"
                        + " revision " + p.get().revision());
            } else {
                newer += p.get().revision() - acked[i];
            }
        }
        if (!problems.isEmpty()) {
            out.println("4. Check FAILED: " + problems.size() + " params lost acknowledged SETs, for example:");
            problems.stream().limit(5).forEach(p -> out.println("   " + p));
            out.flush();
            return ClaspJournalCli.FAILURE;
        }
        out.println("4. Check passed: every acknowledged SET is in the recovered state. For each of the "
                + Args.count(checked) + " params");
        out.println("   the router had acknowledged, the recovered revision is at least the last acknowledged one,");
        out.println("   and the value is exactly the one written with that revision (floats, integers, strings, bytes).");
        if (newer > 0) {
            out.println("   " + Args.count(newer) + " SETs were committed but their acknowledgement was cut off by the"
                    + " kill; they are recovered too.");
        }
        out.println();
        String jar = "java -jar target/clasp-journal-cli.jar";
        out.println("Try next, on the file the demo left (" + file + "):");
        out.println("  " + jar + " stats " + file);
        out.println("  " + jar + " snapshot " + file);
        out.println("  " + jar + " query " + file + " '/lights/room1/**' --desc --limit 5");
        out.println("  " + jar + " tail " + file + " -n 5");
        out.println("  " + jar + " compact " + file + " --keep-last 10000");
        out.println("  " + jar + " export " + file + " --out demo.jsonl");
        out.flush();
        return ClaspJournalCli.OK;
    }

    private static String describe(RecoveryReport r) {
        String from = switch (r.snapshotStatus()) {
            case LOADED -> "restored the snapshot at seq " + r.snapshotSeq() + " (" + Args.count(r.paramsFromSnapshot())
                    + " params), then replayed the " + Args.count(r.entriesReplayed()) + " SETs after it";
            case NONE -> "no snapshot yet: replayed all " + Args.count(r.entriesReplayed()) + " SETs";
            case UNREADABLE -> "the snapshot was unreadable: replayed all " + Args.count(r.entriesReplayed()) + " SETs";
        };
        return from + ", up to seq " + r.lastSeq() + "; "
                + (r.complete() ? "nothing it needed was missing." : r.entriesMissing() + " entries it needed were missing.");
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }

    private Path chooseFile() {
        if (db != null) {
            if (Files.exists(db)) {
                throw CliException.usage(db + " already exists; the demo writes a new journal: choose another --db"
                        + " or delete the file");
            }
            Path dir = db.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw CliException.usage(db + ": the directory " + dir + " does not exist");
            }
            return db;
        }
        String stamp = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss", Locale.ROOT));
        Path file = Path.of("clasp-journal-demo-" + stamp + ".db");
        for (int n = 2; Files.exists(file); n++) {
            file = Path.of("clasp-journal-demo-" + stamp + "-" + n + ".db");
        }
        return file;
    }

    private Process startRouter(Path file, long snapshotEvery) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
                ClaspJournalCli.class.getName(), "demo-router", "--db", file.toString(),
                "--params", Integer.toString(params), "--snapshot-every", Long.toString(snapshotEvery),
                "--max-sets", Long.toString(Math.max(1_000_000L, sets * 100L)));
        return new ProcessBuilder(command).start();
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream into) {
        Thread t = new Thread(() -> {
            try (InputStream s = in) {
                s.transferTo(into);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "demo-router-stderr");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
