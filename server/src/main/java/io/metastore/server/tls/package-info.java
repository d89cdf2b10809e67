/** TLS for clients: the server's SSL contexts built from etcd's certificate flags. */
package io.metastore.server.tls;
