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

    /**
     * The kinds etcd's {@code Permission.Type} names, in wire order (a kind's ordinal is its
     * number). The wire type is an open proto3 enum, so a grant can carry a number with no name
     * here: etcd 3.4.23 stores such a permission as given, answers it in RoleGet, and lets it
     * allow nothing (its permission check only knows these three). A grant therefore carries
     * the number, not one of these constants.
     */
    enum PermissionType {
        READ, WRITE, READWRITE;

        private static final PermissionType[] BY_NUMBER = values();

        /** etcd's wire number for this kind. */
        public int number() {
            return ordinal();
        }

        /** The kind etcd numbers {@code number}, or {@code null} when etcd gives it no name. */
        public static PermissionType ofNumber(int number) {
            return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
        }

        /** etcd's name for {@code number} (as {@code Permission_Type_name} has it), or the number itself. */
        public static String describe(int number) {
            PermissionType t = ofNumber(number);
            return t == null ? Integer.toString(number) : t.name();
        }
    }

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

    /**
     * Grants the permission numbered {@code permType} (etcd's wire number, any int32: see
     * {@link PermissionType}) on {@code [key, rangeEnd)} (empty {@code rangeEnd}: the key alone).
     */
    record RoleGrantPermission(String name, int permType, byte[] key, byte[] rangeEnd) implements AuthChange {
        public RoleGrantPermission {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(key, "key");
            rangeEnd = ByteArrays.orEmpty(rangeEnd);
        }

        /** A grant of one of the kinds etcd names. */
        public RoleGrantPermission(String name, PermissionType type, byte[] key, byte[] rangeEnd) {
            this(name, type.number(), key, rangeEnd);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RoleGrantPermission g && name.equals(g.name) && permType == g.permType
                    && Arrays.equals(key, g.key) && Arrays.equals(rangeEnd, g.rangeEnd);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, permType, Arrays.hashCode(key), Arrays.hashCode(rangeEnd));
        }

        @Override
        public String toString() {
            return "RoleGrantPermission[name=" + name + ", permType=" + PermissionType.describe(permType)
                    + ", key=" + ByteArrays.describe(key) + ", rangeEnd=" + ByteArrays.describe(rangeEnd) + ']';
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
