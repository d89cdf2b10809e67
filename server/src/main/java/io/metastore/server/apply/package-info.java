/** Applying committed commands to the MVCC store in log order, with etcd's request semantics and answers. */
package io.metastore.server.apply;
