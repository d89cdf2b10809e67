/**
 * The member's Prometheus metrics: one registry per member, etcd's metric names where the
 * meaning matches, and the Prometheus text format that {@code /metrics} serves.
 */
package io.metastore.server.metrics;
