/** The gRPC edge: thin handlers for etcd's services, the health service, and error mapping to status. */
package io.metastore.server.grpc;
