package io.metastore.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleDeleteRequest;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserChangePasswordRequest;
import io.etcd.jetcd.api.AuthUserDeleteRequest;
import io.etcd.jetcd.api.AuthUserGetRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.AuthUserListRequest;
import io.etcd.jetcd.api.AuthUserRevokeRoleRequest;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.Permission;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's Auth service and its enforcement: management answers, then a permission matrix with
 * auth enabled — each permission kind against each operation, txns, lease revokes, management
 * operations — and token invalidation. The tests run in order on one member.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthServiceTest {
    @TempDir
    static Path dir;
    static MetaStoreServer server;
    static ManagedChannel channel;
    static String rootToken;
    static String aliceToken;

    @BeforeAll
    static void start() {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    static <S extends AbstractStub<S>> S as(S stub, String token) {
        if (token == null) {
            return stub;
        }
        Metadata m = new Metadata();
        m.put(Caller.TOKEN, token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static void assertEtcdError(Status.Code code, String message, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertEquals(message, e.getStatus().getDescription());
    }

    /**
     * A UserAdd with etcd 3.4's {@code options.no_password} set: field 3 holding
     * {@code UserAddOptions{no_password = 1}}, which jetcd's request type does not declare.
     */
    static AuthUserAddRequest userAddWithoutPassword(String name) {
        UnknownFieldSet options = UnknownFieldSet.newBuilder()
                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
        return AuthUserAddRequest.newBuilder().setName(name).setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(3, UnknownFieldSet.Field.newBuilder().addLengthDelimited(options.toByteString()).build())
                .build()).build();
    }

    static String login(String user, String password) {
        return AuthGrpc.newBlockingStub(channel).authenticate(AuthenticateRequest.newBuilder().setName(user)
                .setPassword(password).build()).getToken();
    }

    @Test
    @Order(1)
    void enablingNeedsARootUserWithTheRootRole() {
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channel);
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: root user does not exist",
                () -> auth.authEnable(AuthEnableRequest.getDefaultInstance()));
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("rootpw").build());
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: root user does not have root role",
                () -> auth.authEnable(AuthEnableRequest.getDefaultInstance()));
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: user name already exists",
                () -> auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("x").build()));
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: authentication is not enabled",
                () -> login("root", "rootpw"));
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("alice").setPassword("alicepw").build());
        auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("reader").build());
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: role name not found",
                () -> auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("alice").setRole("nope").build()));
        auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("reader")
                .setPerm(Permission.newBuilder().setPermType(Permission.Type.READ).setKey(bs("a/")).setRangeEnd(bs("a0"))).build());
        auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("reader")
                .setPerm(Permission.newBuilder().setPermType(Permission.Type.WRITE).setKey(bs("w"))).build());
        auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("reader")
                .setPerm(Permission.newBuilder().setPermType(Permission.Type.READWRITE).setKey(bs("rw/")).setRangeEnd(bs("rw0"))).build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("alice").setRole("reader").build());
        assertEquals(3, auth.roleGet(AuthRoleGetRequest.newBuilder().setRole("reader").build()).getPermCount());
        assertEquals(List.of("reader"), auth.userGet(AuthUserGetRequest.newBuilder().setName("alice").build()).getRolesList());
        KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(bs("a/1")).setValue(bs("v")).build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
    }

    @Test
    @Order(2)
    void callersNeedATokenAndTheRightPassword() {
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty",
                () -> KVGrpc.newBlockingStub(channel).range(RangeRequest.newBuilder().setKey(bs("a/1")).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password",
                () -> login("alice", "wrong"));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password",
                () -> login("mallory", "x"));
        assertEtcdError(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token",
                () -> as(KVGrpc.newBlockingStub(channel), "forged.1").range(RangeRequest.newBuilder().setKey(bs("a/1")).build()));
        rootToken = login("root", "rootpw");
        aliceToken = login("alice", "alicepw");
        assertEquals(1, as(KVGrpc.newBlockingStub(channel), rootToken).range(RangeRequest.newBuilder().setKey(bs("a/1")).build()).getCount());
    }

    @Test
    @Order(3)
    void eachPermissionKindAllowsExactlyItsOperations() {
        KVGrpc.KVBlockingStub alice = as(KVGrpc.newBlockingStub(channel), aliceToken);
        String denied = "etcdserver: permission denied";
        assertEquals(1, alice.range(RangeRequest.newBuilder().setKey(bs("a/1")).build()).getCount());
        assertEquals(1, alice.range(RangeRequest.newBuilder().setKey(bs("a/")).setRangeEnd(bs("a0")).build()).getCount());
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> alice.range(RangeRequest.newBuilder().setKey(bs("a/")).setRangeEnd(bs("b")).build()));
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> alice.put(PutRequest.newBuilder().setKey(bs("a/1")).setValue(bs("x")).build()));
        alice.put(PutRequest.newBuilder().setKey(bs("w")).setValue(bs("x")).build());
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> alice.range(RangeRequest.newBuilder().setKey(bs("w")).build()));
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> alice.put(PutRequest.newBuilder().setKey(bs("w")).setValue(bs("x")).setPrevKv(true).build()));
        alice.put(PutRequest.newBuilder().setKey(bs("rw/k")).setValue(bs("x")).setPrevKv(true).build());
        alice.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("rw/")).setRangeEnd(bs("rw0")).setPrevKv(true).build());
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> alice.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("a/1")).build()));
        Compare readA = Compare.newBuilder().setKey(bs("a/1")).setTarget(Compare.CompareTarget.VERSION)
                .setResult(Compare.CompareResult.GREATER).setVersion(0).build();
        assertTrue(alice.txn(TxnRequest.newBuilder().addCompare(readA)
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs("w")).setValue(bs("t")))).build())
                .getSucceeded());
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied, () -> alice.txn(TxnRequest.newBuilder().addCompare(readA)
                .addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs("a/1")).setValue(bs("t")))).build()));
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied, () -> alice.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestTxn(TxnRequest.newBuilder()
                        .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bs("w")))))).build()));
        assertEquals(1, as(KVGrpc.newBlockingStub(channel), rootToken).range(RangeRequest.newBuilder().setKey(bs("a/1")).build())
                .getKvs(0).getVersion(), "denied requests changed nothing");
    }

    @Test
    @Order(4)
    void managementAndLeaseRevokesAreChecked() {
        String denied = "etcdserver: permission denied";
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> as(AuthGrpc.newBlockingStub(channel), aliceToken).userList(AuthUserListRequest.getDefaultInstance()));
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> as(AuthGrpc.newBlockingStub(channel), aliceToken).userAdd(AuthUserAddRequest.newBuilder().setName("eve").setPassword("x").build()));
        assertEquals(List.of("alice", "root"),
                as(AuthGrpc.newBlockingStub(channel), rootToken).userList(AuthUserListRequest.getDefaultInstance()).getUsersList());
        assertEquals(List.of("reader"), as(AuthGrpc.newBlockingStub(channel), aliceToken)
                .userGet(AuthUserGetRequest.newBuilder().setName("alice").build()).getRolesList(), "a user may read itself");
        // etcd 3.4.23's maintenance service makes its own root check and answers with the auth package's error
        assertEtcdError(Status.Code.UNKNOWN, "auth: permission denied", () -> as(MaintenanceGrpc.newBlockingStub(channel), aliceToken)
                .snapshot(SnapshotRequest.getDefaultInstance()).hasNext());
        as(MaintenanceGrpc.newBlockingStub(channel), aliceToken).status(StatusRequest.getDefaultInstance());

        long lease = as(LeaseGrpc.newBlockingStub(channel), rootToken).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
        as(KVGrpc.newBlockingStub(channel), rootToken).put(PutRequest.newBuilder().setKey(bs("a/leased")).setLease(lease).build());
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied, () -> as(LeaseGrpc.newBlockingStub(channel), aliceToken)
                .leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build()));
        // etcd's checkLeasePuts: no key of alice's may join a lease she could not revoke
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied, () -> as(KVGrpc.newBlockingStub(channel), aliceToken)
                .put(PutRequest.newBuilder().setKey(bs("rw/joined")).setValue(bs("x")).setLease(lease).build()));
        assertEquals(0, as(KVGrpc.newBlockingStub(channel), rootToken).range(RangeRequest.newBuilder().setKey(bs("rw/joined")).build())
                .getCount(), "the refused put wrote nothing");
        long own = as(LeaseGrpc.newBlockingStub(channel), aliceToken).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
        as(KVGrpc.newBlockingStub(channel), aliceToken).put(PutRequest.newBuilder().setKey(bs("rw/joined")).setLease(own).build());
        as(KVGrpc.newBlockingStub(channel), aliceToken).put(PutRequest.newBuilder().setKey(bs("rw/joined2")).setLease(own).build());
        as(LeaseGrpc.newBlockingStub(channel), aliceToken).leaseRevoke(LeaseRevokeRequest.newBuilder().setID(own).build());
        as(LeaseGrpc.newBlockingStub(channel), rootToken).leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build());
    }

    @Test
    @Order(4)
    void aWatchOnARangeTheCallerMayNotReadIsCancelledAtOnce() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<io.etcd.jetcd.api.WatchResponse> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        var requests = as(io.etcd.jetcd.api.WatchGrpc.newStub(channel), aliceToken).watch(new io.grpc.stub.StreamObserver<>() {
            public void onNext(io.etcd.jetcd.api.WatchResponse r) {
                answers.add(r);
            }

            public void onError(Throwable t) {
            }

            public void onCompleted() {
            }
        });
        requests.onNext(io.etcd.jetcd.api.WatchRequest.newBuilder().setCreateRequest(
                io.etcd.jetcd.api.WatchCreateRequest.newBuilder().setKey(bs("w"))).build());
        var denied = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(denied.getCreated() && denied.getCanceled());
        assertEquals("rpc error: code = PermissionDenied desc = etcdserver: permission denied", denied.getCancelReason());
        requests.onNext(io.etcd.jetcd.api.WatchRequest.newBuilder().setCreateRequest(
                io.etcd.jetcd.api.WatchCreateRequest.newBuilder().setKey(bs("a/")).setRangeEnd(bs("a0"))).build());
        var allowed = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(allowed.getCreated());
        assertFalse(allowed.getCanceled());
        requests.onCompleted();
    }

    /**
     * A forged token does not refuse the Watch call itself, as it refuses every other call: etcd
     * 3.4.23 opens the stream and answers each create as created and canceled, saying why.
     */
    @Test
    @Order(4)
    void aWatchStreamWithAForgedTokenOpensAndCancelsEachCreate() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<io.etcd.jetcd.api.WatchResponse> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        var requests = as(io.etcd.jetcd.api.WatchGrpc.newStub(channel), "forged.1").watch(new io.grpc.stub.StreamObserver<>() {
            public void onNext(io.etcd.jetcd.api.WatchResponse r) {
                answers.add(r);
            }

            public void onError(Throwable t) {
                failed.set(t);
            }

            public void onCompleted() {
            }
        });
        for (String key : List.of("a/1", "w")) {
            requests.onNext(io.etcd.jetcd.api.WatchRequest.newBuilder().setCreateRequest(
                    io.etcd.jetcd.api.WatchCreateRequest.newBuilder().setKey(bs(key))).build());
            var refused = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(refused != null && refused.getCreated() && refused.getCanceled(), String.valueOf(refused) + failed.get());
            assertEquals("rpc error: code = Unauthenticated desc = etcdserver: invalid auth token", refused.getCancelReason());
            assertEquals(-1, refused.getWatchId());
        }
        assertEquals(null, failed.get(), "the stream stays open");
        requests.onCompleted();
    }

    @Test
    @Order(4)
    void locksNeedWritePermissionOnTheirNamespace() {
        long lease = as(LeaseGrpc.newBlockingStub(channel), rootToken).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
        var lock = as(io.etcd.jetcd.api.lock.LockGrpc.newBlockingStub(channel), aliceToken);
        // etcd's lock service calls KV through its own client: the refusal reaches the caller as Unknown
        assertEtcdError(Status.Code.UNKNOWN, "etcdserver: permission denied",
                () -> lock.lock(io.etcd.jetcd.api.lock.LockRequest.newBuilder().setName(bs("a")).setLease(lease).build()));
        ByteString key = lock.lock(io.etcd.jetcd.api.lock.LockRequest.newBuilder().setName(bs("rw")).setLease(lease).build()).getKey();
        assertTrue(key.toStringUtf8().startsWith("rw/"));
        lock.unlock(io.etcd.jetcd.api.lock.UnlockRequest.newBuilder().setKey(key).build());
    }

    /**
     * Proclaim and Resign write and delete the leader key the caller names, so they are checked
     * as the txn etcd makes of them: read on the key for the compare, write for the put or delete.
     * etcd 3.4.23 answers a refusal with Unknown "etcdserver: permission denied" (its election
     * service goes through its own client), the same whatever revision is given, so a refused
     * Proclaim does not tell whether the revision was the key's create revision.
     */
    @Test
    @Order(4)
    void proclaimAndResignNeedPermissionOnTheLeaderKey() {
        KVGrpc.KVBlockingStub rootKv = as(KVGrpc.newBlockingStub(channel), rootToken);
        rootKv.put(PutRequest.newBuilder().setKey(bs("secret/password")).setValue(bs("hunter2")).build());
        io.etcd.jetcd.api.KeyValue before = rootKv.range(RangeRequest.newBuilder().setKey(bs("secret/password")).build()).getKvs(0);
        var alice = as(io.etcd.jetcd.api.ElectionGrpc.newBlockingStub(channel), aliceToken);
        var nobody = io.etcd.jetcd.api.ElectionGrpc.newBlockingStub(channel);
        String denied = "etcdserver: permission denied";
        for (long rev : new long[] {before.getCreateRevision(), before.getCreateRevision() + 1, 0}) {
            io.etcd.jetcd.api.LeaderKey secret = io.etcd.jetcd.api.LeaderKey.newBuilder().setName(bs("rw"))
                    .setKey(bs("secret/password")).setRev(rev).build();
            assertEtcdError(Status.Code.UNKNOWN, denied, () -> alice.proclaim(io.etcd.jetcd.api.ProclaimRequest.newBuilder()
                    .setLeader(secret).setValue(bs("pwned")).build()));
            assertEtcdError(Status.Code.UNKNOWN, denied, () -> alice.resign(io.etcd.jetcd.api.ResignRequest.newBuilder()
                    .setLeader(secret).build()));
            assertEtcdError(Status.Code.UNKNOWN, "etcdserver: user name is empty", () -> nobody.proclaim(
                    io.etcd.jetcd.api.ProclaimRequest.newBuilder().setLeader(secret).setValue(bs("pwned")).build()));
        }
        // write permission alone is not enough: the compare reads the key
        alice.campaign(io.etcd.jetcd.api.CampaignRequest.newBuilder().setName(bs("rw"))
                .setLease(as(LeaseGrpc.newBlockingStub(channel), rootToken).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID())
                .setValue(bs("me")).build());
        long wRev = rootKv.range(RangeRequest.newBuilder().setKey(bs("w")).build()).getKvs(0).getCreateRevision();
        assertEtcdError(Status.Code.UNKNOWN, denied, () -> alice.proclaim(io.etcd.jetcd.api.ProclaimRequest.newBuilder()
                .setLeader(io.etcd.jetcd.api.LeaderKey.newBuilder().setName(bs("rw")).setKey(bs("w")).setRev(wRev))
                .setValue(bs("pwned")).build()));
        assertEquals(before, rootKv.range(RangeRequest.newBuilder().setKey(bs("secret/password")).build()).getKvs(0),
                "refused proclaims and resigns changed nothing");

        // on a key the caller may read and write, the election works as before
        var leader = alice.campaign(io.etcd.jetcd.api.CampaignRequest.newBuilder().setName(bs("rw/e"))
                .setLease(as(LeaseGrpc.newBlockingStub(channel), rootToken).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID())
                .setValue(bs("first")).build()).getLeader();
        alice.proclaim(io.etcd.jetcd.api.ProclaimRequest.newBuilder().setLeader(leader).setValue(bs("second")).build());
        assertEquals("second", rootKv.range(RangeRequest.newBuilder().setKey(leader.getKey()).build()).getKvs(0).getValue().toStringUtf8());
        assertEtcdError(Status.Code.UNKNOWN, "election: not leader", () -> alice.proclaim(io.etcd.jetcd.api.ProclaimRequest.newBuilder()
                .setLeader(leader.toBuilder().setRev(leader.getRev() + 100)).setValue(bs("x")).build()));
        alice.resign(io.etcd.jetcd.api.ResignRequest.newBuilder().setLeader(leader).build());
        assertEquals(0, rootKv.range(RangeRequest.newBuilder().setKey(leader.getKey()).build()).getCount());
    }

    @Test
    @Order(5)
    void changingAPasswordRevokesTheUsersTokens() throws Exception {
        KVGrpc.KVBlockingStub alice = as(KVGrpc.newBlockingStub(channel), aliceToken);
        alice.range(RangeRequest.newBuilder().setKey(bs("a/1")).build());
        java.util.concurrent.LinkedBlockingQueue<io.etcd.jetcd.api.WatchResponse> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        var watches = as(io.etcd.jetcd.api.WatchGrpc.newStub(channel), aliceToken).watch(new io.grpc.stub.StreamObserver<>() {
            public void onNext(io.etcd.jetcd.api.WatchResponse r) {
                answers.add(r);
            }

            public void onError(Throwable t) {
            }

            public void onCompleted() {
            }
        });
        io.etcd.jetcd.api.WatchRequest watchA = io.etcd.jetcd.api.WatchRequest.newBuilder().setCreateRequest(
                io.etcd.jetcd.api.WatchCreateRequest.newBuilder().setKey(bs("a/")).setRangeEnd(bs("a0"))).build();
        watches.onNext(watchA);
        var before = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(before.getCreated() && !before.getCanceled(), before.toString());

        as(AuthGrpc.newBlockingStub(channel), rootToken).userChangePassword(AuthUserChangePasswordRequest.newBuilder()
                .setName("alice").setPassword("newpw").build());
        assertEtcdError(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token",
                () -> alice.range(RangeRequest.newBuilder().setKey(bs("a/1")).build()));
        // etcd re-reads a watch stream's token on every create: the open stream creates no more watches,
        // and etcd 3.4.23 says why (its isWatchPermitted answers the token's error)
        watches.onNext(watchA);
        var after = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(after.getCreated() && after.getCanceled(), after.toString());
        assertEquals("rpc error: code = Unauthenticated desc = etcdserver: invalid auth token", after.getCancelReason());
        watches.onCompleted();
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password",
                () -> login("alice", "alicepw"));
        String fresh = login("alice", "newpw");
        assertFalse(fresh.equals(aliceToken));
        assertEquals(1, as(KVGrpc.newBlockingStub(channel), fresh).range(RangeRequest.newBuilder().setKey(bs("a/1")).build()).getCount());
    }

    /**
     * etcd 3.4.23 refuses any password for a user added with no_password with its auth package's
     * error, which has no gRPC status of its own: code Unknown, and no {@code etcdserver:} prefix.
     */
    @Test
    @Order(6)
    void aUserAddedWithoutAPasswordCannotAuthenticate() {
        as(AuthGrpc.newBlockingStub(channel), rootToken).userAdd(userAddWithoutPassword("service"));
        for (String password : new String[] {"guess", ""}) {
            assertEtcdError(Status.Code.UNKNOWN, "auth: authentication failed, password was given for no password user",
                    () -> login("service", password));
        }
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password",
                () -> login("no-such-service", ""));
    }

    /**
     * An open watch stream answers each create for its user as of that moment, as etcd 3.4.23 does
     * (checked with the same steps against it): once the user's role is revoked, PermissionDenied;
     * once the user is deleted, its token is void: Unauthenticated.
     */
    @Test
    @Order(6)
    void anOpenWatchStreamFollowsRevokedRolesAndDeletedUsers() throws Exception {
        AuthGrpc.AuthBlockingStub root = as(AuthGrpc.newBlockingStub(channel), rootToken);
        root.userAdd(AuthUserAddRequest.newBuilder().setName("bob").setPassword("bobpw").build());
        root.roleAdd(AuthRoleAddRequest.newBuilder().setName("bobs").build());
        root.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("bobs")
                .setPerm(Permission.newBuilder().setPermType(Permission.Type.READ).setKey(bs("b/")).setRangeEnd(bs("b0"))).build());
        root.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("bob").setRole("bobs").build());
        String bob = login("bob", "bobpw");
        java.util.concurrent.LinkedBlockingQueue<io.etcd.jetcd.api.WatchResponse> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        var watches = as(io.etcd.jetcd.api.WatchGrpc.newStub(channel), bob).watch(new io.grpc.stub.StreamObserver<>() {
            public void onNext(io.etcd.jetcd.api.WatchResponse r) {
                answers.add(r);
            }

            public void onError(Throwable t) {
            }

            public void onCompleted() {
            }
        });
        io.etcd.jetcd.api.WatchRequest watchB = io.etcd.jetcd.api.WatchRequest.newBuilder().setCreateRequest(
                io.etcd.jetcd.api.WatchCreateRequest.newBuilder().setKey(bs("b/1"))).build();
        watches.onNext(watchB);
        var created = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(created.getCreated() && !created.getCanceled(), created.toString());

        root.userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName("bob").setRole("bobs").build());
        watches.onNext(watchB);
        var revoked = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(revoked.getCreated() && revoked.getCanceled(), revoked.toString());
        assertEquals("rpc error: code = PermissionDenied desc = etcdserver: permission denied", revoked.getCancelReason());

        root.userDelete(AuthUserDeleteRequest.newBuilder().setName("bob").build());
        watches.onNext(watchB);
        var deleted = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(deleted.getCreated() && deleted.getCanceled(), deleted.toString());
        assertEquals("rpc error: code = Unauthenticated desc = etcdserver: invalid auth token", deleted.getCancelReason());
        watches.onCompleted();
        root.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("bobs").build());
    }

    /** etcd 3.4.23 answers each of these, as root, with InvalidArgument "etcdserver: invalid auth management". */
    @Test
    @Order(6)
    void theRootUserAndRootRoleCannotBeTakenAwayWhileAuthIsEnabled() {
        AuthGrpc.AuthBlockingStub root = as(AuthGrpc.newBlockingStub(channel), rootToken);
        String invalid = "etcdserver: invalid auth management";
        assertEtcdError(Status.Code.INVALID_ARGUMENT, invalid,
                () -> root.userDelete(AuthUserDeleteRequest.newBuilder().setName("root").build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, invalid,
                () -> root.userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName("root").setRole("root").build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, invalid,
                () -> root.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("root").build()));
        // the root role from another user, or another role from root, answers as any revoke does
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: role is not granted to the user",
                () -> root.userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName("alice").setRole("root").build()));
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: role is not granted to the user",
                () -> root.userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName("root").setRole("reader").build()));
        assertEtcdError(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found",
                () -> root.userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName("nobody").setRole("root").build()));
        assertEquals(List.of("root"), root.userGet(AuthUserGetRequest.newBuilder().setName("root").build()).getRolesList());
    }

    /**
     * Permission.Type is an open enum: etcd 3.4.23 stores a grant of type 7 as given, answers it
     * in RoleGet ({@code "permType":7} through its gateway), and lets it allow nothing; a later
     * grant on the same range replaces its type.
     */
    @Test
    @Order(6)
    void aPermissionTypeEtcdGivesNoNameIsKeptAndAllowsNothing() {
        AuthGrpc.AuthBlockingStub root = as(AuthGrpc.newBlockingStub(channel), rootToken);
        root.roleAdd(AuthRoleAddRequest.newBuilder().setName("odd").build());
        root.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("odd")
                .setPerm(Permission.newBuilder().setPermTypeValue(7).setKey(bs("odd/")).setRangeEnd(bs("odd0"))).build());
        root.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("odd")
                .setPerm(Permission.newBuilder().setPermTypeValue(-1).setKey(bs("odd/neg"))).build());
        root.userAdd(AuthUserAddRequest.newBuilder().setName("oddie").setPassword("oddpw").build());
        root.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("oddie").setRole("odd").build());
        assertEquals(List.of(
                Permission.newBuilder().setPermTypeValue(7).setKey(bs("odd/")).setRangeEnd(bs("odd0")).build(),
                Permission.newBuilder().setPermTypeValue(-1).setKey(bs("odd/neg")).build()),
                root.roleGet(AuthRoleGetRequest.newBuilder().setRole("odd").build()).getPermList());

        as(KVGrpc.newBlockingStub(channel), rootToken).put(PutRequest.newBuilder().setKey(bs("odd/1")).setValue(bs("v")).build());
        KVGrpc.KVBlockingStub oddie = as(KVGrpc.newBlockingStub(channel), login("oddie", "oddpw"));
        String denied = "etcdserver: permission denied";
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> oddie.range(RangeRequest.newBuilder().setKey(bs("odd/1")).build()));
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> oddie.put(PutRequest.newBuilder().setKey(bs("odd/1")).setValue(bs("x")).build()));
        assertEtcdError(Status.Code.PERMISSION_DENIED, denied,
                () -> oddie.range(RangeRequest.newBuilder().setKey(bs("odd/neg")).build()));

        root.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("odd")
                .setPerm(Permission.newBuilder().setPermType(Permission.Type.READ).setKey(bs("odd/")).setRangeEnd(bs("odd0"))).build());
        assertEquals(List.of(0, -1), root.roleGet(AuthRoleGetRequest.newBuilder().setRole("odd").build()).getPermList()
                .stream().map(Permission::getPermTypeValue).toList());
        assertEquals(1, oddie.range(RangeRequest.newBuilder().setKey(bs("odd/1")).build()).getCount());
    }
}
