package io.metastore.server.http;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.grpc.MethodDescriptor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's route table: etcd 3.4's {@code google.api.http} bindings (every one is a POST
 * with the whole request as body), each to a gRPC method and the message descriptors the JSON
 * is read and written with.
 *
 * <p>The descriptors are etcd 3.4's, not the generated stub's: the stub predates a few fields
 * and methods that etcd 3.4's JSON carries, so its {@code rpc.proto} is patched here with them
 * (the server reads them as unknown fields, so their bytes are already on the wire):
 * <pre>
 * StatusResponse      int64 raftAppliedIndex = 7; repeated string errors = 8; int64 dbSizeInUse = 9; bool isLearner = 10;
 * WatchCreateRequest  int64 watch_id = 7; bool fragment = 8;
 * WatchResponse       bool fragment = 7;
 * AuthUserAddRequest  UserAddOptions options = 3;        UserAddOptions { bool no_password = 1; }
 * Lease.LeaseLeases   LeaseLeasesRequest {} → LeaseLeasesResponse { header = 1; repeated LeaseStatus leases = 2; }
 * Cluster.MemberPromote  MemberPromoteRequest { uint64 ID = 1; } → MemberPromoteResponse { header = 1; repeated Member members = 2; }
 * </pre>
 */
final class GatewayMethods {
    /** One route: the gRPC method and how its messages are read and written. */
    record Route(MethodDescriptor<byte[], byte[]> method, Descriptor input, Descriptor output,
                 boolean clientStreaming, boolean serverStreaming) {
    }

    /** Messages pass through as their protobuf bytes; the gateway converts them to and from JSON. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final Map<String, Route> ROUTES = build();

    private GatewayMethods() {
    }

    /** The route of a path under {@code /v3/}, or {@code null}. */
    static Route route(String path) {
        return ROUTES.get(path);
    }

    /** Every path the gateway serves under {@code /v3/}. */
    static java.util.Set<String> paths() {
        return ROUTES.keySet();
    }

