package io.metastore.server.alarm;

import io.metastore.command.AlarmChange;
import io.metastore.server.error.EtcdError;
import io.metastore.server.propose.Proposer;

/**
 * The space check etcd makes before proposing anything that grows the store: over the quota,
 * the request is refused with "etcdserver: mvcc: database space exceeded" and a NOSPACE alarm
 * for this member is proposed, which then refuses such requests on every member.
 */
public final class Quota {
    private final Alarms alarms;
    private final Proposer proposer;
    private final java.util.function.LongSupplier memberId;

    /** {@code memberId}: this member's id as of now (it may be learned from the log after start-up). */
    public Quota(Alarms alarms, Proposer proposer, java.util.function.LongSupplier memberId) {
        this.alarms = alarms;
        this.proposer = proposer;
        this.memberId = memberId;
    }

    public void check() {
        if (alarms.withinQuota()) {
            return;
        }
        if (!alarms.nospaceRaised()) {
            proposer.propose(new AlarmChange(AlarmChange.Action.ACTIVATE, memberId.getAsLong(), AlarmChange.Type.NOSPACE));
        }
        throw EtcdError.NO_SPACE.exception();
    }
}
