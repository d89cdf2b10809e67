package io.metastore.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.metastore.codec.proto.AlarmRequest;
import io.metastore.codec.proto.AuthDisableRequest;
import io.metastore.codec.proto.AuthEnableRequest;
import io.metastore.codec.proto.AuthRoleAddRequest;
import io.metastore.codec.proto.AuthRoleDeleteRequest;
import io.metastore.codec.proto.AuthRoleGrantPermissionRequest;
import io.metastore.codec.proto.AuthRoleRevokePermissionRequest;
import io.metastore.codec.proto.AuthUserAddRequest;
import io.metastore.codec.proto.AuthUserChangePasswordRequest;
import io.metastore.codec.proto.AuthUserDeleteRequest;
import io.metastore.codec.proto.AuthUserGrantRoleRequest;
import io.metastore.codec.proto.AuthUserRevokeRoleRequest;
import io.metastore.codec.proto.AuthenticateRequest;
import io.metastore.codec.proto.BatchRequest;
import io.metastore.codec.proto.CompactionRequest;
import io.metastore.codec.proto.DeleteRangeRequest;
import io.metastore.codec.proto.Entry;
import io.metastore.codec.proto.LeaseGrantRequest;
import io.metastore.codec.proto.LeaseRevokeRequest;
import io.metastore.codec.proto.MemberChangeRequest;
import io.metastore.codec.proto.Permission;
import io.metastore.codec.proto.PutRequest;
import io.metastore.codec.proto.RangeRequest;
import io.metastore.codec.proto.RequestOp;
import io.metastore.codec.proto.TxnCompare;
import io.metastore.codec.proto.TxnRequest;
import io.metastore.command.AlarmChange;
import io.metastore.command.AuthChange;
import io.metastore.command.Batch;
import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.Compare;
import io.metastore.command.DeleteRange;
import io.metastore.command.LeaseGrant;
import io.metastore.command.LeaseRevoke;
import io.metastore.command.MemberChange;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec {@code protobuf} (id 3): the body is one {@code metastore.entry.Entry} message from
 * {@code src/main/proto/metastore_entry.proto}, whose {@code command} oneof holds the command.
 * Messages mirror etcd's requests field for field where the model matches them (the auth
 * requests carry the proposer's password hashes and token instead of passwords); enums use etcd's
 * wire numbers, which are the ordinals of the model's enums except {@code AlarmChange.Action}
 * (etcd's {@code AlarmAction}: ACTIVATE 1, DEACTIVATE 2; GET, 0, is never replicated) and
 * {@code MemberChange.Action} (ASSIGN 1, FORGET 2; 0 is no action and is rejected). Strings
 * are UTF-8, which protobuf checks when parsing.
 *
 * <p>Because an entry is always exactly one length-delimited field, every strict prefix of a body
 * fails to parse or leaves the oneof unset; both are reported as corruption, as are unknown enum
 * numbers (except a permission's type, which keeps any number, as etcd does), unknown top-level
 * fields and a permission grant without its permission.
 */
public final class ProtobufEntryCodec implements EntryCodec {

    @Override
    public String name() {
        return "protobuf";
    }

    @Override
    public byte id() {
        return EntryHeader.PROTOBUF_ID;
    }

    @Override
    public byte[] encode(Command command) {
        Entry message = toProto(command);
        byte[] entry = new byte[EntryHeader.LENGTH + message.getSerializedSize()];
        EntryHeader.write(entry, EntryHeader.PROTOBUF_ID);
        CodedOutputStream output = CodedOutputStream.newInstance(entry, EntryHeader.LENGTH,
                entry.length - EntryHeader.LENGTH);
        try {
            message.writeTo(output);
            output.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("writing to an array failed", e);
        }
        return entry;
    }

    @Override
    public Command decode(byte[] entry) {
        EntryHeader.check(entry, EntryHeader.PROTOBUF_ID);
        try {
            CodedInputStream input = CodedInputStream.newInstance(entry, EntryHeader.LENGTH,
                    entry.length - EntryHeader.LENGTH);
            Entry message = Entry.parseFrom(input);
            if (!input.isAtEnd()) {
                throw new IllegalArgumentException("trailing bytes after the entry message");
            }
            if (!message.getUnknownFields().asMap().isEmpty()) {
                throw new IllegalArgumentException("unknown fields " + message.getUnknownFields().asMap().keySet());
            }
            return fromProto(message);
        } catch (IOException e) {
            throw CorruptEntryException.of("malformed protobuf body", entry, e);
        } catch (RuntimeException e) {
            throw CorruptEntryException.of("invalid protobuf command", entry, e);
        }
    }

    // ---- model to proto --------------------------------------------------------------------

    static Entry toProto(Command command) {
        Entry.Builder entry = Entry.newBuilder();
        if (command instanceof Put p) {
            entry.setPut(toProto(p));
        } else if (command instanceof DeleteRange d) {
            entry.setDeleteRange(toProto(d));
        } else if (command instanceof Txn t) {
            entry.setTxn(toProto(t));
        } else if (command instanceof Compact c) {
            entry.setCompact(CompactionRequest.newBuilder().setRevision(c.revision()).setPhysical(c.physical()));
        } else if (command instanceof LeaseGrant g) {
            entry.setLeaseGrant(LeaseGrantRequest.newBuilder().setId(g.id()).setTtlSeconds(g.ttlSeconds()));
        } else if (command instanceof LeaseRevoke r) {
            entry.setLeaseRevoke(LeaseRevokeRequest.newBuilder().setId(r.id()));
        } else if (command instanceof Batch b) {
            BatchRequest.Builder batch = BatchRequest.newBuilder();
            for (Command c : b.commands()) {
                batch.addCommands(toProto(c));
            }
            entry.setBatch(batch);
        } else if (command instanceof AuthChange a) {
            setAuthChange(entry, a);
        } else if (command instanceof AlarmChange a) {
            entry.setAlarm(AlarmRequest.newBuilder().setActionValue(a.action().ordinal() + 1)
                    .setMemberId(a.memberId()).setAlarmValue(a.alarm().ordinal()));
        } else if (command instanceof MemberChange m) {
            entry.setMemberChange(MemberChangeRequest.newBuilder().setActionValue(m.action().ordinal() + 1)
                    .setPeer(m.peer()).setMemberId(m.memberId()));
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return entry.build();
    }

    private static void setAuthChange(Entry.Builder entry, AuthChange change) {
        if (change instanceof AuthChange.Enable) {
            entry.setAuthEnable(AuthEnableRequest.getDefaultInstance());
        } else if (change instanceof AuthChange.Disable) {
            entry.setAuthDisable(AuthDisableRequest.getDefaultInstance());
        } else if (change instanceof AuthChange.Authenticate a) {
            entry.setAuthenticate(AuthenticateRequest.newBuilder().setUser(a.user()).setToken(a.token()));
        } else if (change instanceof AuthChange.UserAdd u) {
            entry.setUserAdd(AuthUserAddRequest.newBuilder().setName(u.name()).setPasswordHash(u.passwordHash())
                    .setNoPassword(u.noPassword()));
        } else if (change instanceof AuthChange.UserDelete u) {
            entry.setUserDelete(AuthUserDeleteRequest.newBuilder().setName(u.name()));
        } else if (change instanceof AuthChange.UserChangePassword u) {
            entry.setUserChangePassword(AuthUserChangePasswordRequest.newBuilder().setName(u.name())
                    .setPasswordHash(u.passwordHash()));
        } else if (change instanceof AuthChange.UserGrantRole u) {
            entry.setUserGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser(u.user()).setRole(u.role()));
        } else if (change instanceof AuthChange.UserRevokeRole u) {
            entry.setUserRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName(u.name()).setRole(u.role()));
        } else if (change instanceof AuthChange.RoleAdd r) {
            entry.setRoleAdd(AuthRoleAddRequest.newBuilder().setName(r.name()));
        } else if (change instanceof AuthChange.RoleDelete r) {
            entry.setRoleDelete(AuthRoleDeleteRequest.newBuilder().setRole(r.role()));
        } else if (change instanceof AuthChange.RoleGrantPermission r) {
            entry.setRoleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName(r.name())
                    .setPerm(Permission.newBuilder().setPermTypeValue(r.permType())
                            .setKey(ByteString.copyFrom(r.key())).setRangeEnd(ByteString.copyFrom(r.rangeEnd()))));
        } else if (change instanceof AuthChange.RoleRevokePermission r) {
            entry.setRoleRevokePermission(AuthRoleRevokePermissionRequest.newBuilder().setRole(r.role())
                    .setKey(ByteString.copyFrom(r.key())).setRangeEnd(ByteString.copyFrom(r.rangeEnd())));
        } else {
            throw new IllegalArgumentException("unknown auth change " + change);
        }
    }

    private static PutRequest toProto(Put p) {
        return PutRequest.newBuilder().setKey(ByteString.copyFrom(p.key())).setValue(ByteString.copyFrom(p.value()))
                .setLease(p.lease()).setPrevKv(p.prevKv()).setIgnoreValue(p.ignoreValue())
                .setIgnoreLease(p.ignoreLease()).build();
    }

    private static DeleteRangeRequest toProto(DeleteRange d) {
        return DeleteRangeRequest.newBuilder().setKey(ByteString.copyFrom(d.key()))
                .setRangeEnd(ByteString.copyFrom(d.rangeEnd())).setPrevKv(d.prevKv()).build();
    }

    private static RangeRequest toProto(Range r) {
        return RangeRequest.newBuilder().setKey(ByteString.copyFrom(r.key()))
                .setRangeEnd(ByteString.copyFrom(r.rangeEnd())).setLimit(r.limit()).setRevision(r.revision())
                .setSortOrderValue(r.sortOrder().ordinal()).setSortTargetValue(r.sortTarget().ordinal())
                .setSerializable(r.serializable()).setKeysOnly(r.keysOnly()).setCountOnly(r.countOnly())
                .setMinModRevision(r.minModRevision()).setMaxModRevision(r.maxModRevision())
                .setMinCreateRevision(r.minCreateRevision()).setMaxCreateRevision(r.maxCreateRevision()).build();
    }

    private static TxnRequest toProto(Txn t) {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (Compare c : t.compare()) {
            txn.addCompare(TxnCompare.newBuilder().setResultValue(c.result().ordinal())
                    .setTargetValue(c.target().ordinal()).setKey(ByteString.copyFrom(c.key()))
                    .setRangeEnd(ByteString.copyFrom(c.rangeEnd())).setNumber(c.number())
                    .setValue(ByteString.copyFrom(c.value())));
        }
        for (TxnOp op : t.success()) {
            txn.addSuccess(toProto(op));
        }
        for (TxnOp op : t.failure()) {
            txn.addFailure(toProto(op));
        }
        return txn.build();
    }

    private static RequestOp toProto(TxnOp op) {
        RequestOp.Builder request = RequestOp.newBuilder();
        if (op instanceof Range r) {
            request.setRequestRange(toProto(r));
        } else if (op instanceof Put p) {
            request.setRequestPut(toProto(p));
        } else if (op instanceof DeleteRange d) {
            request.setRequestDeleteRange(toProto(d));
        } else if (op instanceof Txn t) {
            request.setRequestTxn(toProto(t));
        } else {
            throw new IllegalArgumentException("unknown txn op " + op);
        }
        return request.build();
    }

    // ---- proto to model --------------------------------------------------------------------

    static Command fromProto(Entry entry) {
        return switch (entry.getCommandCase()) {
            case PUT -> fromProto(entry.getPut());
            case DELETE_RANGE -> fromProto(entry.getDeleteRange());
            case TXN -> fromProto(entry.getTxn());
            case COMPACT -> new Compact(entry.getCompact().getRevision(), entry.getCompact().getPhysical());
            case LEASE_GRANT -> new LeaseGrant(entry.getLeaseGrant().getId(), entry.getLeaseGrant().getTtlSeconds());
            case LEASE_REVOKE -> new LeaseRevoke(entry.getLeaseRevoke().getId());
            case BATCH -> {
                List<Command> commands = new ArrayList<>(entry.getBatch().getCommandsCount());
                for (Entry c : entry.getBatch().getCommandsList()) {
                    commands.add(fromProto(c));
                }
                yield new Batch(commands);
            }
            case AUTH_ENABLE -> new AuthChange.Enable();
            case AUTH_DISABLE -> new AuthChange.Disable();
            case AUTHENTICATE -> new AuthChange.Authenticate(entry.getAuthenticate().getUser(),
                    entry.getAuthenticate().getToken());
            case USER_ADD -> new AuthChange.UserAdd(entry.getUserAdd().getName(), entry.getUserAdd().getPasswordHash(),
                    entry.getUserAdd().getNoPassword());
            case USER_DELETE -> new AuthChange.UserDelete(entry.getUserDelete().getName());
            case USER_CHANGE_PASSWORD -> new AuthChange.UserChangePassword(entry.getUserChangePassword().getName(),
                    entry.getUserChangePassword().getPasswordHash());
            case USER_GRANT_ROLE -> new AuthChange.UserGrantRole(entry.getUserGrantRole().getUser(),
                    entry.getUserGrantRole().getRole());
            case USER_REVOKE_ROLE -> new AuthChange.UserRevokeRole(entry.getUserRevokeRole().getName(),
                    entry.getUserRevokeRole().getRole());
            case ROLE_ADD -> new AuthChange.RoleAdd(entry.getRoleAdd().getName());
            case ROLE_DELETE -> new AuthChange.RoleDelete(entry.getRoleDelete().getRole());
            case ROLE_GRANT_PERMISSION -> fromProto(entry.getRoleGrantPermission());
            case ROLE_REVOKE_PERMISSION -> new AuthChange.RoleRevokePermission(
                    entry.getRoleRevokePermission().getRole(), entry.getRoleRevokePermission().getKey().toByteArray(),
                    entry.getRoleRevokePermission().getRangeEnd().toByteArray());
            case ALARM -> fromProto(entry.getAlarm());
            case MEMBER_CHANGE -> fromProto(entry.getMemberChange());
            case COMMAND_NOT_SET -> throw new IllegalArgumentException("entry holds no command");
        };
    }

    private static AuthChange.RoleGrantPermission fromProto(AuthRoleGrantPermissionRequest r) {
        if (!r.hasPerm()) {
            throw new IllegalArgumentException("permission grant holds no permission");
        }
        Permission perm = r.getPerm();
        // any number, as etcd keeps it (see AuthChange.PermissionType)
        return new AuthChange.RoleGrantPermission(r.getName(), perm.getPermTypeValue(), perm.getKey().toByteArray(),
                perm.getRangeEnd().toByteArray());
    }

    private static AlarmChange fromProto(AlarmRequest a) {
        // etcd's AlarmAction numbers the actions from 1; GET (0) is never replicated
        return new AlarmChange(enumOf(AlarmChange.Action.values(), a.getActionValue() - 1), a.getMemberId(),
                enumOf(AlarmChange.Type.values(), a.getAlarmValue()));
    }

    private static MemberChange fromProto(MemberChangeRequest m) {
        // the actions are numbered from 1; 0 (unset) is no action
        return new MemberChange(enumOf(MemberChange.Action.values(), m.getActionValue() - 1), m.getPeer(),
                m.getMemberId());
    }

    private static Put fromProto(PutRequest p) {
        return new Put(p.getKey().toByteArray(), p.getValue().toByteArray(), p.getLease(), p.getPrevKv(),
                p.getIgnoreValue(), p.getIgnoreLease());
    }

    private static DeleteRange fromProto(DeleteRangeRequest d) {
        return new DeleteRange(d.getKey().toByteArray(), d.getRangeEnd().toByteArray(), d.getPrevKv());
    }

    private static Range fromProto(RangeRequest r) {
        return new Range(r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), r.getLimit(), r.getRevision(),
                enumOf(Range.SortOrder.values(), r.getSortOrderValue()),
                enumOf(Range.SortTarget.values(), r.getSortTargetValue()), r.getSerializable(), r.getKeysOnly(),
                r.getCountOnly(), r.getMinModRevision(), r.getMaxModRevision(), r.getMinCreateRevision(),
                r.getMaxCreateRevision());
    }

    private static Txn fromProto(TxnRequest t) {
        List<Compare> compares = new ArrayList<>(t.getCompareCount());
        for (TxnCompare c : t.getCompareList()) {
            compares.add(new Compare(enumOf(Compare.Result.values(), c.getResultValue()),
                    enumOf(Compare.Target.values(), c.getTargetValue()), c.getKey().toByteArray(),
                    c.getRangeEnd().toByteArray(), c.getNumber(), c.getValue().toByteArray()));
        }
        return new Txn(compares, fromProto(t.getSuccessList()), fromProto(t.getFailureList()));
    }

    private static List<TxnOp> fromProto(List<RequestOp> requests) {
        List<TxnOp> ops = new ArrayList<>(requests.size());
        for (RequestOp request : requests) {
            ops.add(switch (request.getRequestCase()) {
                case REQUEST_RANGE -> fromProto(request.getRequestRange());
                case REQUEST_PUT -> fromProto(request.getRequestPut());
                case REQUEST_DELETE_RANGE -> fromProto(request.getRequestDeleteRange());
                case REQUEST_TXN -> fromProto(request.getRequestTxn());
                case REQUEST_NOT_SET -> throw new IllegalArgumentException("txn op holds no request");
            });
        }
        return ops;
    }

    private static <E extends Enum<E>> E enumOf(E[] values, int number) {
        if (number < 0 || number >= values.length) {
            throw new IllegalArgumentException("enum number " + number + " out of range for "
                    + values.getClass().getComponentType().getSimpleName());
        }
        return values[number];
    }
}
