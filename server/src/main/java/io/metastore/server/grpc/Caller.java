package io.metastore.server.grpc;

import io.etcd.jetcd.api.WatchGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.metastore.server.auth.AuthStore;
import io.metastore.server.error.EtcdError;

/**
 * Who is calling: the user of the {@code token} metadata etcd clients send, resolved once per
 * call by {@link #interceptor} and read by handlers with {@link #user()}. An unknown or lapsed
 * token is refused with "etcdserver: invalid auth token" while auth is enabled, except on a
 * Watch stream: etcd 3.4.23 opens it whatever the token, and refuses each watch it creates
 * instead (its {@code isWatchPermitted} reads the token per create), so the stream carries the
 * token on without a user and the watch service answers every create as created and canceled.
 */
public final class Caller {
    /** The metadata key etcd clients send their auth token in (the HTTP APIs fill it from {@code Authorization}). */
    public static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> USER = Context.key("metastore-user");
    private static final Context.Key<String> CALL_TOKEN = Context.key("metastore-token");

    private Caller() {
    }

    /** The calling user, or {@code null} when the call carries no token. */
    static String user() {
        return USER.get();
    }

    /** The token the call carries, or {@code null}: a stream that checks its caller again later resolves it again. */
    static String token() {
        return CALL_TOKEN.get();
    }

    static ServerInterceptor interceptor(AuthStore store) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                String token = headers.get(TOKEN);
                if (token == null || token.isEmpty()) {
                    return next.startCall(call, headers);
                }
                String user = store.userOf(token);
                if (user == null && store.view().enabled()
                        && !call.getMethodDescriptor().getServiceName().equals(WatchGrpc.SERVICE_NAME)) {
                    return Refusals.refuse(call, EtcdError.INVALID_AUTH_TOKEN);
                }
                return Contexts.interceptCall(Context.current().withValue(USER, user).withValue(CALL_TOKEN, token), call, headers, next);
            }
        };
    }
}
