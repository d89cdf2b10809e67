package io.metastore.engine;

/** A storage engine failed (I/O, corruption, a native error): the node cannot go on safely. */
public final class EngineException extends RuntimeException {
    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