    private static Map<String, Route> build() {
        FileDescriptor rpc = patchedRpc();
        FileDescriptor lock = io.etcd.jetcd.api.lock.LockRequest.getDescriptor().getFile();
        FileDescriptor election = io.etcd.jetcd.api.CampaignRequest.getDescriptor().getFile();
        Map<String, Route> m = new LinkedHashMap<>();
        bind(m, rpc, "KV", "Range", "/v3/kv/range");
        bind(m, rpc, "KV", "Put", "/v3/kv/put");
        bind(m, rpc, "KV", "DeleteRange", "/v3/kv/deleterange");
        bind(m, rpc, "KV", "Txn", "/v3/kv/txn");
        bind(m, rpc, "KV", "Compact", "/v3/kv/compaction");
        bind(m, rpc, "Watch", "Watch", "/v3/watch");
        bind(m, rpc, "Lease", "LeaseGrant", "/v3/lease/grant");
        bind(m, rpc, "Lease", "LeaseRevoke", "/v3/lease/revoke", "/v3/kv/lease/revoke");
        bind(m, rpc, "Lease", "LeaseKeepAlive", "/v3/lease/keepalive");
        bind(m, rpc, "Lease", "LeaseTimeToLive", "/v3/lease/timetolive", "/v3/kv/lease/timetolive");
        bind(m, rpc, "Lease", "LeaseLeases", "/v3/lease/leases", "/v3/kv/lease/leases");
        bind(m, rpc, "Cluster", "MemberAdd", "/v3/cluster/member/add");
        bind(m, rpc, "Cluster", "MemberRemove", "/v3/cluster/member/remove");
        bind(m, rpc, "Cluster", "MemberUpdate", "/v3/cluster/member/update");
        bind(m, rpc, "Cluster", "MemberList", "/v3/cluster/member/list");
        bind(m, rpc, "Cluster", "MemberPromote", "/v3/cluster/member/promote");
        bind(m, rpc, "Maintenance", "Alarm", "/v3/maintenance/alarm");
        bind(m, rpc, "Maintenance", "Status", "/v3/maintenance/status");
        bind(m, rpc, "Maintenance", "Defragment", "/v3/maintenance/defragment");
        // etcd 3.4 binds Hash and HashKV to the same path; the gateway registers Hash first, so Hash answers
        bind(m, rpc, "Maintenance", "Hash", "/v3/maintenance/hash");
        bind(m, rpc, "Maintenance", "Snapshot", "/v3/maintenance/snapshot");
        bind(m, rpc, "Maintenance", "MoveLeader", "/v3/maintenance/transfer-leadership");
        bind(m, rpc, "Auth", "AuthEnable", "/v3/auth/enable");
        bind(m, rpc, "Auth", "AuthDisable", "/v3/auth/disable");
        bind(m, rpc, "Auth", "Authenticate", "/v3/auth/authenticate");
        bind(m, rpc, "Auth", "UserAdd", "/v3/auth/user/add");
        bind(m, rpc, "Auth", "UserGet", "/v3/auth/user/get");
        bind(m, rpc, "Auth", "UserList", "/v3/auth/user/list");
        bind(m, rpc, "Auth", "UserDelete", "/v3/auth/user/delete");
        bind(m, rpc, "Auth", "UserChangePassword", "/v3/auth/user/changepw");
        bind(m, rpc, "Auth", "UserGrantRole", "/v3/auth/user/grant");
        bind(m, rpc, "Auth", "UserRevokeRole", "/v3/auth/user/revoke");
        bind(m, rpc, "Auth", "RoleAdd", "/v3/auth/role/add");
        bind(m, rpc, "Auth", "RoleGet", "/v3/auth/role/get");
        bind(m, rpc, "Auth", "RoleList", "/v3/auth/role/list");
        bind(m, rpc, "Auth", "RoleDelete", "/v3/auth/role/delete");
        bind(m, rpc, "Auth", "RoleGrantPermission", "/v3/auth/role/grant");
        bind(m, rpc, "Auth", "RoleRevokePermission", "/v3/auth/role/revoke");
        bind(m, lock, "Lock", "Lock", "/v3/lock/lock");
        bind(m, lock, "Lock", "Unlock", "/v3/lock/unlock");
        bind(m, election, "Election", "Campaign", "/v3/election/campaign");
        bind(m, election, "Election", "Proclaim", "/v3/election/proclaim");
        bind(m, election, "Election", "Leader", "/v3/election/leader");
        bind(m, election, "Election", "Observe", "/v3/election/observe");
        bind(m, election, "Election", "Resign", "/v3/election/resign");
        return Map.copyOf(m);
    }

