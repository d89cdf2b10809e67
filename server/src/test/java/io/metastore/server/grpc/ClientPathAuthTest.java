package io.metastore.server.grpc;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.Permission;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.metastore.server.grpc.AuthServiceTest.as;
import static io.metastore.server.grpc.AuthServiceTest.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Auth on the client paths besides KV: membership changes over gRPC, the JSON gateway and the
 * {@code --port} API, and lease listings. One member with auth enabled, users root and alice
 * (readwrite on {@code alice/} only). The expected answers are etcd 3.4.23's, from a run of it.
 */
class ClientPathAuthTest {
    static Path dir;
    static MetaStoreServer server;
    static ManagedChannel channel;
    static String rootToken;
    static String aliceToken;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("client-path-auth");
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory",
                "--port", String.valueOf(TestServers.freePort())));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channel);
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("rootpw").build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("alice").setPassword("alicepw").build());
        auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("alice").build());
        auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("alice").setPerm(Permission.newBuilder()
                .setPermType(Permission.Type.READWRITE).setKey(bs("alice/")).setRangeEnd(bs("alice0"))).build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("alice").setRole("alice").build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
        rootToken = login("root", "rootpw");
        aliceToken = login("alice", "alicepw");
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
        TestServers.deleteRecursively(dir);
    }

    static String login(String user, String password) {
        return AuthGrpc.newBlockingStub(channel).authenticate(io.etcd.jetcd.api.AuthenticateRequest.newBuilder()
                .setName(user).setPassword(password).build()).getToken();
    }

    static void assertEtcdError(Status.Code code, String message, Executable call) {
        AuthServiceTest.assertEtcdError(code, message, call);
    }

    static HttpResponse<String> http(int port, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static MemberListResponse members() {
        return ClusterGrpc.newBlockingStub(channel).memberList(MemberListRequest.getDefaultInstance());
    }

    /** etcd 3.4.23 with auth enabled: {@code etcdctl member add/remove/update/promote} as alice, and with no user. */
    @Test
    void membershipChangesNeedRootOverGrpc() {
        MemberListResponse before = members();
        long self = before.getMembers(0).getID();
        MemberAddRequest add = MemberAddRequest.newBuilder().addPeerURLs("http://127.0.0.1:1").build();
        MemberRemoveRequest remove = MemberRemoveRequest.newBuilder().setID(self).build();
        MemberUpdateRequest update = MemberUpdateRequest.newBuilder().setID(self).addPeerURLs("http://127.0.0.1:1").build();
        Map<String, Status.Code> callers = Map.of("etcdserver: user name is empty", Status.Code.INVALID_ARGUMENT,
                "etcdserver: permission denied", Status.Code.PERMISSION_DENIED);
        for (var caller : callers.entrySet()) {
            String token = caller.getKey().endsWith("empty") ? null : aliceToken;
            ClusterGrpc.ClusterBlockingStub cluster = as(ClusterGrpc.newBlockingStub(channel), token);
            assertEtcdError(caller.getValue(), caller.getKey(), () -> cluster.memberAdd(add));
            assertEtcdError(caller.getValue(), caller.getKey(), () -> cluster.memberRemove(remove));
            assertEtcdError(caller.getValue(), caller.getKey(), () -> cluster.memberUpdate(update));
            assertEtcdError(caller.getValue(), caller.getKey(), () -> ClientCalls.blockingUnaryCall(cluster.getChannel(),
                    ClusterService.MEMBER_PROMOTE, cluster.getCallOptions(), remove));
        }
        assertEtcdError(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token",
                () -> as(ClusterGrpc.newBlockingStub(channel), "forged.1").memberRemove(remove));
        // root gets past the check: an unknown member is then what refuses it
        assertEtcdError(Status.Code.NOT_FOUND, "etcdserver: member not found", () -> as(ClusterGrpc.newBlockingStub(channel), rootToken)
                .memberRemove(MemberRemoveRequest.newBuilder().setID(12345).build()));
        assertEquals(before.getMembersList(), members().getMembersList(), "refused changes changed nothing");
        assertEquals(1, as(ClusterGrpc.newBlockingStub(channel), null).memberList(MemberListRequest.getDefaultInstance())
                .getMembersCount(), "anyone may list the members, as in etcd");
    }

    /** etcd 3.4.23's gateway: {@code POST /v3/cluster/member/add} answers {"error":...,"code":3} and {"code":7}. */
    @Test
    void membershipChangesNeedRootThroughTheGateway() throws Exception {
        MemberListResponse before = members();
        int port = server.grpcPort();
        String add = "{\"peerURLs\":[\"http://127.0.0.1:1\"]}";
        String remove = "{\"ID\":\"" + Long.toUnsignedString(before.getMembers(0).getID()) + "\"}";
        for (String path : List.of("/v3/cluster/member/add", "/v3/cluster/member/remove", "/v3/cluster/member/update",
                "/v3/cluster/member/promote")) {
            String body = path.endsWith("add") ? add : path.endsWith("update") ? remove.replace("}", ",\"peerURLs\":[\"http://127.0.0.1:1\"]}") : remove;
            assertGatewayError(http(port, "POST", path, null, body), 400, 3, "etcdserver: user name is empty");
            assertGatewayError(http(port, "POST", path, aliceToken, body), 403, 7, "etcdserver: permission denied");
            assertGatewayError(http(port, "POST", path, "forged.1", body), 401, 16, "etcdserver: invalid auth token");
        }
        assertGatewayError(http(port, "POST", "/v3/cluster/member/remove", rootToken, "{\"ID\":\"12345\"}"), 404, 5,
                "etcdserver: member not found");
        assertEquals(before.getMembersList(), members().getMembersList(), "refused changes changed nothing");
    }

    /** The {@code --port} API takes the token in {@code Authorization}, as the gateway does, and answers etcd's text. */
    @Test
    void membershipChangesNeedRootOnThePlainHttpApi() throws Exception {
        MemberListResponse before = members();
        int port = server.httpPort();
        String self = Long.toUnsignedString(before.getMembers(0).getID());
        for (String[] change : List.of(new String[] {"POST", "/members/9", "http://127.0.0.1:1"}, new String[] {"POST", "/9", "http://127.0.0.1:1"},
                new String[] {"DELETE", "/members/" + self, null})) {
            HttpResponse<String> none = http(port, change[0], change[1], null, change[2]);
            assertEquals(400, none.statusCode());
            assertEquals("etcdserver: user name is empty\n", none.body());
            HttpResponse<String> alice = http(port, change[0], change[1], aliceToken, change[2]);
            assertEquals(403, alice.statusCode());
            assertEquals("etcdserver: permission denied\n", alice.body());
            HttpResponse<String> forged = http(port, change[0], change[1], "forged.1", change[2]);
            assertEquals(401, forged.statusCode());
            assertEquals("etcdserver: invalid auth token\n", forged.body());
        }
        HttpResponse<String> root = http(port, "DELETE", "/members/12345", rootToken, null);
        assertEquals(404, root.statusCode());
        assertEquals("etcdserver: member not found\n", root.body());
        assertEquals(before.getMembersList(), members().getMembersList(), "refused changes changed nothing");
        assertEquals(200, http(port, "GET", "/members", null, null).statusCode(), "listing needs no user");
    }

    /**
     * etcd 3.4.23 lists leases and the keys on a lease to anyone; later 3.4 and 3.5 releases
     * refuse TimeToLive with keys unless the caller may read every key (no user: "user name is
     * empty", else "permission denied"). Here both listings also need a user.
     */
    @Test
    void leaseListingsNeedAUserAndKeysNeedReadPermission() throws Exception {
        var rootLease = as(io.etcd.jetcd.api.LeaseGrpc.newBlockingStub(channel), rootToken);
        long secret = rootLease.leaseGrant(io.etcd.jetcd.api.LeaseGrantRequest.newBuilder().setTTL(600).build()).getID();
        long shared = rootLease.leaseGrant(io.etcd.jetcd.api.LeaseGrantRequest.newBuilder().setTTL(600).build()).getID();
        var rootKv = as(io.etcd.jetcd.api.KVGrpc.newBlockingStub(channel), rootToken);
        rootKv.put(io.etcd.jetcd.api.PutRequest.newBuilder().setKey(bs("secret/db-url")).setLease(secret).build());
        rootKv.put(io.etcd.jetcd.api.PutRequest.newBuilder().setKey(bs("alice/k")).setLease(shared).build());

        var nobody = io.etcd.jetcd.api.LeaseGrpc.newBlockingStub(channel);
        var alice = as(io.etcd.jetcd.api.LeaseGrpc.newBlockingStub(channel), aliceToken);
        String empty = "etcdserver: user name is empty";
        assertEtcdError(Status.Code.INVALID_ARGUMENT, empty, () -> ClientCalls.blockingUnaryCall(channel, LeaseService.LEASE_LEASES,
                io.grpc.CallOptions.DEFAULT, new LeaseService.LeasesRequest()));
        for (boolean keys : new boolean[] {false, true}) {
            assertEtcdError(Status.Code.INVALID_ARGUMENT, empty, () -> nobody.leaseTimeToLive(
                    io.etcd.jetcd.api.LeaseTimeToLiveRequest.newBuilder().setID(secret).setKeys(keys).build()));
        }
        assertEtcdError(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied", () -> alice.leaseTimeToLive(
                io.etcd.jetcd.api.LeaseTimeToLiveRequest.newBuilder().setID(secret).setKeys(true).build()));
        assertEquals(0, alice.leaseTimeToLive(io.etcd.jetcd.api.LeaseTimeToLiveRequest.newBuilder().setID(secret).build()).getKeysCount(),
                "without keys a user may ask any lease's TTL, as in etcd");
        assertEquals(List.of(bs("alice/k")), alice.leaseTimeToLive(io.etcd.jetcd.api.LeaseTimeToLiveRequest.newBuilder()
                .setID(shared).setKeys(true).build()).getKeysList());
        List<Long> ids = ClientCalls.blockingUnaryCall(alice.getChannel(), LeaseService.LEASE_LEASES,
                alice.getCallOptions(), new LeaseService.LeasesRequest()).ids();
        assertEquals(true, ids.containsAll(List.of(secret, shared)), ids.toString());

        // the gateway calls the same service
        int port = server.grpcPort();
        assertGatewayError(http(port, "POST", "/v3/lease/leases", null, "{}"), 400, 3, empty);
        assertGatewayError(http(port, "POST", "/v3/lease/timetolive", null, "{\"ID\":\"" + secret + "\",\"keys\":true}"), 400, 3, empty);
        assertGatewayError(http(port, "POST", "/v3/lease/timetolive", aliceToken, "{\"ID\":\"" + secret + "\",\"keys\":true}"),
                403, 7, "etcdserver: permission denied");
    }

    /**
     * The gateway's streaming routes hold one JSON object at most {@code Gateway.MAX_BODY} long
     * (the limit of the other routes' whole bodies): a longer one is refused with the same answer
     * before the rest of it is read, and before any auth check, then the connection is closed.
     */
    @Test
    void aStreamedObjectOverTheBodyLimitIsRefusedBeforeItIsBuffered() throws Exception {
        int size = io.metastore.server.config.ServerConfig.Limits.defaults().maxMessageBytes() + 1024;
        String huge = "{\"create_request\":{\"key\":\"" + "A".repeat(size) + "\"}}";
        String first = streamed("/v3/watch", null, huge);
        assertEquals(true, first.startsWith("HTTP/1.1 400 "), first);
        assertEquals(true, first.endsWith("{\"error\":\"etcdserver: request is too large\",\"message\":"
                + "\"etcdserver: request is too large\",\"code\":3}"), first);

        long lease = as(io.etcd.jetcd.api.LeaseGrpc.newBlockingStub(channel), rootToken)
                .leaseGrant(io.etcd.jetcd.api.LeaseGrantRequest.newBuilder().setTTL(600).build()).getID();
        String later = streamed("/v3/lease/keepalive", rootToken, "{\"ID\":\"" + lease + "\"}" + huge);
        assertEquals(true, later.startsWith("HTTP/1.1 200 "), later);
        assertEquals(true, later.contains("{\"result\":"), later);
        assertEquals(true, later.contains("{\"error\":{\"grpc_code\":3,\"http_code\":400,"
                + "\"message\":\"etcdserver: request is too large\",\"http_status\":\"Bad Request\"}}"), later);
    }

    /** Sends {@code body} to a gateway route on a raw connection and reads the answer until the server closes it. */
    static String streamed(String path, String token, String body) throws Exception {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.grpcPort())) {
            socket.setSoTimeout(30_000);
            Thread writer = new Thread(() -> {
                try {
                    var out = socket.getOutputStream();
                    out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + bytes.length + "\r\n"
                            + (token == null ? "" : "Authorization: " + token + "\r\n") + "\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    out.write(bytes);
                    out.flush();
                } catch (java.io.IOException closedByTheServer) {
                    // expected once the server has answered and closed
                }
            });
            writer.start();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            writer.join(30_000);
            return answer.trim();
        }
    }

    static void assertGatewayError(HttpResponse<String> r, int http, int code, String message) {
        assertEquals(http, r.statusCode(), r.body());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(message, o.get("error").getAsString());
        assertEquals(message, o.get("message").getAsString());
        assertEquals(code, o.get("code").getAsInt());
    }
}
