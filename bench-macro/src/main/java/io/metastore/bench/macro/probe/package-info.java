/** What a cell's processes spent over its measured window: CPU time from /proc and per-stage histograms from /metrics. */
package io.metastore.bench.macro.probe;
