/** Applies the logging options ({@code --log-format}, {@code --log-level}) to the one logback configuration. */
package io.metastore.server.logging;
