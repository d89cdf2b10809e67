/** etcd's request errors: one table of gRPC status codes and the exact message texts clients match on. */
package io.metastore.server.error;
