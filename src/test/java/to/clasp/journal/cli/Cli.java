package to.clasp.journal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Runs the tool in-process and captures what it prints. */
final class Cli {

    /** What one run of the tool did. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ClaspJournalCli.run(new PrintWriter(out, true), new PrintWriter(err, true), false, args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs the tool with {@code env} as its whole environment (PGUSER, PGPASSWORD). */
    static Result runWithEnv(java.util.Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ClaspJournalCli.run(new PrintWriter(out, true), new PrintWriter(err, true), false, env, args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Copies a Rust-written fixture from the test resources into {@code dir}. */
    static Path fixture(String name, Path dir) {
        Path target = dir.resolve(name);
        try (InputStream in = Cli.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            Files.copy(in, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the condition holds, failing after {@code max}. */
    static void waitUntil(java.time.Duration max, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited " + max + " in vain").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static Path key(Path dir, int b) throws IOException {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) b);
        return Files.write(dir.resolve("key-" + b), key);
    }
}
