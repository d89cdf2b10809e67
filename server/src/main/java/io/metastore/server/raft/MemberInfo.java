package io.metastore.server.raft;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;

import java.io.Serializable;

/**
 * What a member tells others about itself over the Raft transport: its name and client URL,
 * which MemberList reports (the Raft configuration only knows peer addresses), the cluster id
 * a joining member adopts, and how far it has applied the log.
 */
public final class MemberInfo implements Serializable {
    private static final long serialVersionUID = 1L;

    private String name;
    private String clientUrl;
    private long clusterId;
    private long appliedIndex;

    public MemberInfo() {
    }

    public MemberInfo(String name, String clientUrl, long clusterId, long appliedIndex) {
        this.name = name;
        this.clientUrl = clientUrl;
        this.clusterId = clusterId;
        this.appliedIndex = appliedIndex;
    }

    public long clusterId() {
        return clusterId;
    }

    /**
     * The last Raft index the member applied, configuration entries included (a learner is ready
     * for promotion once close to the leader's commit index, which counts them too).
     */
    public long appliedIndex() {
        return appliedIndex;
    }

    public String name() {
        return name;
    }

    public String clientUrl() {
        return clientUrl;
    }

    /** The question. */
    public static final class Request implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Answers {@link Request} with this member's info. */
    public static RpcProcessor<Request> processor(java.util.function.Supplier<MemberInfo> self) {
        return new RpcProcessor<>() {
            @Override
            public void handleRequest(RpcContext ctx, Request request) {
                ctx.sendResponse(self.get());
            }

            @Override
            public String interest() {
                return Request.class.getName();
            }
        };
    }
}
