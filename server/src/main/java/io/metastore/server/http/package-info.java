/**
 * HTTP/1.1 on the client port (beside gRPC, on the same socket) and on the key-value port:
 * health and version, a metrics hook, etcd's JSON gateway over the gRPC services, and the
 * plain key-value and membership API.
 */
package io.metastore.server.http;
