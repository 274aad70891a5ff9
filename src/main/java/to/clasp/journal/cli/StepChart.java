package to.clasp.journal.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Draws params' values over time as a step chart, one line a param, with JFreeChart: a PNG, or an
 * SVG through JFreeSVG. Only the plot command loads these classes, and it sets
 * {@code java.awt.headless} first, so no display is ever needed.
 */
final class StepChart {

    /** The file formats, chosen by the output file's extension. */
    enum Format {
        PNG, SVG;

        /** The format a file name's extension names, or null for another extension. */
        static Format of(Path file) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".png") ? PNG : name.endsWith(".svg") ? SVG : null;
        }
    }

    /**
     * One line of the chart.
     *
     * @param name the param's address, shown in the legend
     * @param millis the times of the steps, milliseconds since the epoch, ascending
     * @param values the value from each step on; null where the param held no number (a gap)
     */
    record Line(String name, double[] millis, Double[] values) {}

    private StepChart() {}

    /** Draws the lines and writes the chart to {@code file} in {@code format}. */
    static void write(Path file, Format format, String title, List<Line> lines, int width, int height)
            throws IOException {
        JFreeChart chart = chart(title, lines);
        if (format == Format.PNG) {
            try (OutputStream out = Files.newOutputStream(file)) {
                ChartUtils.writeChartAsPNG(out, chart, width, height);
            }
        } else {
            SVGGraphics2D g = new SVGGraphics2D(width, height);
            chart.draw(g, new Rectangle(0, 0, width, height));
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                out.write(g.getSVGDocument());
            }
        }
    }

    private static JFreeChart chart(String title, List<Line> lines) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Line line : lines) {
            // Steps keep their order, and two at the same time both stay: the later one holds.
            XYSeries s = new XYSeries(line.name(), false, true);
            for (int i = 0; i < line.millis().length; i++) {
                s.add(line.millis()[i], line.values()[i], false);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYStepChart(title, "time (UTC)", "value", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < lines.size(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(1.5f));
        }
        ((DateAxis) plot.getDomainAxis()).setTimeZone(TimeZone.getTimeZone("UTC"));
        return chart;
    }
}
