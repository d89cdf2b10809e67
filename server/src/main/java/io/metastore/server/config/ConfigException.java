package io.metastore.server.config;

/** A configuration that cannot be used; the message is one line meant for the operator. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
