/**
 * Fault injection against a cluster of real server processes, the operation history it records,
 * and a linearizability checker for per-key registers.
 */
package io.metastore.reliability;