    private static void bind(Map<String, Route> routes, FileDescriptor file, String service, String method, String... paths) {
        Descriptors.ServiceDescriptor s = file.findServiceByName(service);
        Descriptors.MethodDescriptor md = s == null ? null : s.findMethodByName(method);
        if (md == null) {
            throw new IllegalStateException("no method " + service + "." + method + " in " + file.getName());
        }
        boolean cs = md.toProto().getClientStreaming();
        boolean ss = md.toProto().getServerStreaming();
        MethodDescriptor.MethodType type = cs && ss ? MethodDescriptor.MethodType.BIDI_STREAMING
                : cs ? MethodDescriptor.MethodType.CLIENT_STREAMING
                : ss ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY;
        MethodDescriptor<byte[], byte[]> grpc = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(s.getFullName(), md.getName()))
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        for (String p : paths) {
            routes.put(p, new Route(grpc, md.getInputType(), md.getOutputType(), cs, ss));
        }
    }

    /** The stub's rpc.proto with etcd 3.4's additions (see the class comment); what is already there is kept. */
    static FileDescriptor patchedRpc() {
        FileDescriptor stub = io.etcd.jetcd.api.JetcdProto.getDescriptor();
        FileDescriptorProto.Builder f = stub.toProto().toBuilder();
        String pkg = "." + f.getPackage() + ".";
        field(f, "StatusResponse", "raftAppliedIndex", 7, FieldDescriptorProto.Type.TYPE_INT64, false, null);
        field(f, "StatusResponse", "errors", 8, FieldDescriptorProto.Type.TYPE_STRING, true, null);
        field(f, "StatusResponse", "dbSizeInUse", 9, FieldDescriptorProto.Type.TYPE_INT64, false, null);
        field(f, "StatusResponse", "isLearner", 10, FieldDescriptorProto.Type.TYPE_BOOL, false, null);
        field(f, "WatchCreateRequest", "watch_id", 7, FieldDescriptorProto.Type.TYPE_INT64, false, null);
        field(f, "WatchCreateRequest", "fragment", 8, FieldDescriptorProto.Type.TYPE_BOOL, false, null);
        field(f, "WatchResponse", "fragment", 7, FieldDescriptorProto.Type.TYPE_BOOL, false, null);
        message(f, DescriptorProto.newBuilder().setName("UserAddOptions")
                .addField(newField("no_password", 1, FieldDescriptorProto.Type.TYPE_BOOL, false, null)));
        field(f, "AuthUserAddRequest", "options", 3, FieldDescriptorProto.Type.TYPE_MESSAGE, false, pkg + "UserAddOptions");
        message(f, DescriptorProto.newBuilder().setName("LeaseLeasesRequest"));
        message(f, DescriptorProto.newBuilder().setName("LeaseStatus")
                .addField(newField("ID", 1, FieldDescriptorProto.Type.TYPE_INT64, false, null)));
        message(f, DescriptorProto.newBuilder().setName("LeaseLeasesResponse")
                .addField(newField("header", 1, FieldDescriptorProto.Type.TYPE_MESSAGE, false, pkg + "ResponseHeader"))
                .addField(newField("leases", 2, FieldDescriptorProto.Type.TYPE_MESSAGE, true, pkg + "LeaseStatus")));
        message(f, DescriptorProto.newBuilder().setName("MemberPromoteRequest")
                .addField(newField("ID", 1, FieldDescriptorProto.Type.TYPE_UINT64, false, null)));
        message(f, DescriptorProto.newBuilder().setName("MemberPromoteResponse")
                .addField(newField("header", 1, FieldDescriptorProto.Type.TYPE_MESSAGE, false, pkg + "ResponseHeader"))
                .addField(newField("members", 2, FieldDescriptorProto.Type.TYPE_MESSAGE, true, pkg + "Member")));
        method(f, "Lease", "LeaseLeases", pkg + "LeaseLeasesRequest", pkg + "LeaseLeasesResponse");
        method(f, "Cluster", "MemberPromote", pkg + "MemberPromoteRequest", pkg + "MemberPromoteResponse");
        try {
            return FileDescriptor.buildFrom(f.build(), stub.getDependencies().toArray(new FileDescriptor[0]));
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException("cannot patch rpc.proto: " + e.getMessage(), e);
        }
    }

    private static FieldDescriptorProto newField(String name, int number, FieldDescriptorProto.Type type,
                                                 boolean repeated, String typeName) {
        FieldDescriptorProto.Builder b = FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(repeated ? FieldDescriptorProto.Label.LABEL_REPEATED : FieldDescriptorProto.Label.LABEL_OPTIONAL);
        if (typeName != null) {
            b.setTypeName(typeName);
        }
        return b.build();
    }

    private static void field(FileDescriptorProto.Builder f, String message, String name, int number,
                              FieldDescriptorProto.Type type, boolean repeated, String typeName) {
        for (DescriptorProto.Builder m : f.getMessageTypeBuilderList()) {
            if (m.getName().equals(message)) {
                if (m.getFieldList().stream().noneMatch(x -> x.getNumber() == number || x.getName().equals(name))) {
                    m.addField(newField(name, number, type, repeated, typeName));
                }
                return;
            }
        }
        throw new IllegalStateException("rpc.proto has no message " + message);
    }

    private static void message(FileDescriptorProto.Builder f, DescriptorProto.Builder m) {
        if (f.getMessageTypeList().stream().noneMatch(x -> x.getName().equals(m.getName()))) {
            f.addMessageType(m);
        }
    }

    private static void method(FileDescriptorProto.Builder f, String service, String name, String in, String out) {
        for (ServiceDescriptorProto.Builder s : f.getServiceBuilderList()) {
            if (s.getName().equals(service)) {
                if (s.getMethodList().stream().noneMatch(x -> x.getName().equals(name))) {
                    s.addMethod(MethodDescriptorProto.newBuilder().setName(name).setInputType(in).setOutputType(out));
                }
                return;
            }
        }
        throw new IllegalStateException("rpc.proto has no service " + service);
    }
}
