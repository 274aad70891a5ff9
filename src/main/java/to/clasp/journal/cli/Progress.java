package to.clasp.journal.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long task: a progress bar on a terminal, plain lines otherwise (CI logs, pipes),
 * at every quarter. A total of -1 means unknown (a spinner on a terminal, start and end lines
 * otherwise).
 */
final class Progress implements AutoCloseable {

    private final ProgressBar bar;
    private final PrintWriter plain;
    private final String task;
    private final long total;
    private long done;
    private int quartersShown;

    private Progress(ProgressBar bar, PrintWriter plain, String task, long total) {
        this.bar = bar;
        this.plain = plain;
        this.task = task;
        this.total = total;
    }

    /**
     * Starts showing progress.
     *
     * @param terminal whether a terminal is attached (a bar is drawn on System.err)
     * @param err where plain lines go otherwise
     */
    static Progress start(boolean terminal, PrintWriter err, String task, long total) {
        if (terminal) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(100)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate().build();
            return new Progress(bar, null, task, total);
        }
        err.println(task + ": started" + (total >= 0 ? " (" + Args.count(total) + " to do)" : ""));
        err.flush();
        return new Progress(null, err, task, total);
    }

    synchronized void stepTo(long n) {
        done = n;
        if (bar != null) {
            bar.stepTo(n);
        } else if (total > 0) {
            int quarters = (int) Math.min(4, n * 4 / total);
            while (quartersShown < quarters && quartersShown < 3) {
                quartersShown++;
                plain.println(task + ": " + (quartersShown * 25) + "% (" + Args.count(n) + " of "
                        + Args.count(total) + ")");
                plain.flush();
            }
        }
    }

    synchronized void stepBy(long n) {
        stepTo(done + n);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            if (total >= 0) {
                bar.stepTo(total);
            }
            bar.close();
        } else {
            plain.println(task + ": done" + (total >= 0 ? " (" + Args.count(done) + ")" : ""));
            plain.flush();
        }
    }
}
