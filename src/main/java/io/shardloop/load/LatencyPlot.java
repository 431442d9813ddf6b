package io.shardloop.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;

/**
 * Latency by percentile as a PNG, drawn the way HdrHistogram's plotter draws it: the horizontal axis
 * is 1 / (1 - percentile) on a log scale, so 90%, 99%, 99.9%, 99.99% sit evenly spaced and the tail
 * gets the room it deserves; the vertical axis is latency in milliseconds. Needs no display (the
 * caller sets {@code java.awt.headless}; this class sets it too when nobody has).
 */
public final class LatencyPlot {
    private LatencyPlot() {
    }

    /** Writes the chart of the histogram (microseconds) to the file. */
    public static void write(Histogram latencyUs, String title, Path png, int width, int height) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYSeries series = new XYSeries("latency");
        if (latencyUs.getTotalCount() > 0) {
            for (HistogramIterationValue v : latencyUs.percentiles(5)) {
                double fraction = v.getPercentileLevelIteratedTo() / 100.0;
                if (fraction >= 1.0) {
                    break; // 1 / (1 - 1) is off the scale; the max is drawn below
                }
                series.add(1.0 / (1.0 - fraction), latencyUs.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0);
            }
            double lastX = series.getItemCount() == 0 ? 1 : series.getMaxX();
            series.add(Math.max(lastX * 10, 10), latencyUs.getMaxValue() / 1000.0);
        }
        XYSeriesCollection data = new XYSeriesCollection(series);

        LogAxis percentiles = new LogAxis("percentile");
        percentiles.setBase(10);
        percentiles.setSmallestValue(1);
        percentiles.setNumberFormatOverride(new PercentileFormat());
        // One tick per decade (90%, 99%, 99.9%...): the automatic units fall between them.
        percentiles.setAutoTickUnitSelection(false);
        percentiles.setTickUnit(new NumberTickUnit(1.0));
        percentiles.setLowerBound(1);
        percentiles.setUpperBound(Math.max(100, series.getItemCount() == 0 ? 100 : series.getMaxX() * 1.5));
        NumberAxis millis = new NumberAxis("latency (ms)");
        millis.setAutoRangeIncludesZero(true);

        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4));
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        XYPlot plot = new XYPlot(data, percentiles, millis, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
    }

    /** Labels x = 1 / (1 - p) as the percentile p: 10 → 90%, 1000 → 99.9%. */
    private static final class PercentileFormat extends NumberFormat {
        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
            double percent = 100.0 * (1.0 - 1.0 / x);
            String text = String.format(Locale.ROOT, "%.6f", percent).replaceAll("0+$", "").replaceAll("\\.$", "");
            return to.append(text).append('%');
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
            return format((double) x, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            return null;
        }
    }
}
