package io.metastore.bench.runner;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;

/**
 * One PNG per suite: for each benchmark group and alternative, a box plot of the speed-up
 * ratios over the reference (every measured iteration against every reference iteration, see
 * {@link Comparison}) on a logarithmic axis, with a line at 1 (no change).
 */
final class Charts {

    private Charts() {
    }

    /** Writes the chart; returns false (and writes nothing) when the suite has no compared rows. */
    static boolean write(Suite suite, List<Comparison.Row> rows, Path png) throws IOException {
        DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        int groups = 0;
        String last = null;
        for (Comparison.Row r : rows) {
            if (!r.compared()) {
                continue;
            }
            data.add(r.ratios(), r.value() + " vs " + r.referenceValue(), r.group());
            if (!r.group().equals(last)) {
                groups++;
                last = r.group();
            }
        }
        if (groups == 0) {
            return false;
        }
        CategoryAxis categories = new CategoryAxis();
        categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        categories.setMaximumCategoryLabelWidthRatio(0.45f);
        LogAxis speedup = new LogAxis("speed-up over reference, log scale (above 1 is better)");
        speedup.setSmallestValue(1e-4);
        // Ticks at powers of two, labelled as plain numbers: 0.25 0.5 1 2 4 8 ...
        speedup.setBase(2);
        speedup.setTickUnit(new NumberTickUnit(1));
        speedup.setMinorTickCount(0);
        speedup.setNumberFormatOverride(new DecimalFormat("0.###"));
        BoxAndWhiskerRenderer boxes = new BoxAndWhiskerRenderer();
        boxes.setMeanVisible(false);
        boxes.setMedianVisible(true);
        boxes.setMaximumBarWidth(0.08);
        CategoryPlot plot = new CategoryPlot(data, categories, speedup, boxes);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.addRangeMarker(new ValueMarker(1.0, Color.RED, new BasicStroke(1.5f)));
        JFreeChart chart = new JFreeChart(suite.title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.addSubtitle(new TextTitle("baseline " + suite.axis + "=" + suite.baseline
                + "; each box: the ratios of every measured iteration to every reference iteration (line: median)"));
        chart.setBackgroundPaint(Color.WHITE);
        int height = Math.max(320, 140 + groups * Math.max(1, data.getRowCount()) * 18 + groups * 8);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, height);
        return true;
    }
}
