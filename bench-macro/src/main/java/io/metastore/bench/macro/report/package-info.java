/** Writes a run's folder: raw JSON and CSV per cell, the environment, summary.md, PNG charts and index.html. */
package io.metastore.bench.macro.report;
