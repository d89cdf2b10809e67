/** The server's options: one table with etcd's names first, layered from defaults, tier presets, YAML, environment and flags. */
package io.metastore.server.config;
