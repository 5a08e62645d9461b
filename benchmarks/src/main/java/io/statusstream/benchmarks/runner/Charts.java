package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.runner.Scenario.Design;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts as PNG files, drawn with JFreeChart: library against the seed's polling (statements and p99
 * latency against N, log-log), and by web stack: heap per idle stream, time until one change reached every
 * subscriber of one key, and push latency percentiles. Each bar carries its value, placed by JFreeChart so that
 * labels of neighbouring bars do not overlap. A chart whose rows were not run is not written.
 */
final class Charts {

    static final String POLLING = "benchmarks-polling.png";
    static final String HEAP_BY_STACK = "benchmarks-heap-by-stack.png";
    static final String FAN_OUT_BY_STACK = "benchmarks-fan-out-by-stack.png";
    static final String PUSH_BY_STACK = "benchmarks-push-by-stack.png";
    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;
    private static final Color LIBRARY = new Color(0x1f, 0x77, 0xb4);
    private static final Color BASELINE = new Color(0xd6, 0x27, 0x28);
    private static final Color THIRD = new Color(0x2c, 0xa0, 0x2c);

    private final Report.Rows rows;

    Charts(Report.Rows rows) {
        this.rows = rows;
    }

    /** Writes the charts that have data into {@code directory}; returns the file names written. */
    List<String> write(Path directory) throws IOException {
        List<String> written = new ArrayList<>();
        save(directory, POLLING, polling(), written);
        save(directory, HEAP_BY_STACK, heapByStack(), written);
        save(directory, FAN_OUT_BY_STACK, fanOutByStack(), written);
        save(directory, PUSH_BY_STACK, pushByStack(), written);
        return written;
    }

    private static void save(Path directory, String name, Optional<JFreeChart> chart, List<String> written)
            throws IOException {
        if (chart.isPresent()) {
            ChartUtils.saveChartAsPNG(directory.resolve(name).toFile(), chart.get(), WIDTH, HEIGHT);
            written.add(name);
        }
    }

    private Optional<JFreeChart> polling() {
        List<RunResult> library = rows.find(Report.POLL, Design.LIBRARY, Stack.TOMCAT);
        List<RunResult> baseline = rows.find(Report.POLL, Design.BASELINE, Stack.TOMCAT);
        if (library.isEmpty() && baseline.isEmpty()) {
            return Optional.empty();
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series("library: DB statements/s", library, RunResult::statementsPerSecond));
        data.addSeries(series("seed's polling: DB statements/s", baseline, RunResult::statementsPerSecond));
        data.addSeries(series("library: p99 latency (ms)", library, RunResult::p99Millis));
        data.addSeries(series("seed's polling: p99 latency (ms)", baseline, RunResult::p99Millis));
        JFreeChart chart = ChartFactory.createXYLineChart("Poll mode: what N clients cost the database, and their p99",
                "N (open streams)", "per second / milliseconds", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(decades("N (open streams, log)"));
        plot.setRangeAxis(decades("DB statements per second, p99 ms (log)"));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, LIBRARY);
        renderer.setSeriesPaint(1, BASELINE);
        renderer.setSeriesPaint(2, LIBRARY.darker());
        renderer.setSeriesPaint(3, BASELINE.darker());
        renderer.setSeriesStroke(2, dashed());
        renderer.setSeriesStroke(3, dashed());
        plot.setRenderer(renderer);
        return Optional.of(styled(chart));
    }

    private Optional<JFreeChart> heapByStack() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Stack stack : Stack.values()) {
            rows.one(Report.BY_STACK, Design.IDLE, stack).ifPresent(idle ->
                    data.addValue(idle.heapPerStream() / 1024, "idle SSE, no library", stack.label));
            rows.one(Report.BY_STACK, Design.LIBRARY, stack).ifPresent(library ->
                    data.addValue(library.heapPerStream() / 1024, "library stream", stack.label));
        }
        return bars("Heap per idle stream (KiB, whole process after full GC, by difference)", "KiB per stream",
                data, "#,##0.0");
    }

    private Optional<JFreeChart> fanOutByStack() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Stack stack : Stack.compared()) {
            rows.one(Report.FAN_OUT, Design.LIBRARY, stack).ifPresent(r -> {
                data.addValue(r.p99Millis(), "p99", stack.label);
                data.addValue(r.maxMillis(), "last subscriber (max)", stack.label);
            });
        }
        return bars("One change to every subscriber of one key: time until they have it (ms)", "ms after the write",
                data, "#,##0");
    }

    private Optional<JFreeChart> pushByStack() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        int n = rows.largest(Report.PUSH);
        for (Stack stack : Stack.compared()) {
            rows.find(Report.PUSH, Design.LIBRARY, stack).stream().filter(r -> r.scenario().connections() == n)
                    .findFirst().ifPresent(r -> {
                        data.addValue(r.p50Millis(), "p50", stack.label);
                        data.addValue(r.p99Millis(), "p99", stack.label);
                        data.addValue(r.maxMillis(), "max", stack.label);
                    });
        }
        return bars(String.format("Push (NOTIFY) write-to-client latency at N = %,d (ms)", n), "ms", data, "#,##0");
    }

    private static Optional<JFreeChart> bars(String title, String valueAxis, DefaultCategoryDataset data,
                                             String labelFormat) {
        if (data.getColumnCount() == 0) {
            return Optional.empty();
        }
        JFreeChart chart = ChartFactory.createBarChart(title, null, valueAxis, data, PlotOrientation.VERTICAL, true,
                false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setSeriesPaint(0, LIBRARY);
        renderer.setSeriesPaint(1, BASELINE);
        renderer.setSeriesPaint(2, THIRD);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                new DecimalFormat(labelFormat)));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
                TextAnchor.BOTTOM_CENTER));
        plot.getRangeAxis().setUpperMargin(0.15);
        return Optional.of(styled(chart));
    }

    /** A base-10 log axis with a tick per power of ten, labelled 1, 10, 100, 1,000 (not 10^2.0). */
    private static LogAxis decades(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
        axis.setMinorTickMarksVisible(true);
        return axis;
    }

    private static XYSeries series(String name, List<RunResult> runs, ToDoubleFunction<RunResult> metric) {
        XYSeries series = new XYSeries(name);
        for (RunResult r : runs) {
            double value = metric.applyAsDouble(r);
            if (value > 0 && !Double.isNaN(value)) {
                series.add(r.scenario().connections(), value);
            }
        }
        return series;
    }

    private static JFreeChart styled(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        return chart;
    }

    private static BasicStroke dashed() {
        return new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    }
}
