package io.metastore.bench.runner;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One PNG per suite: each alternative's speed-up over its reference, per benchmark group, as
 * horizontal bars with error bars (the propagated 99.9% half-width) and a line at 1 (no change).
 */
final class Charts {

    private Charts() {
    }

    /** Writes the chart; returns false (and writes nothing) when the suite has no compared rows. */
    static boolean write(Suite suite, List<Comparison.Row> rows, Path png) throws IOException {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        int groups = 0;
        String last = null;
        for (Comparison.Row r : rows) {
            if (!r.compared()) {
                continue;
            }
            String series = r.value() + " vs " + r.referenceValue();
            data.add(r.speedup(), Double.isNaN(r.speedupError()) ? 0 : r.speedupError(), series, r.group());
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
        NumberAxis speedup = new NumberAxis("speed-up over reference (above 1 is better)");
        StatisticalBarRenderer bars = new StatisticalBarRenderer();
        bars.setErrorIndicatorPaint(Color.DARK_GRAY);
        bars.setDrawBarOutline(false);
        CategoryPlot plot = new CategoryPlot(data, categories, speedup, bars);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker same = new ValueMarker(1.0, Color.RED, new BasicStroke(1.5f));
        plot.addRangeMarker(same);
        JFreeChart chart = new JFreeChart(suite.title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.addSubtitle(new TextTitle("baseline " + suite.axis + "=" + suite.baseline
                + "; error bars: 99.9% confidence half-width, propagated"));
        chart.setBackgroundPaint(Color.WHITE);
        int height = Math.max(300, 120 + groups * Math.max(1, data.getRowCount()) * 16 + groups * 8);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, height);
        return true;
    }
}
