package io.metastore.server.grpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.util.JsonFormat;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmType;
import io.etcd.jetcd.api.AuthDisableRequest;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleDeleteRequest;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthRoleListRequest;
import io.etcd.jetcd.api.AuthRoleRevokePermissionRequest;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserChangePasswordRequest;
import io.etcd.jetcd.api.AuthUserDeleteRequest;
import io.etcd.jetcd.api.AuthUserGetRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.AuthUserListRequest;
import io.etcd.jetcd.api.AuthUserRevokeRoleRequest;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaderKey;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.Permission;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.http.GatewayRoutesAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The permission matrix: every RPC of etcd's services, each called by four callers with auth
 * enabled, over gRPC and again through the JSON gateway at its route, and the {@code --port}
 * key-value API's requests; each cell's expected answer is in the tables below ({@link #GRPC},
 * {@link #KEY_VALUE_API}), and every refused call is checked to have changed nothing (keys,
 * revision, compaction, users, roles, tokens, members, leases, alarms, leader).
 *
 * <p>The callers: {@code none} (no token); {@code alice}, who holds readwrite on {@code alice/}
 * only, so has no permission for any key these calls touch; {@code bob}, who holds readwrite on
 * {@code bob/}, where every key, lock and election of the calls lives (he has no root role, so
 * management calls are refused to him as to alice); and {@code root}. One member serves the whole
 * matrix; every cell prepares what it needs as root (a lease, a learner, a user to delete) and
 * cleans up after itself, so cells do not depend on each other's order.
 *
 * <p>Answers are etcd 3.4.23's, from running this matrix against it: with
 * {@code -Dmetastore.matrix.endpoint=HOST:PORT} the test calls that etcd (started empty, auth
 * not yet set up) instead of starting a member, and skips the {@code --port} table, which etcd
 * has not. A cell {@code A!B} is one where this server knowingly answers {@code A} and etcd
 * 3.4.23 {@code B}; the comment beside it says why.
 *
 * <p>The peer port is not in this matrix: a forged forwarded write from a process without a
 * member certificate is refused and writes nothing, and a member forwarding a user's write has the
 * leader check that user's permission again ({@code PeerTlsClusterTest}
 * {@code aProcessWithoutAMemberCertificateCannotForgeAForwardedWrite},
 * {@code theLeaderChecksTheForwardedUsersPermissionAgain}).
 */
class PermissionMatrixTest {
    /**
     * One line per RPC: its gateway route ({@code -} where etcd binds none) and the answer to
     * each caller (the names are {@link #ANSWERS}'). A name's suffix in parentheses is a variant
     * of the same RPC. {@code A!B}: this server answers A, etcd 3.4.23 B.
     */
    static final String GRPC = """
            # rpc                              gateway route                        none       alice      bob        root
            KV.Range                           /v3/kv/range                         EMPTY      DENIED     OK         OK
            KV.Put                             /v3/kv/put                           EMPTY      DENIED     OK         OK
            KV.DeleteRange                     /v3/kv/deleterange                   EMPTY      DENIED     OK         OK
            KV.Txn                             /v3/kv/txn                           EMPTY      DENIED     OK         OK
            # stricter than etcd 3.4.23, which lets any caller compact away the history (README, Auth)
            KV.Compact                         /v3/kv/compaction                    EMPTY!OK   DENIED!OK  DENIED!OK  OK
            Watch.Watch                        /v3/watch                            W_EMPTY    W_DENIED   OK         OK
            Lease.LeaseGrant                   /v3/lease/grant                      OK         OK         OK         OK
            Lease.LeaseRevoke                  /v3/lease/revoke                     EMPTY      DENIED     OK         OK
            Lease.LeaseKeepAlive               /v3/lease/keepalive                  OK         OK         OK         OK
            # stricter than etcd 3.4.23 (README, Auth): lease listings need a user; keys only to who may read them
            Lease.LeaseTimeToLive              /v3/lease/timetolive                 EMPTY!OK   OK         OK         OK
            Lease.LeaseTimeToLive(keys)        /v3/lease/timetolive                 EMPTY!OK   DENIED!OK  OK         OK
            Lease.LeaseLeases                  /v3/lease/leases                     EMPTY!OK   OK         OK         OK
            Cluster.MemberAdd                  /v3/cluster/member/add               EMPTY      DENIED     DENIED     OK
            Cluster.MemberRemove               /v3/cluster/member/remove            EMPTY      DENIED     DENIED     OK
            Cluster.MemberUpdate               /v3/cluster/member/update            EMPTY      DENIED     DENIED     OK
            Cluster.MemberList                 /v3/cluster/member/list              OK         OK         OK         OK
            Cluster.MemberPromote              /v3/cluster/member/promote           EMPTY      DENIED     DENIED     NOT_READY
            Maintenance.Alarm(GET)             /v3/maintenance/alarm                OK         OK         OK         OK
            # stricter: etcd 3.4.23 lets any caller raise a NOSPACE alarm (the cluster turns read-only) or clear one
            Maintenance.Alarm(ACTIVATE)        /v3/maintenance/alarm                EMPTY!OK   DENIED!OK  DENIED!OK  OK
            Maintenance.Alarm(DEACTIVATE)      /v3/maintenance/alarm                EMPTY!OK   DENIED!OK  DENIED!OK  OK
            Maintenance.Status                 /v3/maintenance/status               OK         OK         OK         OK
            Maintenance.Defragment             /v3/maintenance/defragment           A_EMPTY    A_DENIED   A_DENIED   OK
            Maintenance.Hash                   /v3/maintenance/hash                 A_EMPTY    A_DENIED   A_DENIED   OK
            Maintenance.HashKV                 -                                    A_EMPTY    A_DENIED   A_DENIED   OK
            Maintenance.Snapshot               /v3/maintenance/snapshot             A_EMPTY    A_DENIED   A_DENIED   OK
            # stricter: etcd 3.4.23 lets any caller move leadership; to the leader itself, as here, nothing moves
            Maintenance.MoveLeader             /v3/maintenance/transfer-leadership  EMPTY!OK   DENIED!OK  DENIED!OK  OK
            Auth.AuthEnable                    /v3/auth/enable                      EMPTY      DENIED     DENIED     OK
            Auth.AuthDisable                   /v3/auth/disable                     EMPTY      DENIED     DENIED     OK
            Auth.Authenticate                  /v3/auth/authenticate                OK         OK         OK         OK
            Auth.UserAdd                       /v3/auth/user/add                    EMPTY      DENIED     DENIED     OK
            Auth.UserGet                       /v3/auth/user/get                    EMPTY      DENIED     OK         OK
            Auth.UserList                      /v3/auth/user/list                   EMPTY      DENIED     DENIED     OK
            Auth.UserDelete                    /v3/auth/user/delete                 EMPTY      DENIED     DENIED     OK
            Auth.UserChangePassword            /v3/auth/user/changepw               EMPTY      DENIED     DENIED     OK
            Auth.UserGrantRole                 /v3/auth/user/grant                  EMPTY      DENIED     DENIED     OK
            Auth.UserRevokeRole                /v3/auth/user/revoke                 EMPTY      DENIED     DENIED     OK
            Auth.RoleAdd                       /v3/auth/role/add                    EMPTY      DENIED     DENIED     OK
            Auth.RoleGet                       /v3/auth/role/get                    EMPTY      DENIED     OK         OK
            Auth.RoleList                      /v3/auth/role/list                   EMPTY      DENIED     DENIED     OK
            Auth.RoleDelete                    /v3/auth/role/delete                 EMPTY      DENIED     DENIED     OK
            Auth.RoleGrantPermission           /v3/auth/role/grant                  EMPTY      DENIED     DENIED     OK
            Auth.RoleRevokePermission          /v3/auth/role/revoke                 EMPTY      DENIED     DENIED     OK
            Lock.Lock                          /v3/lock/lock                        U_EMPTY    U_DENIED   OK         OK
            Lock.Unlock                        /v3/lock/unlock                      U_EMPTY    U_DENIED   OK         OK
            Election.Campaign                  /v3/election/campaign                U_EMPTY    U_DENIED   OK         OK
            Election.Proclaim                  /v3/election/proclaim                U_EMPTY    U_DENIED   OK         OK
            Election.Leader                    /v3/election/leader                  U_EMPTY    U_DENIED   OK         OK
            Election.Observe                   /v3/election/observe                 ENDED      ENDED      OK         OK
            Election.Resign                    /v3/election/resign                  U_EMPTY    U_DENIED   OK         OK
            """;

    /** The {@code --port} API (not etcd's): its requests go through the same services, so answer as those do. */
    static final String KEY_VALUE_API = """
            # request                          none       alice      bob        root
            GET    /bob/k                      EMPTY      DENIED     OK         OK
            PUT    /bob/k                      EMPTY      DENIED     OK         OK
            DELETE /bob/del                    EMPTY      DENIED     OK         OK
            GET    /members                    OK         OK         OK         OK
            POST   /members/9                  EMPTY      DENIED     DENIED     URL_EXISTS
            POST   /9                          EMPTY      DENIED     DENIED     URL_EXISTS
            DELETE /members/{learner}          EMPTY      DENIED     DENIED     OK
            """;

    /** An answer as every surface shows it: the gRPC code and text; the gateway adds the HTTP status of the code. */
    record Answer(String name, Status.Code code, String text) {
        String grpc() {
            return code == Status.Code.OK ? text : code + ": " + text;
        }

        String gateway() {
            return httpStatus(code) + " " + grpc();
        }

        String keyValueApi() {
            return code == Status.Code.OK ? text : httpStatus(code) + " " + text;
        }
    }

    static final String NO_ANSWER = "ended with no answer";

    static final Map<String, Answer> ANSWERS = answers(
            new Answer("OK", Status.Code.OK, "OK"),
            new Answer("EMPTY", Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty"),
            new Answer("DENIED", Status.Code.PERMISSION_DENIED, "etcdserver: permission denied"),
            // etcd's lock and election services call KV through their own client: its refusals arrive as Unknown
            new Answer("U_EMPTY", Status.Code.UNKNOWN, "etcdserver: user name is empty"),
            new Answer("U_DENIED", Status.Code.UNKNOWN, "etcdserver: permission denied"),
            // the maintenance service's own check answers with the auth package's error, which has no gRPC code
            new Answer("A_EMPTY", Status.Code.UNKNOWN, "auth: user name is empty"),
            new Answer("A_DENIED", Status.Code.UNKNOWN, "auth: permission denied"),
            // a watch is not refused as a call: it is created and cancelled at once, the reason in the answer
            new Answer("W_EMPTY", Status.Code.OK,
                    "created and canceled: rpc error: code = InvalidArgument desc = etcdserver: user name is empty"),
            new Answer("W_DENIED", Status.Code.OK,
                    "created and canceled: rpc error: code = PermissionDenied desc = etcdserver: permission denied"),
            // root passes the check; what refuses it then shows the check was passed
            new Answer("NOT_READY", Status.Code.FAILED_PRECONDITION,
                    "etcdserver: can only promote a learner member which is in sync with leader"),
            // a stream that ends at once, as a call that succeeded, with nothing in it
            new Answer("ENDED", Status.Code.OK, NO_ANSWER),
            new Answer("URL_EXISTS", Status.Code.FAILED_PRECONDITION, "etcdserver: Peer URLs already exists"));

    static Map<String, Answer> answers(Answer... all) {
        Map<String, Answer> m = new LinkedHashMap<>();
        for (Answer a : all) {
            m.put(a.name(), a);
        }
        return m;
    }

    /** grpc-gateway 1.x's {@code HTTPStatusFromCode}, as etcd 3.4's gateway answers. */
    static int httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> 200;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case FAILED_PRECONDITION -> 412;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            default -> 500;
        };
    }

    enum Who {
        NONE, ALICE, BOB, ROOT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A request ready to send, and how to undo what it (or its preparation) may have done. */
    record Prepared(Object request, Runnable cleanup) {
    }

    /**
     * One RPC as the matrix calls it: {@code prepare} runs as root before each cell and gives the
     * request; a successful answer is read by {@code answer} (a watch that was created and
     * cancelled is a refusal).
     */
    record Rpc(String name, MethodDescriptor<?, ?> method, Supplier<Prepared> prepare, Function<Object, String> answer) {
    }

    /** One cell: an RPC (or a {@code --port} request), a caller, and the answer expected on this target. */
    record Cell(String surface, String rpc, String route, Who who, Answer expected) {
        @Override
        public String toString() {
            return rpc + (surface.equals("gateway") ? " via " + route : "") + " as " + who + " → " + expected.name();
        }
    }

    static final String ENDPOINT = System.getProperty("metastore.matrix.endpoint", "");
    static final boolean ETCD = !ENDPOINT.isEmpty();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    static final AtomicInteger SEQ = new AtomicInteger();

    static Path dir;
    static MetaStoreServer server;
    static ManagedChannel channel;
    static String host;
    static int clientPort;
    static final Map<Who, String> tokens = new EnumMap<>(Who.class);
    static long selfId;
    static String selfPeerUrl;
    /** Where learners are added: gRPC servers with no services, which answer every call at once (UNIMPLEMENTED). */
    static final List<io.grpc.Server> learnerPorts = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        if (ETCD) {
            host = ENDPOINT.substring(0, ENDPOINT.lastIndexOf(':'));
            clientPort = Integer.parseInt(ENDPOINT.substring(ENDPOINT.lastIndexOf(':') + 1));
        } else {
            dir = Files.createTempDirectory("permission-matrix");
            server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory",
                    "--port", String.valueOf(TestServers.freePort())));
            host = "127.0.0.1";
            clientPort = server.grpcPort();
        }
        channel = NettyChannelBuilder.forAddress(host, clientPort).usePlaintext().build();
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("rootpw").build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        for (String user : List.of("alice", "bob")) {
            auth.userAdd(AuthUserAddRequest.newBuilder().setName(user).setPassword(user + "pw").build());
            auth.roleAdd(AuthRoleAddRequest.newBuilder().setName(user).build());
            auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName(user).setPerm(Permission.newBuilder()
                    .setPermType(Permission.Type.READWRITE).setKey(bs(user + "/")).setRangeEnd(bs(user + "0"))).build());
            auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser(user).setRole(user).build());
        }
        auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("extra").build());
        KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(bs("bob/k")).setValue(bs("v")).build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
        loginAll();
        Member self = root(ClusterGrpc.newBlockingStub(channel)).memberList(MemberListRequest.getDefaultInstance()).getMembers(0);
        selfId = self.getID();
        selfPeerUrl = self.getPeerURLs(0);
    }

    @AfterAll
    static void stop() {
        if (ETCD && channel != null) {
            // leave the etcd as it was found: auth off again (its users and roles stay; it was started for this run)
            quietly(() -> root(AuthGrpc.newBlockingStub(channel)).authDisable(AuthDisableRequest.getDefaultInstance()));
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
        learnerPorts.forEach(io.grpc.Server::shutdownNow);
        TestServers.deleteRecursively(dir);
    }

    // ------------------------------------------------------------------ the cells

    static Stream<Cell> grpcCells() {
        return parse(GRPC, 2).stream().map(l -> new Cell("grpc", l.name, l.route, l.who, l.expected));
    }

    static Stream<Cell> gatewayCells() {
        return parse(GRPC, 2).stream().filter(l -> !l.route.equals("-"))
                .map(l -> new Cell("gateway", l.name, l.route, l.who, l.expected));
    }

    static Stream<Cell> keyValueApiCells() {
        return parse(KEY_VALUE_API, 2).stream().map(l -> new Cell("port", l.name + " " + l.route, l.route, l.who, l.expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("grpcCells")
    void overGrpc(Cell cell) throws Exception {
        Rpc rpc = rpc(cell.rpc());
        run(cell, rpc.prepare().get(), p -> callGrpc(rpc, p.request(), tokens.get(cell.who())), cell.expected().grpc());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gatewayCells")
    void throughTheGateway(Cell cell) throws Exception {
        Rpc rpc = rpc(cell.rpc());
        run(cell, rpc.prepare().get(), p -> callGateway(rpc, cell.route(), p.request(), tokens.get(cell.who())),
                cell.expected().gateway());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyValueApiCells")
    void onTheKeyValueApi(Cell cell) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(ETCD, "etcd has no --port API");
        Prepared p = portRequest(cell.rpc());
        run(cell, p, q -> callKeyValueApi((String[]) q.request(), tokens.get(cell.who())), cell.expected().keyValueApi());
    }

    interface Call {
        String answer(Prepared p) throws Exception;
    }

    /** Calls, compares the answer, and for a refusal checks that the state is what it was before. */
    static void run(Cell cell, Prepared p, Call call, String expected) throws Exception {
        try {
            boolean refused = !cell.expected().name().equals("OK");
            String before = refused ? state() : null;
            assertEquals(expected, call.answer(p), cell.toString());
            if (refused) {
                assertEquals(before, state(), "a refused call changed nothing: " + cell);
            }
        } finally {
            p.cleanup().run();
        }
    }

    /**
     * Every method of etcd 3.4's services (rpc.proto, v3lock, v3election) has a line in the table,
     * and every route of the gateway is on a line of the method it calls.
     */
    @Test
    void theMatrixCoversEveryEtcdRpcAndEveryGatewayRoute() {
        List<Line> lines = parse(GRPC, 2);
        Set<String> covered = new TreeSet<>();
        Map<String, String> routeOf = new LinkedHashMap<>();
        for (Line l : lines) {
            covered.add(rpc(l.name).method().getFullMethodName());
            routeOf.put(l.route, rpc(l.name).method().getFullMethodName());
        }
        Set<String> etcd = new TreeSet<>();
        // jetcd's rpc.proto has a unary Watch.Progress that etcd 3.4 has not (its progress is a message on the watch stream)
        Set<String> notEtcds = Set.of("etcdserverpb.Watch/Progress");
        for (Descriptors.FileDescriptor f : List.of(GatewayRoutesAccess.etcdRpc(), LockRequest.getDescriptor().getFile(),
                CampaignRequest.getDescriptor().getFile())) {
            for (Descriptors.ServiceDescriptor s : f.getServices()) {
                s.getMethods().stream().map(m -> s.getFullName() + "/" + m.getName()).filter(m -> !notEtcds.contains(m)).forEach(etcd::add);
            }
        }
        assertEquals(etcd, covered, "one line per etcd RPC");
        Set<String> gatewayMethods = new TreeSet<>(GatewayRoutesAccess.routes().values());
        for (Map.Entry<String, String> route : GatewayRoutesAccess.routes().entrySet()) {
            assertTrue(routeOf.containsValue(route.getValue()), "a line for " + route);
            if (routeOf.containsKey(route.getKey())) {
                assertEquals(route.getValue(), routeOf.get(route.getKey()), "the route of " + route.getKey());
            }
        }
        for (Map.Entry<String, String> l : routeOf.entrySet()) {
            assertTrue(l.getKey().equals("-") ? !gatewayMethods.contains(l.getValue())
                    : GatewayRoutesAccess.routes().containsKey(l.getKey()), "the gateway serves " + l.getKey());
        }
    }

    // ------------------------------------------------------------------ the table

    record Line(String name, String route, Who who, Answer expected) {
    }

    /** The cells of a table whose lines are {@code name route none alice bob root} ({@code #} starts a comment). */
    static List<Line> parse(String table, int leading) {
        List<Line> cells = new ArrayList<>();
        for (String raw : table.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != leading + Who.values().length) {
                throw new IllegalArgumentException("a line needs " + (leading + Who.values().length) + " columns: " + line);
            }
            for (Who who : Who.values()) {
                String token = f[leading + who.ordinal()];
                // A!B: this server answers A, etcd 3.4.23 answers B
                String[] ours = token.split("!");
                Answer a = ANSWERS.get(ETCD && ours.length > 1 ? ours[1] : ours[0]);
                if (a == null || ours.length > 2) {
                    throw new IllegalArgumentException("unknown answer " + token + " in: " + line);
                }
                cells.add(new Line(f[0], f[1], who, a));
            }
        }
        return cells;
    }

    // ------------------------------------------------------------------ the RPCs

    static final Map<String, Rpc> RPCS = rpcs();

    static Rpc rpc(String name) {
        Rpc r = RPCS.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no RPC " + name + " in the matrix");
        }
        return r;
    }

    static Prepared use(Object request) {
        return new Prepared(request, () -> {
        });
    }

    static Prepared use(Object request, Runnable cleanup) {
        return new Prepared(request, () -> quietly(cleanup));
    }

    static Map<String, Rpc> rpcs() {
        Map<String, Rpc> m = new LinkedHashMap<>();
        // ---- KV: every key is bob's
        add(m, "KV.Range", KVGrpc.getRangeMethod(), () -> use(RangeRequest.newBuilder().setKey(bs("bob/k")).build()));
        add(m, "KV.Put", KVGrpc.getPutMethod(), () -> use(PutRequest.newBuilder().setKey(bs("bob/k")).setValue(bs("v")).build()));
        add(m, "KV.DeleteRange", KVGrpc.getDeleteRangeMethod(), () -> {
            rootPut("bob/del");
            return use(DeleteRangeRequest.newBuilder().setKey(bs("bob/del")).build());
        });
        add(m, "KV.Txn", KVGrpc.getTxnMethod(), () -> use(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(bs("bob/k")).setTarget(Compare.CompareTarget.VERSION)
                        .setResult(Compare.CompareResult.GREATER).setVersion(0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs("bob/k")).setValue(bs("t"))))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bs("bob/k"))))
                .build()));
        add(m, "KV.Compact", KVGrpc.getCompactMethod(), () -> {
            long rev = rootPut("bob/compact");
            return use(CompactionRequest.newBuilder().setRevision(rev).build());
        });
        // ---- Watch
        m.put("Watch.Watch", new Rpc("Watch.Watch", WatchGrpc.getWatchMethod(),
                () -> use(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(bs("bob/k"))).build()),
                r -> {
                    WatchResponse w = (WatchResponse) r;
                    return w.getCanceled() ? (w.getCreated() ? "created and " : "") + "canceled: " + w.getCancelReason() : "OK";
                }));
        // ---- Lease: each lease the root's, with a key of bob's on it
        add(m, "Lease.LeaseGrant", LeaseGrpc.getLeaseGrantMethod(), () -> {
            long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            return use(LeaseGrantRequest.newBuilder().setID(id).setTTL(600).build(), () -> rootRevoke(id));
        });
        add(m, "Lease.LeaseRevoke", LeaseGrpc.getLeaseRevokeMethod(), () -> {
            long id = rootLeaseWithKey();
            return use(LeaseRevokeRequest.newBuilder().setID(id).build(), () -> rootRevoke(id));
        });
        add(m, "Lease.LeaseKeepAlive", LeaseGrpc.getLeaseKeepAliveMethod(), () -> {
            long id = rootLeaseWithKey();
            return use(LeaseKeepAliveRequest.newBuilder().setID(id).build(), () -> rootRevoke(id));
        });
        add(m, "Lease.LeaseTimeToLive", LeaseGrpc.getLeaseTimeToLiveMethod(), () -> {
            long id = rootLeaseWithKey();
            return use(LeaseTimeToLiveRequest.newBuilder().setID(id).build(), () -> rootRevoke(id));
        });
        add(m, "Lease.LeaseTimeToLive(keys)", LeaseGrpc.getLeaseTimeToLiveMethod(), () -> {
            long id = rootLeaseWithKey();
            return use(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build(), () -> rootRevoke(id));
        });
        add(m, "Lease.LeaseLeases", LeaseService.LEASE_LEASES, () -> {
            long id = rootLeaseWithKey();
            return use(new LeaseService.LeasesRequest(), () -> rootRevoke(id));
        });
        // ---- Cluster: only learners come and go, so the one voter keeps its quorum
        add(m, "Cluster.MemberAdd", ClusterGrpc.getMemberAddMethod(), () -> {
            String url = learnerUrl();
            return use(MemberAddRequest.newBuilder().addPeerURLs(url).setIsLearner(true).build(), () -> removeMemberAt(url));
        });
        add(m, "Cluster.MemberRemove", ClusterGrpc.getMemberRemoveMethod(), () -> {
            long id = addLearner();
            return use(MemberRemoveRequest.newBuilder().setID(id).build(), () -> removeMember(id));
        });
        add(m, "Cluster.MemberUpdate", ClusterGrpc.getMemberUpdateMethod(), () -> {
            long id = addLearner();
            return use(MemberUpdateRequest.newBuilder().setID(id).addPeerURLs(learnerUrl()).build(), () -> removeMember(id));
        });
        add(m, "Cluster.MemberList", ClusterGrpc.getMemberListMethod(), () -> use(MemberListRequest.getDefaultInstance()));
        add(m, "Cluster.MemberPromote", ClusterService.MEMBER_PROMOTE, () -> {
            long id = addLearner();
            return use(MemberRemoveRequest.newBuilder().setID(id).build(), () -> removeMember(id));
        });
        // ---- Maintenance
        add(m, "Maintenance.Alarm(GET)", MaintenanceGrpc.getAlarmMethod(), () -> use(AlarmRequest.getDefaultInstance()));
        add(m, "Maintenance.Alarm(ACTIVATE)", MaintenanceGrpc.getAlarmMethod(), () -> use(
                alarm(AlarmRequest.AlarmAction.ACTIVATE), () -> rootAlarm(AlarmRequest.AlarmAction.DEACTIVATE)));
        add(m, "Maintenance.Alarm(DEACTIVATE)", MaintenanceGrpc.getAlarmMethod(), () -> {
            rootAlarm(AlarmRequest.AlarmAction.ACTIVATE);
            return use(alarm(AlarmRequest.AlarmAction.DEACTIVATE), () -> rootAlarm(AlarmRequest.AlarmAction.DEACTIVATE));
        });
        add(m, "Maintenance.Status", MaintenanceGrpc.getStatusMethod(), () -> use(StatusRequest.getDefaultInstance()));
        add(m, "Maintenance.Defragment", MaintenanceGrpc.getDefragmentMethod(), () -> use(DefragmentRequest.getDefaultInstance()));
        add(m, "Maintenance.Hash", MaintenanceGrpc.getHashMethod(), () -> use(HashRequest.getDefaultInstance()));
        add(m, "Maintenance.HashKV", MaintenanceGrpc.getHashKVMethod(), () -> use(HashKVRequest.getDefaultInstance()));
        add(m, "Maintenance.Snapshot", MaintenanceGrpc.getSnapshotMethod(), () -> use(SnapshotRequest.getDefaultInstance()));
        // to the leader itself: allowed, and nothing moves
        add(m, "Maintenance.MoveLeader", MaintenanceGrpc.getMoveLeaderMethod(),
                () -> use(MoveLeaderRequest.newBuilder().setTargetID(selfId).build()));
        // ---- Auth
        add(m, "Auth.AuthEnable", AuthGrpc.getAuthEnableMethod(), () -> use(AuthEnableRequest.getDefaultInstance()));
        add(m, "Auth.AuthDisable", AuthGrpc.getAuthDisableMethod(), () -> use(AuthDisableRequest.getDefaultInstance(),
                PermissionMatrixTest::enableAgainIfDisabled));
        add(m, "Auth.Authenticate", AuthGrpc.getAuthenticateMethod(),
                () -> use(AuthenticateRequest.newBuilder().setName("bob").setPassword("bobpw").build()));
        add(m, "Auth.UserAdd", AuthGrpc.getUserAddMethod(), () -> {
            String name = "carol-" + SEQ.incrementAndGet();
            return use(AuthUserAddRequest.newBuilder().setName(name).setPassword("pw").build(), () -> rootDeleteUser(name));
        });
        add(m, "Auth.UserGet", AuthGrpc.getUserGetMethod(), () -> use(AuthUserGetRequest.newBuilder().setName("bob").build()));
        add(m, "Auth.UserList", AuthGrpc.getUserListMethod(), () -> use(AuthUserListRequest.getDefaultInstance()));
        add(m, "Auth.UserDelete", AuthGrpc.getUserDeleteMethod(), () -> {
            String name = "dave-" + SEQ.incrementAndGet();
            root(AuthGrpc.newBlockingStub(channel)).userAdd(AuthServiceTest.userAddWithoutPassword(name));
            return use(AuthUserDeleteRequest.newBuilder().setName(name).build(), () -> rootDeleteUser(name));
        });
        // bob's own password: a user may not change even that without the root role (and root's change ends bob's tokens)
        add(m, "Auth.UserChangePassword", AuthGrpc.getUserChangePasswordMethod(), () -> use(
                AuthUserChangePasswordRequest.newBuilder().setName("bob").setPassword("bobpw").build(),
                () -> tokens.put(Who.BOB, login("bob"))));
        // alice asks for bob's role, and for her role to reach bob's keys
        add(m, "Auth.UserGrantRole", AuthGrpc.getUserGrantRoleMethod(), () -> use(
                AuthUserGrantRoleRequest.newBuilder().setUser("alice").setRole("bob").build(),
                () -> root(AuthGrpc.newBlockingStub(channel)).userRevokeRole(
                        AuthUserRevokeRoleRequest.newBuilder().setName("alice").setRole("bob").build())));
        add(m, "Auth.UserRevokeRole", AuthGrpc.getUserRevokeRoleMethod(), () -> {
            root(AuthGrpc.newBlockingStub(channel)).userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("bob").setRole("extra").build());
            AuthUserRevokeRoleRequest revoke = AuthUserRevokeRoleRequest.newBuilder().setName("bob").setRole("extra").build();
            return use(revoke, () -> root(AuthGrpc.newBlockingStub(channel)).userRevokeRole(revoke));
        });
        add(m, "Auth.RoleAdd", AuthGrpc.getRoleAddMethod(), () -> {
            String name = "role-" + SEQ.incrementAndGet();
            return use(AuthRoleAddRequest.newBuilder().setName(name).build(), () -> rootDeleteRole(name));
        });
        add(m, "Auth.RoleGet", AuthGrpc.getRoleGetMethod(), () -> use(AuthRoleGetRequest.newBuilder().setRole("bob").build()));
        add(m, "Auth.RoleList", AuthGrpc.getRoleListMethod(), () -> use(AuthRoleListRequest.getDefaultInstance()));
        add(m, "Auth.RoleDelete", AuthGrpc.getRoleDeleteMethod(), () -> {
            String name = "role-" + SEQ.incrementAndGet();
            root(AuthGrpc.newBlockingStub(channel)).roleAdd(AuthRoleAddRequest.newBuilder().setName(name).build());
            return use(AuthRoleDeleteRequest.newBuilder().setRole(name).build(), () -> rootDeleteRole(name));
        });
        add(m, "Auth.RoleGrantPermission", AuthGrpc.getRoleGrantPermissionMethod(), () -> use(
                AuthRoleGrantPermissionRequest.newBuilder().setName("alice").setPerm(Permission.newBuilder()
                        .setPermType(Permission.Type.READWRITE).setKey(bs("bob/")).setRangeEnd(bs("bob0"))).build(),
                () -> root(AuthGrpc.newBlockingStub(channel)).roleRevokePermission(AuthRoleRevokePermissionRequest.newBuilder()
                        .setRole("alice").setKey(bs("bob/")).setRangeEnd(bs("bob0")).build())));
        add(m, "Auth.RoleRevokePermission", AuthGrpc.getRoleRevokePermissionMethod(), () -> {
            root(AuthGrpc.newBlockingStub(channel)).roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("extra")
                    .setPerm(Permission.newBuilder().setPermType(Permission.Type.READ).setKey(bs("extra/k"))).build());
            AuthRoleRevokePermissionRequest revoke = AuthRoleRevokePermissionRequest.newBuilder().setRole("extra").setKey(bs("extra/k")).build();
            return use(revoke, () -> root(AuthGrpc.newBlockingStub(channel)).roleRevokePermission(revoke));
        });
        // ---- Lock and Election: names under bob/, each cell its own, held on a lease of root's
        add(m, "Lock.Lock", LockGrpc.getLockMethod(), () -> {
            long lease = rootLease();
            return use(LockRequest.newBuilder().setName(bs(unique("bob/lock"))).setLease(lease).build(), () -> rootRevoke(lease));
        });
        add(m, "Lock.Unlock", LockGrpc.getUnlockMethod(), () -> {
            long lease = rootLease();
            ByteString key = root(LockGrpc.newBlockingStub(channel)).lock(LockRequest.newBuilder().setName(bs(unique("bob/lock")))
                    .setLease(lease).build()).getKey();
            return use(UnlockRequest.newBuilder().setKey(key).build(), () -> rootRevoke(lease));
        });
        add(m, "Election.Campaign", ElectionGrpc.getCampaignMethod(), () -> {
            long lease = rootLease();
            return use(CampaignRequest.newBuilder().setName(bs(unique("bob/election"))).setLease(lease).setValue(bs("me")).build(),
                    () -> rootRevoke(lease));
        });
        add(m, "Election.Proclaim", ElectionGrpc.getProclaimMethod(), () -> {
            LeaderKey leader = rootCampaign();
            return use(ProclaimRequest.newBuilder().setLeader(leader).setValue(bs("proclaimed")).build(), () -> rootRevoke(leader.getLease()));
        });
        add(m, "Election.Leader", ElectionGrpc.getLeaderMethod(), () -> {
            LeaderKey leader = rootCampaign();
            return use(LeaderRequest.newBuilder().setName(leader.getName()).build(), () -> rootRevoke(leader.getLease()));
        });
        add(m, "Election.Observe", ElectionGrpc.getObserveMethod(), () -> {
            LeaderKey leader = rootCampaign();
            return use(LeaderRequest.newBuilder().setName(leader.getName()).build(), () -> rootRevoke(leader.getLease()));
        });
        add(m, "Election.Resign", ElectionGrpc.getResignMethod(), () -> {
            LeaderKey leader = rootCampaign();
            return use(ResignRequest.newBuilder().setLeader(leader).build(), () -> rootRevoke(leader.getLease()));
        });
        return m;
    }

    static void add(Map<String, Rpc> m, String name, MethodDescriptor<?, ?> method, Supplier<Prepared> prepare) {
        m.put(name, new Rpc(name, method, prepare, r -> "OK"));
    }

    /** The {@code --port} requests: {@code {method, path, body}}. */
    static Prepared portRequest(String request) {
        return switch (request) {
            case "GET /bob/k" -> use(new String[] {"GET", "/bob/k", null});
            case "PUT /bob/k" -> use(new String[] {"PUT", "/bob/k", "v"});
            case "DELETE /bob/del" -> {
                rootPut("bob/del");
                yield use(new String[] {"DELETE", "/bob/del", null});
            }
            case "GET /members" -> use(new String[] {"GET", "/members", null});
            // the member's own peer URL: root gets past the check, and the add is refused before anything changes
            case "POST /members/9", "POST /9" -> use(new String[] {"POST", request.substring(5), selfPeerUrl});
            case "DELETE /members/{learner}" -> {
                long id = addLearner();
                yield use(new String[] {"DELETE", "/members/" + Long.toUnsignedString(id), null}, () -> removeMember(id));
            }
            default -> throw new IllegalArgumentException("no --port request " + request);
        };
    }

    // ------------------------------------------------------------------ calling

    /**
     * Sends {@code request} as the only message of a call and answers with the first thing that
     * comes back: a message (the call is then cancelled, so streams end here) or the call's status.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static String callGrpc(Rpc rpc, Object request, String token) throws Exception {
        Channel ch = token == null ? channel : ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(tokenMetadata(token)));
        ClientCall call = ch.newCall(rpc.method(), CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
        CompletableFuture<Object> first = new CompletableFuture<>();
        call.start(new ClientCall.Listener() {
            @Override
            public void onMessage(Object message) {
                first.complete(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                first.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(request);
        if (rpc.method().getType().clientSendsOneMessage()) {
            call.halfClose();
        }
        // a stream of requests (watch, keep-alive) stays open until answered, as a client's does
        Object got = first.get(20, TimeUnit.SECONDS);
        call.cancel("answered", null);
        if (got instanceof Status s) {
            // a stream may end without a message: OK as a call, but no answer
            return s.isOk() ? (rpc.method().getType().serverSendsOneMessage() ? "OK" : NO_ANSWER) : s.getCode() + ": " + s.getDescription();
        }
        return rpc.answer().apply(got);
    }

    static final Set<String> STREAMED = Set.of("/v3/watch", "/v3/lease/keepalive", "/v3/maintenance/snapshot", "/v3/election/observe");

    /**
     * POSTs the request's JSON to {@code route}; a stream's answer is its first line. The answer
     * is the HTTP status, then as over gRPC: OK, or the code and text of grpc-gateway's error object.
     */
    static String callGateway(Rpc rpc, String route, Object request, String token) throws Exception {
        String body = request instanceof Message m ? JSON.print(m) : "{}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + clientPort + route))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", token);
        }
        HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        String text;
        try (InputStream in = r.body()) {
            text = STREAMED.contains(route) ? firstLine(in) : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (text.isEmpty()) {
            return r.statusCode() + " " + NO_ANSWER;
        }
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        String answer;
        JsonElement error = o.get("error");
        if (error != null && error.isJsonPrimitive()) {
            // a unary call's error: {"error": text, "message": text, "code": n}
            answer = Status.fromCodeValue(o.get("code").getAsInt()).getCode() + ": " + error.getAsString();
            if (!error.equals(o.get("message"))) {
                answer += " (message: " + o.get("message") + ")";
            }
        } else if (error != null) {
            // a stream's error: {"error": {"grpc_code": n, "http_code": s, "message": text, "http_status": ...}}
            JsonObject e = error.getAsJsonObject();
            Status.Code code = Status.fromCodeValue(e.get("grpc_code").getAsInt()).getCode();
            answer = code + ": " + e.get("message").getAsString();
            if (e.get("http_code").getAsInt() != httpStatus(code)) {
                answer += " (http_code " + e.get("http_code") + ")";
            }
        } else if (o.has("result") && route.equals("/v3/watch")) {
            JsonObject w = o.getAsJsonObject("result");
            boolean canceled = w.has("canceled") && w.get("canceled").getAsBoolean();
            boolean created = w.has("created") && w.get("created").getAsBoolean();
            answer = canceled ? (created ? "created and " : "") + "canceled: " + w.get("cancel_reason").getAsString() : "OK";
        } else {
            answer = "OK";
        }
        return r.statusCode() + " " + answer;
    }

    static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.write(c);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** One {@code --port} request; its answer: OK for a success, else the status and the text. */
    static String callKeyValueApi(String[] request, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + request[1]))
                .timeout(Duration.ofSeconds(20))
                .method(request[0], request[2] == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(request[2]));
        if (token != null) {
            b.header("Authorization", token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 || r.statusCode() == 204 ? "OK" : r.statusCode() + " " + r.body().strip();
    }

    // ------------------------------------------------------------------ the state a refusal must leave alone

    /**
     * What a call could change, read as root: the revision (every write moves it), whether the
     * revision before the last is still readable (a compaction), users with their roles, roles
     * with their permissions, whether auth is on and each caller's token still valid, the
     * members, the leases, the alarms and the leader.
     */
    static String state() {
        StringBuilder s = new StringBuilder();
        KVGrpc.KVBlockingStub kv = root(KVGrpc.newBlockingStub(channel));
        long rev = kv.range(RangeRequest.newBuilder().setKey(bs("bob/k")).build()).getHeader().getRevision();
        s.append("revision ").append(rev).append('\n');
        s.append("revision before it ").append(answerOf(() -> kv.range(RangeRequest.newBuilder().setKey(bs("bob/"))
                .setRangeEnd(bs("bob0")).setRevision(rev - 1).setCountOnly(true).build()).getCount())).append('\n');
        AuthGrpc.AuthBlockingStub auth = root(AuthGrpc.newBlockingStub(channel));
        for (String user : auth.userList(AuthUserListRequest.getDefaultInstance()).getUsersList()) {
            s.append("user ").append(user).append(' ')
                    .append(auth.userGet(AuthUserGetRequest.newBuilder().setName(user).build()).getRolesList()).append('\n');
        }
        for (String role : auth.roleList(AuthRoleListRequest.getDefaultInstance()).getRolesList()) {
            s.append("role ").append(role).append(' ').append(TextFormat.shortDebugString(
                    auth.roleGet(AuthRoleGetRequest.newBuilder().setRole(role).build()).toBuilder().clearHeader().build())).append('\n');
        }
        s.append("without a token ").append(answerOf(() -> KVGrpc.newBlockingStub(channel)
                .range(RangeRequest.newBuilder().setKey(bs("bob/k")).build()).getCount())).append('\n');
        for (Who who : List.of(Who.ALICE, Who.BOB)) {
            s.append("token of ").append(who).append(' ').append(answerOf(() -> as(AuthGrpc.newBlockingStub(channel), tokens.get(who))
                    .userGet(AuthUserGetRequest.newBuilder().setName(who.toString()).build()).getRolesCount())).append('\n');
        }
        for (Member member : root(ClusterGrpc.newBlockingStub(channel)).memberList(MemberListRequest.getDefaultInstance()).getMembersList()) {
            s.append("member ").append(TextFormat.shortDebugString(member)).append('\n');
        }
        List<Long> leases = new ArrayList<>(io.grpc.stub.ClientCalls.blockingUnaryCall(
                ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(tokenMetadata(tokens.get(Who.ROOT)))),
                LeaseService.LEASE_LEASES, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                new LeaseService.LeasesRequest()).ids());
        leases.sort(null);
        s.append("leases ").append(leases).append('\n');
        s.append("alarms ").append(TextFormat.shortDebugString(root(MaintenanceGrpc.newBlockingStub(channel))
                .alarm(AlarmRequest.getDefaultInstance()).toBuilder().clearHeader().build())).append('\n');
        s.append("leader ").append(root(MaintenanceGrpc.newBlockingStub(channel)).status(StatusRequest.getDefaultInstance()).getLeader());
        return s.toString();
    }

    static String answerOf(Supplier<Object> read) {
        try {
            return String.valueOf(read.get());
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }

    // ------------------------------------------------------------------ root's helpers

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    static Metadata tokenMetadata(String token) {
        Metadata md = new Metadata();
        md.put(Caller.TOKEN, token);
        return md;
    }

    static <S extends AbstractStub<S>> S as(S stub, String token) {
        S s = stub.withDeadlineAfter(20, TimeUnit.SECONDS);
        return token == null ? s : s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(tokenMetadata(token)));
    }

    static <S extends AbstractStub<S>> S root(S stub) {
        return as(stub, tokens.get(Who.ROOT));
    }

    static String login(String user) {
        return AuthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).authenticate(AuthenticateRequest.newBuilder()
                .setName(user).setPassword(user + "pw").build()).getToken();
    }

    static void loginAll() {
        tokens.put(Who.ALICE, login("alice"));
        tokens.put(Who.BOB, login("bob"));
        tokens.put(Who.ROOT, login("root"));
    }

    /** Puts {@code key} as root; the revision it made. */
    static long rootPut(String key) {
        return root(KVGrpc.newBlockingStub(channel)).put(PutRequest.newBuilder().setKey(bs(key)).setValue(bs("v")).build())
                .getHeader().getRevision();
    }

    static long rootLease() {
        return root(LeaseGrpc.newBlockingStub(channel)).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(600).build()).getID();
    }

    /** A lease of root's with a key of bob's on it, so revoking it needs write permission on bob's keys. */
    static long rootLeaseWithKey() {
        long id = rootLease();
        root(KVGrpc.newBlockingStub(channel)).put(PutRequest.newBuilder().setKey(bs(unique("bob/leased"))).setLease(id).build());
        return id;
    }

    static void rootRevoke(long id) {
        root(LeaseGrpc.newBlockingStub(channel)).leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
    }

    static LeaderKey rootCampaign() {
        return root(ElectionGrpc.newBlockingStub(channel)).campaign(CampaignRequest.newBuilder().setName(bs(unique("bob/election")))
                .setLease(rootLease()).setValue(bs("root")).build()).getLeader();
    }

    static AlarmRequest alarm(AlarmRequest.AlarmAction action) {
        return AlarmRequest.newBuilder().setAction(action).setMemberID(selfId).setAlarm(AlarmType.NOSPACE).build();
    }

    static void rootAlarm(AlarmRequest.AlarmAction action) {
        root(MaintenanceGrpc.newBlockingStub(channel)).alarm(alarm(action));
    }

    /**
     * A new peer URL for a learner. A member asks every member for its name and client URL and
     * waits for one that does not answer; a learner here answers at once, which keeps the member
     * list (read before and after every refusal) fast. New each time: etcd refuses to add a
     * member again at a removed one's URL within the same second (the ids would be the same).
     */
    static String learnerUrl() {
        try {
            io.grpc.Server nobody = io.grpc.netty.NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                    .build().start();
            learnerPorts.add(nobody);
            return "http://127.0.0.1:" + nobody.getPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Adds a learner where no member runs: it never catches up, and the voter's quorum stays its
     * own. One at a time (etcd 3.4 allows one learner), removed again by the cell that added it.
     */
    static long addLearner() {
        return root(ClusterGrpc.newBlockingStub(channel)).memberAdd(MemberAddRequest.newBuilder().addPeerURLs(learnerUrl())
                .setIsLearner(true).build()).getMember().getID();
    }

    static void removeMember(long id) {
        root(ClusterGrpc.newBlockingStub(channel)).memberRemove(MemberRemoveRequest.newBuilder().setID(id).build());
    }

    static void removeMemberAt(String peerUrl) {
        for (Member member : root(ClusterGrpc.newBlockingStub(channel)).memberList(MemberListRequest.getDefaultInstance()).getMembersList()) {
            if (member.getPeerURLsList().contains(peerUrl)) {
                removeMember(member.getID());
            }
        }
    }

    static void rootDeleteUser(String name) {
        root(AuthGrpc.newBlockingStub(channel)).userDelete(AuthUserDeleteRequest.newBuilder().setName(name).build());
    }

    static void rootDeleteRole(String name) {
        root(AuthGrpc.newBlockingStub(channel)).roleDelete(AuthRoleDeleteRequest.newBuilder().setRole(name).build());
    }

    /** After root's AuthDisable: on again, and new tokens, since disabling auth ended every token. */
    static void enableAgainIfDisabled() {
        boolean disabled = answerOf(() -> KVGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder().setKey(bs("bob/k")).build()).getCount()).equals("1");
        if (disabled) {
            AuthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).authEnable(AuthEnableRequest.getDefaultInstance());
            loginAll();
        }
    }

    static void quietly(Runnable cleanup) {
        try {
            cleanup.run();
        } catch (io.grpc.StatusRuntimeException alreadyUndone) {
            // the call was refused, so there was nothing to undo
        }
    }
}
