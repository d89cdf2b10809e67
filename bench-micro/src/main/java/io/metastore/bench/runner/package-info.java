/**
 * Runs the benchmark suites and writes each run's results folder: JMH's JSON, the environment,
 * a summary with ratios to each suite's baseline next to the seed's claims, and charts.
 */
package io.metastore.bench.runner;
