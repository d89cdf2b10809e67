/** The end-to-end harness: parses the matrix, runs each cell against a fresh server process, and hands the results to the report writers. */
package io.metastore.bench.macro;
