package io.metastore.command;

import java.util.Arrays;
import java.util.Objects;

/**
 * A change to the replicated auth store (etcd's {@code Auth*}, {@code User*} and {@code Role*}
 * requests). Passwords travel only as bcrypt hashes made by the proposer; a simple token is
 * chosen by the proposer too, so applying stays deterministic and every member knows every
 * token.
 */
public sealed interface AuthChange extends Command {

    /** etcd's {@code Permission.Type}, in wire order. */
    enum PermissionType { READ, WRITE, READWRITE }

    record Enable() implements AuthChange {
    }

    record Disable() implements AuthChange {
    }

    /** A successful authentication of {@code user}, issuing {@code token}. */
    record Authenticate(String user, String token) implements AuthChange {
        public Authenticate {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(token, "token");
        }
    }

    /** A new user; {@code passwordHash} is empty when {@code noPassword}. */
    record UserAdd(String name, String passwordHash, boolean noPassword) implements AuthChange {
        public UserAdd {
            Objects.requireNonNull(name, "name");
            passwordHash = passwordHash == null ? "" : passwordHash;
        }
    }

    record UserDelete(String name) implements AuthChange {
        public UserDelete {
            Objects.requireNonNull(name, "name");
        }
    }

    record UserChangePassword(String name, String passwordHash) implements AuthChange {
        public UserChangePassword {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(passwordHash, "passwordHash");
        }
    }

    record UserGrantRole(String user, String role) implements AuthChange {
        public UserGrantRole {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(role, "role");
        }
    }

    record UserRevokeRole(String name, String role) implements AuthChange {
        public UserRevokeRole {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
        }
    }

    record RoleAdd(String name) implements AuthChange {
        public RoleAdd {
            Objects.requireNonNull(name, "name");
        }
    }

    record RoleDelete(String role) implements AuthChange {
        public RoleDelete {
            Objects.requireNonNull(role, "role");
        }
    }

    /** Grants {@code type} on {@code [key, rangeEnd)} (empty {@code rangeEnd}: the key alone). */
    record RoleGrantPermission(String name, PermissionType type, byte[] key, byte[] rangeEnd) implements AuthChange {
        public RoleGrantPermission {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(key, "key");
            rangeEnd = ByteArrays.orEmpty(rangeEnd);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RoleGrantPermission g && name.equals(g.name) && type == g.type
                    && Arrays.equals(key, g.key) && Arrays.equals(rangeEnd, g.rangeEnd);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, type, Arrays.hashCode(key), Arrays.hashCode(rangeEnd));
        }

        @Override
        public String toString() {
            return "RoleGrantPermission[name=" + name + ", type=" + type + ", key=" + ByteArrays.describe(key)
                    + ", rangeEnd=" + ByteArrays.describe(rangeEnd) + ']';
        }
    }

    record RoleRevokePermission(String role, byte[] key, byte[] rangeEnd) implements AuthChange {
        public RoleRevokePermission {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(key, "key");
            rangeEnd = ByteArrays.orEmpty(rangeEnd);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RoleRevokePermission r && role.equals(r.role) && Arrays.equals(key, r.key)
                    && Arrays.equals(rangeEnd, r.rangeEnd);
        }

        @Override
        public int hashCode() {
            return Objects.hash(role, Arrays.hashCode(key), Arrays.hashCode(rangeEnd));
        }

        @Override
        public String toString() {
            return "RoleRevokePermission[role=" + role + ", key=" + ByteArrays.describe(key) + ", rangeEnd="
                    + ByteArrays.describe(rangeEnd) + ']';
        }
    }
}
