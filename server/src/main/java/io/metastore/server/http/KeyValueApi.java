package io.metastore.server.http;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.metastore.server.grpc.Caller;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The plain HTTP API of the {@code --port} listener, the seed's (etcd's raftexample) API on
 * etcd's key space. Every path is a key, except a few reserved ones; the rule looks at the
 * path as sent, before percent-decoding:
 * <pre>
 *   GET /health, /version, /metrics      as on the client port
 *   GET /members                          the members (JSON, as the gateway's member list)
 *   POST /members/{id}, POST /{digits}    add a member: the body is its peer URL (raftexample's POST /{id})
 *   DELETE /members/{id}                  remove the member with that etcd member ID (decimal or 0x-hex)
 *   PUT /{key}     the body is the value; answered 204 once committed
 *   GET /{key}     the raw value; 404 when there is none
 *   DELETE /{key}  204 when a key was deleted, 404 when there was none
 * </pre>
 * Keys are percent-decoded bytes ({@code /a%00%ff} is the key {@code a\0\xff}), so every key is
 * reachable: a key that would read as a reserved path is written with one byte encoded
 * ({@code /%6Dembers/1} is the key {@code members/1}, {@code /%68ealth} the key {@code health}),
 * and a numeric key is a key for PUT, GET and DELETE (only POST, which no key uses, means a
 * member). The id in a POST is accepted for the seed's sake but not used: as in etcd, the cluster
 * assigns a new member's ID (the answer carries it). Requests go through the same services as the
 * gRPC port; an {@code Authorization} header is the auth token. Failures answer etcd's error
 * text with the HTTP status the gateway maps its gRPC code to.
 */
public final class KeyValueApi implements HttpRoutes {
    private static final String OCTETS = "application/octet-stream";

    private final StatusRoutes status;
    private final Channel channel;

    public KeyValueApi(StatusRoutes status, Channel channel) {
        this.status = status;
        this.channel = channel;
    }

    @Override
    public Exchange open(HttpRequest head, HttpResponder out) {
        String path = StatusRoutes.path(head);
        if (status.serve(head, path, out)) {
            return IGNORE_BODY;
        }
        Channel ch = channel;
        Metadata md = HttpRoutes.callerMetadata(head);
        if (md.containsKey(Caller.TOKEN)) {
            ch = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
        }
        HttpMethod method = head.method();
        if (path.equals("/members") || path.startsWith("/members/")) {
            return members(method, path.equals("/members") ? null : path.substring("/members/".length()), ch, out);
        }
        if (method.equals(HttpMethod.POST) && path.length() > 1 && path.substring(1).chars().allMatch(Character::isDigit)) {
            return members(method, path.substring(1), ch, out);
        }
        byte[] key;
        try {
            key = percentDecode(path.substring(1));
        } catch (IllegalArgumentException e) {
            out.text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
            return IGNORE_BODY;
        }
        KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(ch);
        ByteString k = ByteString.copyFrom(key);
        if (method.equals(HttpMethod.PUT)) {
            return HttpRoutes.buffered(out, Gateway.MAX_BODY, body -> answer(
                    kv.put(PutRequest.newBuilder().setKey(k).setValue(ByteString.copyFrom(body)).build()), out,
                    r -> out.respond(HttpResponseStatus.NO_CONTENT, null, new byte[0])));
        }
        if (method.equals(HttpMethod.GET)) {
            answer(kv.range(RangeRequest.newBuilder().setKey(k).build()), out, r -> {
                if (r.getKvsCount() == 0) {
                    out.text(HttpResponseStatus.NOT_FOUND, "Failed to GET\n");
                } else {
                    out.respond(HttpResponseStatus.OK, OCTETS, r.getKvs(0).getValue().toByteArray());
                }
            });
            return IGNORE_BODY;
        }
        if (method.equals(HttpMethod.DELETE)) {
            answer(kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(k).build()), out, r -> {
                if (r.getDeleted() == 0) {
                    out.text(HttpResponseStatus.NOT_FOUND, "Failed to DELETE\n");
                } else {
                    out.respond(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
                }
            });
            return IGNORE_BODY;
        }
        out.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed\n");
        return IGNORE_BODY;
    }

    private Exchange members(HttpMethod method, String id, Channel ch, HttpResponder out) {
        ClusterGrpc.ClusterFutureStub cluster = ClusterGrpc.newFutureStub(ch);
        if (method.equals(HttpMethod.GET) && id == null) {
            answer(cluster.memberList(MemberListRequest.getDefaultInstance()), out, r -> {
                try {
                    out.json(HttpResponseStatus.OK, Gateway.PRINTER.print(r));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    out.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.getMessage() + "\n");
                }
            });
            return IGNORE_BODY;
        }
        if (method.equals(HttpMethod.POST)) {
            return HttpRoutes.buffered(out, 4096, body -> {
                String url = new String(body, StandardCharsets.UTF_8).trim();
                if (url.isEmpty()) {
                    out.text(HttpResponseStatus.BAD_REQUEST, "the body must be the new member's peer URL\n");
                    return;
                }
                answer(cluster.memberAdd(MemberAddRequest.newBuilder().addPeerURLs(url).build()), out,
                        r -> out.respond(HttpResponseStatus.NO_CONTENT, null, new byte[0]));
            });
        }
        if (method.equals(HttpMethod.DELETE) && id != null) {
            long memberId;
            try {
                memberId = id.startsWith("0x") || id.startsWith("0X")
                        ? Long.parseUnsignedLong(id.substring(2), 16) : Long.parseUnsignedLong(id);
            } catch (NumberFormatException e) {
                out.text(HttpResponseStatus.BAD_REQUEST, "Failed on DELETE: '" + id + "' is not a member ID\n");
                return IGNORE_BODY;
            }
            answer(cluster.memberRemove(MemberRemoveRequest.newBuilder().setID(memberId).build()), out,
                    r -> out.respond(HttpResponseStatus.NO_CONTENT, null, new byte[0]));
            return IGNORE_BODY;
        }
        out.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed\n");
        return IGNORE_BODY;
    }

    /** Answers with {@code ok} on success, or etcd's error text with the gateway's status for its code. */
    private static <T> void answer(ListenableFuture<T> call, HttpResponder out, Consumer<T> ok) {
        Futures.addCallback(call, new FutureCallback<>() {
            @Override
            public void onSuccess(T result) {
                ok.accept(result);
            }

            @Override
            public void onFailure(Throwable t) {
                Status s = Status.fromThrowable(t);
                out.text(Gateway.httpStatus(s.getCode()), (s.getDescription() == null ? s.getCode().name() : s.getDescription()) + "\n");
            }
        }, MoreExecutors.directExecutor());
    }

    /** The bytes of a percent-encoded path segment; other characters stand for their UTF-8 bytes. */
    static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("bad percent-encoding in '" + s + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad percent-encoding in '" + s + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                int cp = s.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toByteArray();
    }
}
