/** Closed-loop load over etcd's gRPC API: connections, concurrent clients, workloads and their latency histograms. */
package io.metastore.bench.macro.load;
