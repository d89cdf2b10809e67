package io.metastore.server.grpc;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
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
 *
 * <p>The same service definitions, behind the same interceptors, are also served in-process
 * ({@link #localChannel()}): the JSON gateway calls them there, as etcd's gateway dials its own
 * gRPC endpoint.
 */
public final class GrpcServer implements AutoCloseable {
    private final Server server;
    private final Server local;
    private final ManagedChannel localChannel;
    private final HealthStatusManager health = new HealthStatusManager();

    public GrpcServer(String host, int port, List<BindableService> services, io.grpc.ServerInterceptor... interceptors) {
        this(host, port, Setup.defaults(), services, interceptors);
    }

    /**
     * How the endpoint is set up besides its services.
     *
     * @param credentials   how connections are set up ({@code null}: plaintext gRPC only); the
     *                      client port passes its own to serve HTTP/1.1 on the same socket
     * @param directKvWhile when given, KV calls from the network run on the transport threads while
     *                      it answers true (this member leads, or always); see {@link DirectKvCalls}
     * @param limits        the message size ({@code maxRequestBytes} plus etcd's gRPC overhead), calls
     *                      per connection and the request rate (the health service is never rate limited)
     * @param metrics       when given, counts every call of these services and the health service
     */
    public record Setup(ServerCredentials credentials, java.util.function.BooleanSupplier directKvWhile,
                        ServerConfig.Limits limits, GrpcMetrics metrics) {
        public static Setup defaults() {
            return new Setup(null, null, ServerConfig.Limits.defaults(), null);
        }
    }

    public GrpcServer(String host, int port, Setup setup, List<BindableService> services,
                      io.grpc.ServerInterceptor... interceptors) {
        InetSocketAddress address = new InetSocketAddress(host, port);
        ServerConfig.Limits limits = setup.limits();
        NettyServerBuilder b = (setup.credentials() == null ? NettyServerBuilder.forAddress(address)
                : NettyServerBuilder.forAddress(address, setup.credentials()))
                .maxInboundMessageSize(limits.maxMessageBytes());
        if (limits.maxConcurrentStreams() > 0) {
            b.maxConcurrentCallsPerConnection(limits.maxConcurrentStreams());
        }
        if (setup.directKvWhile() != null) {
            b.callExecutor(new DirectKvCalls(setup.directKvWhile()));
        }
        String localName = InProcessServerBuilder.generateName();
        InProcessServerBuilder l = InProcessServerBuilder.forName(localName)
                .maxInboundMessageSize(limits.maxMessageBytes());
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
            l.addService(d);
            if (setup.metrics() != null) {
                setup.metrics().register(d);
            }
        }
        if (setup.metrics() != null) {
            // the gateway's calls are client calls too, counted as etcd counts its gateway's
            b.addStreamTracerFactory(setup.metrics());
            l.addStreamTracerFactory(setup.metrics());
        }
        this.server = b.build();
        this.local = l.build();
        this.localChannel = InProcessChannelBuilder.forName(localName)
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
    }

    /** A channel to the same services in this process (no socket, no HTTP/2 framing). */
    public io.grpc.Channel localChannel() {
        return localChannel;
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

    /** The auth token of the call running on this thread ({@code null} without one). */
    public static String currentToken() {
        return Caller.token();
    }

    /** Resolves the caller of every call from its token. */
    public static io.grpc.ServerInterceptor callerInterceptor(io.metastore.server.auth.AuthStore store) {
        return Caller.interceptor(store);
    }

    public static BindableService maintenanceService(io.metastore.server.maintenance.Maintenance maintenance,
                                                     io.metastore.server.auth.Authorizer auth) {
        return new MaintenanceService(maintenance, auth);
    }

    public static BindableService clusterService(io.metastore.server.maintenance.Membership membership,
                                                 io.metastore.server.auth.Authorizer auth) {
        return ClusterService.definition(membership, auth);
    }

    /** etcd's KV service over {@code kv}. */
    public static BindableService kvService(RaftKv kv, io.metastore.server.auth.Authorizer auth) {
        return new KvService(kv, auth);
    }

    public GrpcServer start() {
        try {
            local.start();
            server.start();
        } catch (IOException e) {
            local.shutdownNow();
            localChannel.shutdownNow();
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
        local.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
            if (!local.awaitTermination(10, TimeUnit.SECONDS)) {
                local.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
            local.shutdownNow();
        }
        localChannel.shutdownNow();
    }
}
