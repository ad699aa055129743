package org.hpcfaas.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link WorkerPlacement} current: the Up, reachable worker members of this node's mode. A member
 * of the other mode is never used; a node that joins a cluster of the other mode leaves it again.
 */
public final class MembershipWatcher {
  private static final Logger log = LoggerFactory.getLogger(MembershipWatcher.class);

  private MembershipWatcher() {}

  public static Behavior<ClusterEvent.ClusterDomainEvent> create(WorkerPlacement placement, String mode) {
    return Behaviors.setup(ctx -> {
      var cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf(), ClusterEvent.ClusterDomainEvent.class));
      var refused = new HashSet<Member>();
      return Behaviors.receiveMessage(event -> {
        var state = cluster.state();
        var self = cluster.selfMember();
        var live = new ArrayList<Worker>();
        for (var m : state.getMembers()) {
          String memberMode = role(m, Worker.MODE_ROLE_PREFIX);
          if (!mode.equals(memberMode)) {
            if (refused.add(m)) {
              if (m.isOlderThan(self) && m.status() == MemberStatus.up()) {
                log.error("This node runs mode {} but the cluster it joined runs mode {} (member {}): mixed modes are"
                    + " refused, leaving the cluster. Start every node with the same --mode.", mode, memberMode, m.address());
                CoordinatedShutdown.get(ctx.getSystem()).runAll(CoordinatedShutdown.clusterLeavingReason());
              } else {
                log.error("Refusing member {}: it runs mode {}, this cluster runs mode {}. It gets no work.",
                    m.address(), memberMode, mode);
              }
            }
            continue;
          }
          if (m.status() == MemberStatus.up() && m.hasRole("worker") && !state.getUnreachable().contains(m)) {
            live.add(new Worker(m.address(), "http://" + role(m, Worker.HTTP_ROLE_PREFIX)));
          }
        }
        placement.update(live);
        if (event instanceof ClusterEvent.UnreachableMember u) {
          log.warn("Worker {} is unreachable: failing its calls in flight, routing new calls elsewhere", u.member().address());
          placement.lost(u.member().address());
        } else if (event instanceof ClusterEvent.MemberRemoved r) {
          placement.lost(r.member().address());
        }
        return Behaviors.same();
      });
    });
  }

  private static String role(Member m, String prefix) {
    return m.getRoles().stream().filter(r -> r.startsWith(prefix)).map(r -> r.substring(prefix.length()))
        .findFirst().orElse("");
  }
}
