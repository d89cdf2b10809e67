/** The server's options: one table, layered from defaults, tier presets, YAML, flags and environment. */
package io.metastore.server.config;
