package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.runner.Scenario.Design;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Two log-log panels as SVG, library against baseline in poll mode: DB statements per second against N, and p99
 * change-to-client latency against N.
 */
final class SvgChart {

    private static final int PANEL_WIDTH = 420;
    private static final int PANEL_HEIGHT = 300;
    private static final int MARGIN = 60;
    private static final String LIBRARY_COLOUR = "#1f77b4";
    private static final String BASELINE_COLOUR = "#d62728";

    private final List<RunResult> library = new ArrayList<>();
    private final List<RunResult> baseline = new ArrayList<>();

    SvgChart(List<RunResult> results) {
        for (RunResult r : results) {
            if (r.scenario().name().equals(Report.POLL)) {
                (r.scenario().design() == Design.LIBRARY ? library : baseline).add(r);
            }
        }
    }

    String render() {
        StringBuilder svg = new StringBuilder();
        int width = 2 * (PANEL_WIDTH + MARGIN) + MARGIN;
        int height = PANEL_HEIGHT + 2 * MARGIN + 20;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                width, height));
        panel(svg, MARGIN, "DB statements per second", RunResult::statementsPerSecond);
        panel(svg, 2 * MARGIN + PANEL_WIDTH, "p99 change-to-client latency (ms)", RunResult::p99Millis);
        legend(svg, MARGIN, height - 15);
        return svg.append("</svg>\n").toString();
    }

    private void panel(StringBuilder svg, int left, String title, ToDoubleFunction<RunResult> metric) {
        int top = MARGIN;
        List<RunResult> all = new ArrayList<>(library);
        all.addAll(baseline);
        double minX = all.stream().mapToDouble(r -> r.scenario().connections()).min().orElse(1);
        double maxX = all.stream().mapToDouble(r -> r.scenario().connections()).max().orElse(10);
        double minY = Math.pow(10, Math.floor(Math.log10(Math.max(0.1,
                all.stream().mapToDouble(metric).filter(v -> v > 0).min().orElse(1)))));
        double maxY = Math.pow(10, Math.ceil(Math.log10(Math.max(minY * 10,
                all.stream().mapToDouble(metric).max().orElse(10)))));
        Scale x = new Scale(Math.log10(minX), Math.log10(Math.max(maxX, minX * 10)), left, left + PANEL_WIDTH);
        Scale y = new Scale(Math.log10(minY), Math.log10(maxY), top + PANEL_HEIGHT, top);
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\">%s</text>%n", left, top - 15, title));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                left, top, PANEL_WIDTH, PANEL_HEIGHT));
        for (double decade = Math.log10(minY); decade <= Math.log10(maxY) + 1e-9; decade++) {
            double py = y.at(decade);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left, py, left + PANEL_WIDTH, py,
                    left - 5, py + 4, label(Math.pow(10, decade))));
        }
        for (RunResult r : all) {
            int n = r.scenario().connections();
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">N=%s</text>%n",
                    x.at(Math.log10(n)), top + PANEL_HEIGHT + 18, label(n)));
        }
        series(svg, library, metric, x, y, LIBRARY_COLOUR);
        series(svg, baseline, metric, x, y, BASELINE_COLOUR);
    }

    private static void series(StringBuilder svg, List<RunResult> runs, ToDoubleFunction<RunResult> metric,
                               Scale x, Scale y, String colour) {
        StringBuilder points = new StringBuilder();
        for (RunResult r : runs) {
            double value = metric.applyAsDouble(r);
            if (value <= 0 || Double.isNaN(value)) {
                continue;
            }
            double px = x.at(Math.log10(r.scenario().connections()));
            double py = y.at(Math.log10(value));
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>%n", px, py, colour, px + 6, py - 6, colour,
                    label(value)));
        }
        svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                points.toString().trim(), colour));
    }

    private static void legend(StringBuilder svg, int left, int baselineY) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">status-stream (one batched poll per interval)</text>%n"
                + "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">seed baseline (one poll per client per interval)</text>%n",
                left, baselineY - 10, LIBRARY_COLOUR, left + 18, baselineY, left + 340, baselineY - 10,
                BASELINE_COLOUR, left + 358, baselineY));
    }

    private static String label(double value) {
        return value >= 1 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2g", value);
    }

    /** Maps a value range linearly onto a pixel range. */
    private record Scale(double from, double to, double pixelFrom, double pixelTo) {
        double at(double value) {
            return pixelFrom + (value - from) / (to - from) * (pixelTo - pixelFrom);
        }
    }
}
