package to.clasp.journal.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The passwords one command line carries, so that nothing the tool reports shows one: the value
 * of {@code --password}, the passwords in URL arguments ({@code user:password@} and
 * {@code password=} parameters, JDBC and libpq forms alike), and {@code PGPASSWORD} when an
 * argument is a URL. Messages are built without passwords in the first place
 * ({@link PostgresTarget#redacted}); this is the second line, for text the tool does not build
 * itself: a driver's or picocli's message, a stack trace under {@code --verbose}.
 */
final class Secrets {

    private static final String MASK = "***";

    /** Longest first, so that a password containing another is masked whole. */
    private final List<String> values;

    private Secrets(Set<String> values) {
        List<String> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.values = List.copyOf(sorted);
    }

    /** The passwords in {@code args} and, when an argument is a URL, in {@code env}'s PGPASSWORD. */
    static Secrets of(String[] args, Map<String, String> env) {
        Set<String> found = new LinkedHashSet<>();
        boolean url = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a == null) {
                continue;
            }
            if (a.equals("--password") && i + 1 < args.length && args[i + 1] != null) {
                found.add(args[i + 1]);
            } else if (a.startsWith("--password=")) {
                found.add(a.substring("--password=".length()));
            }
            if (a.contains("://") || PostgresTarget.isUrl(a)) {
                url = true;
                found.addAll(PostgresTarget.passwordsIn(a));
            }
        }
        String fromEnv = env.get("PGPASSWORD");
        if (url && fromEnv != null) {
            found.add(fromEnv);
        }
        found.remove("");
        return new Secrets(found);
    }

    /** {@code text} with every password replaced by {@code ***}; null stays null. */
    String scrub(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        for (String v : values) {
            s = s.replace(v, MASK);
        }
        return s;
    }
}
