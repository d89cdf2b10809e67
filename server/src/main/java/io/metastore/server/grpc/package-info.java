/**
 * The gRPC edge: thin handlers for etcd's services, the health service, error mapping to status,
 * and the edge's limits (message size, streams per connection, an optional request rate).
 */
package io.metastore.server.grpc;
