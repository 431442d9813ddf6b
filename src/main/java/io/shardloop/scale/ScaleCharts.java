package io.shardloop.scale;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The four charts of a protocol, one line per target, N on the horizontal axis: throughput,
 * efficiency T(N) / (N × T(1)), server CPU microseconds per request, and p99 at one open-loop
 * fraction of each point's own peak. Headless PNGs.
 */
final class ScaleCharts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private ScaleCharts() {
    }

    /** Writes the charts of one protocol; returns the files written. */
    static List<Path> write(Path dir, String protocol, List<ScalePoint> points, double p99Fraction) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<Path> files = new ArrayList<>();
        files.add(chart(dir.resolve(protocol + "-throughput.png"), protocol + ": peak throughput (closed loop)",
                "requests per second", points, ScalePoint::peakRps));
        files.add(chart(dir.resolve(protocol + "-efficiency.png"), protocol + ": efficiency T(N) / (N x T(1))",
                "efficiency (1.0 = linear)", points, p -> ScaleResults.efficiency(points, p)));
        files.add(chart(dir.resolve(protocol + "-cpu-per-request.png"), protocol + ": server CPU per request",
                "microseconds of CPU per request", points, ScalePoint::cpuUsPerReq));
        files.add(chart(dir.resolve(protocol + "-p99.png"), String.format(java.util.Locale.ROOT,
                        "%s: p99 latency at %.0f%% of each point's peak (open loop)", protocol, p99Fraction * 100),
                "p99 (ms)", points, p -> {
                    ScalePoint.RatePoint r = p.rateNearest(p99Fraction);
                    return r == null ? Double.NaN : r.p99Us() / 1000.0;
                }));
        return files;
    }

    private static Path chart(Path png, String title, String yLabel, List<ScalePoint> points,
                              ToDoubleFunction<ScalePoint> value) throws IOException {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (ScalePoint p : points) {
            if (p.failed()) {
                continue;
            }
            double v = value.applyAsDouble(p);
            if (Double.isNaN(v)) {
                continue;
            }
            series.computeIfAbsent(p.target().label(), XYSeries::new).add(p.n(), v);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "server CPUs (N)", yLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
        return png;
    }
}
