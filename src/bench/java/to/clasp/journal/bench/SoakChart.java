package to.clasp.journal.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The soak run's figures over time, as one picture: append latency, file size, recovery. */
final class SoakChart {

    private SoakChart() {}

    /** One interval of the soak run; times in microseconds, -1 where there was nothing to measure. */
    record Interval(double seconds, double day, long appends, long appendP50Micros, long appendP99Micros,
            long appendMaxMicros, long burstMaxMicros, long replayP50Micros, long replayMaxMicros, long fileBytes, long walBytes,
            long entriesHeld, long recoveryMicros) {

        static final String HEADER = String.format(Locale.ROOT,
                "%6s %5s %8s %9s %9s %9s %9s %9s %9s %9s %9s %10s %9s", "time", "day", "appends", "p50 ms",
                "p99 ms", "max ms", "burst mx", "replay50", "replaymx", "file MiB", "WAL MiB", "held", "recov ms");
        static final String CSV_HEADER = "seconds,day,appends,append_p50_us,append_p99_us,append_max_us,"
                + "burst_max_us,replay_p50_us,replay_max_us,file_bytes,wal_bytes,entries_held,recovery_us";

        String line() {
            return String.format(Locale.ROOT,
                    "%5.0fs %5.1f %,8d %9.2f %9.2f %9.2f %9s %9.2f %9.2f %9.1f %9.1f %,10d %9s",
                    seconds, day, appends, appendP50Micros / 1e3, appendP99Micros / 1e3, appendMaxMicros / 1e3,
                    burstMaxMicros < 0 ? "" : String.format(Locale.ROOT, "%.2f", burstMaxMicros / 1e3),
                    replayP50Micros / 1e3, replayMaxMicros / 1e3, fileBytes / 1048576.0, walBytes / 1048576.0,
                    entriesHeld, recoveryMicros < 0 ? "" : String.format(Locale.ROOT, "%.1f", recoveryMicros / 1e3));
        }

        String csv() {
            return String.format(Locale.ROOT, "%.1f,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", seconds, day, appends,
                    appendP50Micros, appendP99Micros, appendMaxMicros, burstMaxMicros, replayP50Micros, replayMaxMicros, fileBytes,
                    walBytes, entriesHeld, recoveryMicros);
        }
    }

    /**
     * Draws the run as a PNG: append latency (p50, p99, max, log scale) with the 50 ms target,
     * file and WAL size with the entries held, and each recovery's time with the 1 s target.
     *
     * @param recoveries {nanos since start, micros taken, 1 for the router's reopen, 0 beside it}
     */
    static void draw(List<Interval> intervals, List<long[]> recoveries, Path png, String title) throws IOException {
        XYSeries p50 = new XYSeries("append p50");
        XYSeries p99 = new XYSeries("append p99");
        XYSeries max = new XYSeries("append max");
        XYSeries burst = new XYSeries("last append of a burst of 2,000");
        XYSeries file = new XYSeries("file");
        XYSeries wal = new XYSeries("WAL");
        XYSeries held = new XYSeries("entries held (thousands)");
        for (Interval i : intervals) {
            double x = i.seconds() / 60;
            if (i.appends() > 0) {
                p50.add(x, Math.max(0.01, i.appendP50Micros() / 1e3));
                p99.add(x, Math.max(0.01, i.appendP99Micros() / 1e3));
                max.add(x, Math.max(0.01, i.appendMaxMicros() / 1e3));
            }
            if (i.burstMaxMicros() > 0) {
                burst.add(x, i.burstMaxMicros() / 1e3);
            }
            file.add(x, i.fileBytes() / 1048576.0);
            wal.add(x, i.walBytes() / 1048576.0);
            held.add(x, i.entriesHeld() / 1000.0);
        }
        XYSeries beside = new XYSeries("recovery beside the router");
        XYSeries reopen = new XYSeries("recovery at the router's reopen");
        for (long[] r : recoveries) {
            (r[2] == 1 ? reopen : beside).add(r[0] / 60e9, r[1] / 1e3);
        }

        LogarithmicAxis latencyAxis = new LogarithmicAxis("append latency (ms, log scale)");
        latencyAxis.setStrictValuesFlag(false);
        latencyAxis.setAutoRangeNextLogFlag(true);
        XYPlot latency = plot(new XYSeriesCollection(), latencyAxis, true);
        ((XYSeriesCollection) latency.getDataset()).addSeries(p50);
        ((XYSeriesCollection) latency.getDataset()).addSeries(p99);
        ((XYSeriesCollection) latency.getDataset()).addSeries(max);
        ((XYSeriesCollection) latency.getDataset()).addSeries(burst);
        latency.addRangeMarker(target(50, "target: worst 50 ms"));
        ((XYLineAndShapeRenderer) latency.getRenderer()).setSeriesLinesVisible(3, false);
        ((XYLineAndShapeRenderer) latency.getRenderer()).setSeriesShapesVisible(3, true);

        XYSeriesCollection sizes = new XYSeriesCollection();
        sizes.addSeries(file);
        sizes.addSeries(wal);
        sizes.addSeries(held);
        XYPlot size = plot(sizes, new NumberAxis("MiB / thousands"), true);

        XYSeriesCollection recovery = new XYSeriesCollection();
        recovery.addSeries(beside);
        recovery.addSeries(reopen);
        XYPlot rec = plot(recovery, new NumberAxis("recovery (ms)"), false);
        rec.addRangeMarker(target(1000, "target: 1 s"));

        NumberAxis minutes = new NumberAxis("minutes of the run (the router's clock: a month)");
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(minutes);
        combined.setGap(12);
        combined.add(latency, 3);
        combined.add(size, 2);
        combined.add(rec, 2);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 1000);
    }

    private static XYPlot plot(XYSeriesCollection data, org.jfree.chart.axis.ValueAxis axis, boolean lines) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(lines, !lines);
        for (int s = 0; s < 4; s++) {
            renderer.setSeriesStroke(s, new BasicStroke(1.5f));
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static ValueMarker target(double value, String label) {
        ValueMarker m = new ValueMarker(value, Color.RED, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelPaint(Color.RED);
        m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
        return m;
    }
}
