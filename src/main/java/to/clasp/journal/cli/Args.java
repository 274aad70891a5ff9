package to.clasp.journal.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import to.clasp.journal.SignalType;

/** Argument types shared by the commands: times, patterns, signal types, and how times print. */
final class Args {

    private Args() {}

    static final DateTimeFormatter ISO_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Microseconds since the epoch as ISO-8601 UTC, such as {@code 2024-02-21T07:20:00.000000Z}. */
    static String iso(long micros) {
        try {
            return ISO_MICROS.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1_000L));
        } catch (DateTimeException | ArithmeticException e) {
            return micros + "us";
        }
    }

    /** A time: microseconds since the epoch, or an ISO-8601 instant, date-time with offset, or date (UTC). */
    static final class Time implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.strip();
            if (v.matches("\\d{1,19}")) {
                try {
                    return Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw bad(value);
                }
            }
            try {
                Instant t;
                if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
                    t = LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
                } else if (v.endsWith("Z") || v.endsWith("z")) {
                    t = Instant.parse(v.toUpperCase(Locale.ROOT));
                } else {
                    t = OffsetDateTime.parse(v).toInstant();
                }
                long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
                if (micros < 0) {
                    throw bad(value);
                }
                return micros;
            } catch (DateTimeException | ArithmeticException e) {
                throw bad(value);
            }
        }

        private static TypeConversionException bad(String value) {
            return new TypeConversionException("'" + value + "' is not a time: give microseconds since the epoch "
                    + "(1708500000000000) or an ISO-8601 time (2024-02-21T07:20:00Z, 2024-02-21)");
        }
    }

    /**
     * An age: a number and a unit, {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s},
     * {@code 500ms}, {@code 2w}, or several of them ({@code 1d12h}), or an ISO-8601 duration
     * ({@code P7D}, {@code PT12H}); not negative.
     */
    static final class Age implements ITypeConverter<java.time.Duration> {
        private static final java.util.regex.Pattern PART =
                java.util.regex.Pattern.compile("(\\d{1,12})(ms|w|d|h|m|s)");

        @Override
        public java.time.Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            try {
                if (v.startsWith("p")) {
                    java.time.Duration d = java.time.Duration.parse(v.toUpperCase(Locale.ROOT));
                    if (d.isNegative()) {
                        throw bad(value);
                    }
                    return d;
                }
                java.util.regex.Matcher m = PART.matcher(v);
                java.time.Duration total = java.time.Duration.ZERO;
                int end = 0;
                while (m.find() && m.start() == end) {
                    long n = Long.parseLong(m.group(1));
                    total = total.plus(switch (m.group(2)) {
                        case "ms" -> java.time.Duration.ofMillis(n);
                        case "s" -> java.time.Duration.ofSeconds(n);
                        case "m" -> java.time.Duration.ofMinutes(n);
                        case "h" -> java.time.Duration.ofHours(n);
                        case "d" -> java.time.Duration.ofDays(n);
                        default -> java.time.Duration.ofDays(Math.multiplyExact(n, 7));
                    });
                    end = m.end();
                }
                if (end == 0 || end != v.length()) {
                    throw bad(value);
                }
                return total;
            } catch (DateTimeException | ArithmeticException e) {
                throw bad(value);
            }
        }

        private static TypeConversionException bad(String value) {
            return new TypeConversionException("'" + value + "' is not an age: give a number and a unit, "
                    + "such as 7d, 12h, 30m, 45s or 1d12h (w, d, h, m, s, ms), or an ISO-8601 duration such as P7D");
        }
    }

    /** An address pattern: non-empty, and able to match an address (addresses start with '/'). */
    static final class PatternArg implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isEmpty()) {
                throw new TypeConversionException("the pattern is empty: give one such as '/lights/**'");
            }
            char c = value.charAt(0);
            if ("/*?[{!\\".indexOf(c) < 0) {
                throw new TypeConversionException("'" + value + "' can never match: addresses start with '/' "
                        + "(try '/" + value + "')");
            }
            return value;
        }
    }

    /** A signal type by its wire name: param, event, stream, gesture or timeline. */
    static final class Type implements ITypeConverter<SignalType> {
        @Override
        public SignalType convert(String value) {
            try {
                return SignalType.fromWireName(value.strip().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value
                        + "' is not a signal type: use param, event, stream, gesture or timeline");
            }
        }
    }

    /** Bytes in a readable unit. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A count with thousands separators. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
