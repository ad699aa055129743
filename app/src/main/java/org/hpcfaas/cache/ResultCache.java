package org.hpcfaas.cache;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.Rendezvous;

/**
 * This node's part of the cluster's result cache: every node keeps the outputs of the keys it owns (by
 * rendezvous hash of the key over the reachable members that are up; every node runs a cache at the same
 * path), so any gateway finds an output wherever it was first computed. A gateway tells its own node's
 * cache; that one forwards to the key's owner. Membership, not the receptionist, names the owners: it
 * converges first, so two gateways agree on a key's owner as soon as they see the same members.
 */
public final class ResultCache {
  public sealed interface Command extends CborSerializable {}

  /** From this node's gateway: the output of {@code key}, wherever it is kept. */
  public record Lookup(String key, ActorRef<Found> replyTo) implements Command {}

  /** From this node's gateway: keep {@code output} as the output of {@code key} at its owner, then answer. */
  public record Store(String key, byte[] output, ActorRef<Stored> replyTo) implements Command {}

  /** At the key's owner. */
  record Get(String key, ActorRef<Found> replyTo) implements Command {}

  /** At the key's owner. */
  record Put(String key, byte[] output, ActorRef<Stored> replyTo) implements Command {}

  /** A membership or reachability event, or the current state when subscribing (never crosses nodes). */
  private record MembersChanged(Object event) implements Command {}

  /** The output kept for a key and the node that keeps it; {@code output} null: not cached. */
  public record Found(byte[] output, String node) implements CborSerializable {}

  /** The owner has kept the output: a lookup from any gateway that sees the same members finds it. */
  public record Stored() implements CborSerializable {}

  private ResultCache() {}

  /** The cache kept in {@code dir}, at most {@code maxBytes} of outputs. */
  public static Behavior<Command> create(Path dir, long maxBytes) {
    return Behaviors.setup(ctx -> {
      var store = new ResultStore(dir, maxBytes);
      var cluster = Cluster.get(ctx.getSystem());
      var self = cluster.selfMember().address();
      var changed = ctx.messageAdapter(Object.class, MembersChanged::new);
      cluster.subscriptions().tell(Subscribe.create(changed.narrow(), ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(Subscribe.create(changed.narrow(), ClusterEvent.ReachabilityEvent.class));
      var resolver = ActorRefResolver.get(ctx.getSystem());
      // kept from the events themselves: cluster.state() is updated by another subscriber, maybe later
      var up = new HashSet<Address>();
      var unreachable = new HashSet<Address>();
      var owners = new HashMap<Address, ActorRef<Command>>(Map.of(self, ctx.getSelf()));
      return Behaviors.receiveMessage(message -> {
        switch (message) {
          case MembersChanged m -> {
            switch (m.event()) {
              case ClusterEvent.CurrentClusterState state -> {
                up.clear();
                state.getMembers().forEach(member -> {
                  if (member.status() == MemberStatus.up()) {
                    up.add(member.address());
                  }
                });
                unreachable.clear();
                state.getUnreachable().forEach(member -> unreachable.add(member.address()));
              }
              case ClusterEvent.MemberEvent e when e.member().status() == MemberStatus.up() -> up.add(e.member().address());
              case ClusterEvent.MemberEvent e -> up.remove(e.member().address());
              case ClusterEvent.UnreachableMember e -> unreachable.add(e.member().address());
              case ClusterEvent.ReachableMember e -> unreachable.remove(e.member().address());
              default -> { }
            }
            owners.keySet().retainAll(Set.of(self));
            for (var member : up) {
              if (!unreachable.contains(member)) {
                owners.computeIfAbsent(member,
                    at -> resolver.resolveActorRef(ctx.getSelf().path().toStringWithAddress(at)));
              }
            }
          }
          case Lookup l -> owner(owners, l.key()).tell(new Get(l.key(), l.replyTo()));
          case Store s -> owner(owners, s.key()).tell(new Put(s.key(), s.output(), s.replyTo()));
          case Get g -> g.replyTo().tell(new Found(store.get(g.key()).orElse(null), self.toString()));
          case Put p -> {
            store.put(p.key(), p.output());
            p.replyTo().tell(new Stored());
          }
        }
        return Behaviors.same();
      });
    });
  }

  /** The cache that keeps {@code key}: the highest rendezvous score of the owners' addresses. */
  private static ActorRef<Command> owner(Map<Address, ActorRef<Command>> owners, String key) {
    Map.Entry<Address, ActorRef<Command>> best = null;
    long bestScore = 0;
    for (var owner : owners.entrySet()) {
      long score = Rendezvous.score(key, owner.getKey().toString());
      if (best == null || score > bestScore) {
        best = owner;
        bestScore = score;
      }
    }
    return best.getValue();
  }
}
