package to.clasp.journal.cli;

import to.clasp.journal.Value;

/**
 * What the demo router writes, so that the recovering process can tell what every param must
 * hold: param {@code i}'s address, and the value it gets with revision {@code r}. The values mix
 * floats, integers, strings and bytes to show that every kind comes back exactly.
 */
final class DemoWorkload {

    private DemoWorkload() {}

    static String address(int i) {
        switch (i % 3) {
            case 0:
                return "/lights/room" + (i / 3 % 12 + 1) + "/dimmer" + i;
            case 1:
                return "/audio/zone" + (i / 3 % 8 + 1) + "/volume" + i;
            default:
                return "/sensors/floor" + (i / 3 % 5 + 1) + "/setpoint" + i;
        }
    }

    static Value value(int i, long revision) {
        switch ((int) ((i + revision) % 4)) {
            case 0:
                return Value.of(revision / 1000.0);
            case 1:
                return Value.of(revision * 7 + i);
            case 2:
                return Value.of("scene-" + revision);
            default:
                return Value.of(new byte[] {(byte) i, (byte) revision, (byte) (revision >>> 8)});
        }
    }
}
