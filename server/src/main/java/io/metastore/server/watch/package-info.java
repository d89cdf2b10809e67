/** etcd's Watch service: watchers fed from the apply thread without blocking it, catching up from MVCC history when they fall behind. */
package io.metastore.server.watch;
