/** Authentication and authorisation: the replicated user and role store, simple tokens, and etcd's permission checks. */
package io.metastore.server.auth;
