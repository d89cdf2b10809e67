package io.metastore.server.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.ServerServiceDefinition;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.kv.RaftKv;
import io.metastore.server.metrics.GrpcMetrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC endpoint clients talk to: etcd's services plus {@code grpc.health.v1}. Messages up
 * to the request limit plus gRPC overhead are accepted, as etcd does: a larger one is refused
 * by gRPC itself (RESOURCE_EXHAUSTED, gRPC's own message text), a smaller one over the request
 * limit by the request check ("etcdserver: request is too large").
 */
public final class GrpcServer implements AutoCloseable {
    /** etcd's {@code grpcOverheadBytes}. */
    private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    public GrpcServer(String host, int port, List<BindableService> services, io.grpc.ServerInterceptor... interceptors) {
        this(host, port, services, ServerConfig.Limits.defaults(), null, interceptors);
    }

    /**
     * {@code limits}: the message size ({@code maxRequestBytes} plus etcd's gRPC overhead), calls
     * per connection and the request rate (the health service is never rate limited).
     * {@code metrics}, when given, counts every call of these services and the health service.
     */
    public GrpcServer(String host, int port, List<BindableService> services, ServerConfig.Limits limits,
                      GrpcMetrics metrics, io.grpc.ServerInterceptor... interceptors) {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .maxInboundMessageSize(limits.maxRequestBytes() + GRPC_OVERHEAD_BYTES);
        if (limits.maxConcurrentStreams() > 0) {
            b.maxConcurrentCallsPerConnection(limits.maxConcurrentStreams());
        }
        List<io.grpc.ServerInterceptor> chain = new ArrayList<>(List.of(interceptors));
        if (limits.maxRequestsPerSecond() > 0) {
            // ServerInterceptors.intercept runs the last one first: the rate limit goes before any other work.
            chain.add(new RateLimit(new TokenBucket(limits.maxRequestsPerSecond(), System::nanoTime)));
        }
        List<ServerServiceDefinition> all = new ArrayList<>();
        all.add(health.getHealthService().bindService());
        services.forEach(s -> all.add(io.grpc.ServerInterceptors.intercept(s, chain)));
        for (ServerServiceDefinition d : all) {
            b.addService(d);
            if (metrics != null) {
                metrics.register(d);
            }
        }
        if (metrics != null) {
            b.addStreamTracerFactory(metrics);
        }
        this.server = b.build();
    }

    /** etcd's Lease service over {@code lease}, LeaseLeases included. */
    public static BindableService leaseService(io.metastore.server.lease.RaftLease lease,
                                               io.metastore.server.auth.Authorizer auth) {
        return LeaseService.definition(lease, auth);
    }

    public static BindableService authService(io.metastore.server.auth.RaftAuth auth) {
        return new AuthService(auth);
    }

    public static BindableService lockService(io.metastore.server.concurrency.Concurrency c,
                                              io.metastore.server.auth.Authorizer auth) {
        return new LockService(c, auth);
    }

    public static BindableService electionService(io.metastore.server.concurrency.Concurrency c,
                                                  io.metastore.server.auth.Authorizer auth) {
        return new ElectionService(c, auth);
    }

    /** The user of the call running on this thread ({@code null} without a token). */
    public static String currentUser() {
        return Caller.user();
    }

    /** Resolves the caller of every call from its token. */
    public static io.grpc.ServerInterceptor callerInterceptor(io.metastore.server.auth.AuthStore store) {
        return Caller.interceptor(store);
    }

    public static BindableService maintenanceService(io.metastore.server.maintenance.Maintenance maintenance,
                                                     io.metastore.server.auth.Authorizer auth) {
        return new MaintenanceService(maintenance, auth);
    }

    public static BindableService clusterService(io.metastore.server.maintenance.Membership membership) {
        return ClusterService.definition(membership);
    }

    /** etcd's KV service over {@code kv}. */
    public static BindableService kvService(RaftKv kv, io.metastore.server.auth.Authorizer auth) {
        return new KvService(kv, auth);
    }

    public GrpcServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for gRPC: " + e.getMessage(), e);
        }
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    public void setServing(boolean serving) {
        health.setStatus("", serving ? io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
                : io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    }

    /** Stops taking calls and waits (bounded) for in-flight ones to finish. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }
}
