package io.metastore.server.http;

import com.google.protobuf.Descriptors.FileDescriptor;

import java.util.Map;
import java.util.TreeMap;

/** Lets tests in other packages read the gateway's route table and etcd 3.4's service descriptors. */
public final class GatewayRoutesAccess {
    private GatewayRoutesAccess() {
    }

    /** Every gateway path, each with the full name of the gRPC method it calls. */
    public static Map<String, String> routes() {
        Map<String, String> m = new TreeMap<>();
        for (String path : GatewayMethods.paths()) {
            m.put(path, GatewayMethods.route(path).method().getFullMethodName());
        }
        return m;
    }

    /** etcd 3.4's {@code rpc.proto} (KV, Watch, Lease, Cluster, Maintenance, Auth), with the methods the stub lacks. */
    public static FileDescriptor etcdRpc() {
        return GatewayMethods.patchedRpc();
    }
}
