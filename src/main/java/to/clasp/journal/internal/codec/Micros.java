package to.clasp.journal.internal.codec;

import java.time.Instant;

/** Wall-clock time in the journal's unit: microseconds since the Unix epoch. */
public final class Micros {

    private Micros() {}

    /** Returns the current wall-clock time in microseconds since the epoch. */
    public static long now() {
        Instant now = Instant.now();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
    }
}
