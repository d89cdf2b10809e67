package io.metastore.server.peer;

import com.alipay.sofa.jraft.error.InvokeTimeoutException;
import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.InvokeCallback;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcRequests.ErrorResponse;
import com.alipay.sofa.jraft.rpc.RpcRequests.PingRequest;
import com.alipay.sofa.jraft.util.Endpoint;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests as frames of one peer stream ({@code --peer-stream true}): answered by id, timed out, failed when the stream ends. */
class PeerStreamTest {
    /** Pings are answered with their timestamp as the error code; a ping of a negative timestamp is never answered. */
    final List<RpcContext> held = new ArrayList<>();
    final List<PingRequest> heldRequests = new ArrayList<>();
    final PeerMessages messages = new PeerMessages();
    Endpoint endpoint;
    GrpcPeerServer server;
    GrpcPeerClient client;

    @BeforeEach
    void start() {
        messages.register(PingRequest.getDefaultInstance());
        messages.register(ErrorResponse.getDefaultInstance());
        endpoint = new Endpoint("127.0.0.1", TestServers.freePort());
        server = startServer();
        client = new GrpcPeerClient(null, messages, null, true);
        client.init(new RpcOptions());
    }

    GrpcPeerServer startServer() {
        GrpcPeerServer s = new GrpcPeerServer(new InetSocketAddress(endpoint.getIp(), endpoint.getPort()), null, messages,
                PeerTransport.requestPool(), null, false);
        s.registerProcessor(new RpcProcessor<PingRequest>() {
            @Override
            public void handleRequest(RpcContext ctx, PingRequest request) {
                synchronized (held) {
                    if (request.getSendTimestamp() < 0 || !heldRequests.isEmpty() || held.size() < batch) {
                        held.add(ctx);
                        heldRequests.add(request);
                        if (held.size() < batch || request.getSendTimestamp() < 0) {
                            return;
                        }
                        // the last of a batch: answer all of them, the newest first
                        for (int i = held.size() - 1; i >= 0; i--) {
                            held.get(i).sendResponse(answer(heldRequests.get(i)));
                        }
                        held.clear();
                        heldRequests.clear();
                        return;
                    }
                }
                ctx.sendResponse(answer(request));
            }

            @Override
            public String interest() {
                return PingRequest.class.getName();
            }
        });
        s.init(null);
        return s;
    }

    /** Requests the processor holds until this many arrived, then answers in reverse order; 0 answers each at once. */
    volatile int batch;

    static ErrorResponse answer(PingRequest request) {
        return ErrorResponse.newBuilder().setErrorCode((int) request.getSendTimestamp()).build();
    }

    @AfterEach
    void stop() {
        client.shutdown();
        server.shutdown();
    }

    CompletableFuture<Object> ping(long timestamp, long timeoutMs) throws Exception {
        CompletableFuture<Object> f = new CompletableFuture<>();
        client.invokeAsync(endpoint, PingRequest.newBuilder().setSendTimestamp(timestamp).build(), null,
                (InvokeCallback) (result, error) -> {
                    if (error != null) {
                        f.completeExceptionally(error);
                    } else {
                        f.complete(result);
                    }
                }, timeoutMs);
        return f;
    }

    void connect() throws Exception {
        client.checkConnection(endpoint, true);
        TestServers.await(() -> client.checkConnection(endpoint), "connected");
        assertEquals(7, ((ErrorResponse) ping(7, 5000).get(10, TimeUnit.SECONDS)).getErrorCode());
        assertTrue(client.streaming(endpoint), "a connected peer is called on a stream");
    }

    @Test
    void answersFindTheirRequestsWhateverOrderTheyComeIn() throws Exception {
        connect();
        batch = 50;
        List<CompletableFuture<Object>> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            answers.add(ping(1000 + i, 10_000));
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(1000 + i, ((ErrorResponse) answers.get(i).get(10, TimeUnit.SECONDS)).getErrorCode());
        }
    }

    @Test
    void aRequestNotAnsweredFailsAtItsTimeoutAndTheStreamGoesOn() throws Exception {
        connect();
        long start = System.nanoTime();
        ExecutionException e = assertThrows(ExecutionException.class, () -> ping(-1, 300).get(10, TimeUnit.SECONDS));
        assertInstanceOf(InvokeTimeoutException.class, e.getCause());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));
        assertEquals(8, ((ErrorResponse) ping(8, 5000).get(10, TimeUnit.SECONDS)).getErrorCode());
    }

    @Test
    void aStreamThatEndsFailsWhatWaitsOnItAndTheNextConnectionCarriesOn() throws Exception {
        connect();
        CompletableFuture<Object> waiting = ping(-1, 60_000);
        long start = System.nanoTime();
        server.shutdown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
        assertInstanceOf(RemotingException.class, e.getCause());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "failed when the stream ended, not at its timeout");

        server = startServer();
        TestServers.await(() -> {
            try {
                return ((ErrorResponse) ping(9, 2000).get(10, TimeUnit.SECONDS)).getErrorCode() == 9;
            } catch (Exception retry) {
                return false;
            }
        }, "answered after the peer came back");
        TestServers.await(() -> client.checkConnection(endpoint), "connected again");
        assertEquals(10, ((ErrorResponse) ping(10, 5000).get(10, TimeUnit.SECONDS)).getErrorCode());
    }

    @Test
    void aRequestNobodyProcessesFailsWithItsReason() throws Exception {
        connect();
        CompletableFuture<Object> f = new CompletableFuture<>();
        client.invokeAsync(endpoint, ErrorResponse.newBuilder().setErrorCode(1).build(), null,
                (InvokeCallback) (result, error) -> {
                    if (error != null) {
                        f.completeExceptionally(error);
                    } else {
                        f.complete(result);
                    }
                }, 5000);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(RemotingException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("UNIMPLEMENTED"), e.getCause().getMessage());
    }
}
