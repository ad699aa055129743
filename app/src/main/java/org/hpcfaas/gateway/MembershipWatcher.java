package org.hpcfaas.gateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.hpcfaas.core.Worker;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link WorkerPlacement} current: the workers that are Up, reachable, of this node's mode and
 * ready (they register {@link #READY} once their function shard is theirs and their HTTP API is bound,
 * so a node that is still starting or rejoining gets no call it cannot run). A member of the other mode
 * is never used; a node that joins a cluster of the other mode leaves it again.
 */
public final class MembershipWatcher {
  private static final Logger log = LoggerFactory.getLogger(MembershipWatcher.class);

  /** Registered by a worker when it can take calls. */
  public static final ServiceKey<SelfReady> READY = ServiceKey.create(SelfReady.class, "hpcfaas-worker-ready");

  /** Told by this node once it is ready itself, which it knows before its registration has spread. */
  public enum SelfReady { INSTANCE }

  private MembershipWatcher() {}

  /** Registers this worker under {@link #READY} when told it can take calls. */
  public static Behavior<SelfReady> announcer() {
    return Behaviors.receive((ctx, ready) -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(READY, ctx.getSelf()));
      return Behaviors.same();
    });
  }

  public static Behavior<Object> create(WorkerPlacement placement, String mode) {
    return Behaviors.<Object>setup(ctx -> {
      var cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(), ClusterEvent.ClusterDomainEvent.class));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(READY, ctx.getSelf().narrow()));
      var refused = new HashSet<Member>();
      var ready = new HashSet<Address>();
      // Unreachable or removed members, tracked from the events themselves: cluster.state() can lag the
      // event being handled. A node that comes back (same address, new incarnation) is Up again.
      var gone = new HashSet<Address>();
      return Behaviors.receiveMessage(event -> {
        switch (event) {
          case ClusterEvent.UnreachableMember u -> gone.add(u.member().address());
          case ClusterEvent.MemberRemoved r -> gone.add(r.member().address());
          case ClusterEvent.ReachableMember r -> gone.remove(r.member().address());
          case ClusterEvent.MemberUp u -> gone.remove(u.member().address());
          default -> { }
        }
        if (event == SelfReady.INSTANCE) {
          ready.add(cluster.selfMember().address());
        }
        if (event instanceof Receptionist.Listing listing) {
          boolean selfReady = ready.contains(cluster.selfMember().address());
          ready.clear();
          if (selfReady) {
            ready.add(cluster.selfMember().address());
          }
          for (var ref : listing.getServiceInstances(READY)) {
            var address = ref.path().address();
            ready.add(address.hasLocalScope() ? cluster.selfMember().address() : address);
          }
        }
        var state = cluster.state();
        var self = cluster.selfMember();
        var live = new ArrayList<Worker>();
        for (var m : state.getMembers()) {
          String memberMode = role(m, Worker.MODE_ROLE_PREFIX);
          if (!mode.equals(memberMode)) {
            refuse(ctx, m, self, mode, memberMode, refused);
            continue;
          }
          if (m.status() == MemberStatus.up() && m.hasRole("worker") && ready.contains(m.address())
              && !state.getUnreachable().contains(m) && !gone.contains(m.address())) {
            live.add(new Worker(m.address(), "http://" + role(m, Worker.HTTP_ROLE_PREFIX), slots(m), volumes(m),
                drainsAt(m)));
          }
        }
        Set<Address> lost = switch (event) {
          case ClusterEvent.UnreachableMember u -> {
            log.warn("Worker {} is unreachable: failing its calls in flight, routing new calls elsewhere",
                u.member().address());
            yield Set.of(u.member().address());
          }
          case ClusterEvent.MemberRemoved r -> Set.of(r.member().address());
          default -> Set.of();
        };
        placement.update(live, lost);
        return Behaviors.same();
      });
    });
  }

  private static void refuse(org.apache.pekko.actor.typed.javadsl.ActorContext<Object> ctx, Member m, Member self,
      String mode, String memberMode, Set<Member> refused) {
    if (!refused.add(m)) {
      return;
    }
    if (m.isOlderThan(self) && m.status() == MemberStatus.up()) {
      log.error("This node runs mode {} but the cluster it joined runs mode {} (member {}): mixed modes are"
          + " refused, leaving the cluster. Start every node with the same --mode.", mode, memberMode, m.address());
      CoordinatedShutdown.get(ctx.getSystem()).runAll(CoordinatedShutdown.clusterLeavingReason());
    } else {
      log.error("Refusing member {}: it runs mode {}, this cluster runs mode {}. It gets no work.",
          m.address(), memberMode, mode);
    }
  }

  private static int slots(org.apache.pekko.cluster.Member m) {
    try {
      return Integer.parseInt(role(m, Worker.SLOTS_ROLE_PREFIX));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static long drainsAt(Member m) {
    try {
      return Long.parseLong(role(m, Worker.DRAINS_ROLE_PREFIX));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static java.util.Set<String> volumes(org.apache.pekko.cluster.Member m) {
    var volumes = new java.util.TreeSet<String>();
    m.getRoles().forEach(r -> {
      if (r.startsWith(Worker.VOLUME_ROLE_PREFIX)) {
        volumes.add(r.substring(Worker.VOLUME_ROLE_PREFIX.length()));
      }
    });
    return volumes;
  }

  private static String role(Member m, String prefix) {
    return m.getRoles().stream().filter(r -> r.startsWith(prefix)).map(r -> r.substring(prefix.length()))
        .findFirst().orElse("");
  }
}
