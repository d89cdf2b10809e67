/** etcd's gRPC services: thin handlers that check, convert, delegate and answer. */
package io.metastore.server.grpc;
