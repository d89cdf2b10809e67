package io.metastore.command;

/**
 * Raises or clears an alarm on a member (etcd's {@code AlarmRequest} ACTIVATE / DEACTIVATE),
 * replicated so every member refuses writes while a NOSPACE alarm stands.
 */
public record AlarmChange(Action action, long memberId, Type alarm) implements Command {

    public enum Action { ACTIVATE, DEACTIVATE }

    /** etcd's {@code AlarmType}, in wire order. */
    public enum Type { NONE, NOSPACE }

    public AlarmChange {
        java.util.Objects.requireNonNull(action, "action");
        java.util.Objects.requireNonNull(alarm, "alarm");
    }
}
