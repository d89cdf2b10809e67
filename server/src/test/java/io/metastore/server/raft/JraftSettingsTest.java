package io.metastore.server.raft;

import com.alipay.sofa.jraft.option.NodeOptions;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jraft's batching and snapshot settings come from the options, and the start-up line names each. */
class JraftSettingsTest {
    static ServerConfig load(String... args) {
        return ((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config();
    }

    @Test
    void theOptionsReachJraftAndTheStartUpLine() {
        ServerConfig config = load("--raft-apply-batch", "64", "--raft-disruptor-buffer", "4096", "--raft-sync", "false",
                "--election-timeout-ms", "1500", "--snapshot-interval-secs", "60", "--snapshot-log-index-margin", "10",
                "--raft-shared-timers", "false", "--follower-commit", "heartbeat",
                "--forward-batch", "8", "--peer-io-threads", "2", "--raft-timer-tick-ms", "1");
        NodeOptions options = RaftNode.nodeOptions(config, null, Path.of("raft"), new com.alipay.sofa.jraft.option.NodeOptions());
        assertEquals(64, options.getRaftOptions().getApplyBatch());
        assertEquals(4096, options.getRaftOptions().getDisruptorBufferSize());
        assertFalse(options.getRaftOptions().isSync());
        assertFalse(options.getRaftOptions().isSyncMeta());
        assertEquals(1500, options.getElectionTimeoutMs());
        assertEquals(60, options.getSnapshotIntervalSecs());
        assertEquals(10, options.getSnapshotLogIndexMargin());
        assertFalse(options.isSharedElectionTimer() || options.isSharedVoteTimer() || options.isSharedStepDownTimer()
                || options.isSharedSnapshotTimer());
        assertTrue(RaftNode.nodeOptions(load(), null, Path.of("raft"), new com.alipay.sofa.jraft.option.NodeOptions()).isSharedElectionTimer(), "shared timers by default");
        assertEquals(Path.of("raft", "log").toString(), options.getLogUri());
        assertEquals(Path.of("raft", "snapshot").toString(), options.getSnapshotUri());
        String line = config.describe();
        assertTrue(line.contains("raft=RaftSettings[applyBatch=64, disruptorBufferSize=4096, sync=false, "
                + "electionTimeoutMs=1500, snapshotIntervalSecs=60, snapshotLogIndexMargin=10, followerCommit=HEARTBEAT, sharedTimers=false, commitPush=false, "
                + "forwardBatch=8, timerTickMs=1] peer=grpc,tls=off,io-threads=2"), line);
    }

    @Test
    void theDefaultsAreJraftsApplyBatchAndASixteenThousandEntryQueue() {
        String line = load().describe();
        assertTrue(line.contains("raft=RaftSettings[applyBatch=32, disruptorBufferSize=16384, sync=true, "
                + "electionTimeoutMs=1000, snapshotIntervalSecs=3600, snapshotLogIndexMargin=0, followerCommit=ANSWER, sharedTimers=true, commitPush=false, "
                + "forwardBatch=256, timerTickMs=10] peer=grpc,tls=off,io-threads=0,stream=true,append-on-transport=false"), line);
    }
}
