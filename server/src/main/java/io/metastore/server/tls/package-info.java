/**
 * TLS: the SSL contexts of the client port and of the Raft peer port, built from etcd's certificate
 * flags, with etcd's name checks, auto TLS certificates and certificate files read again when they change.
 */
package io.metastore.server.tls;
