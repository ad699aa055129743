package org.hpcfaas.cache;

import org.hpcfaas.core.Rendezvous;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.hpcfaas.core.CborSerializable;

/**
 * This node's part of the cluster's result cache: every node keeps the outputs of the keys it owns (by
 * rendezvous hash of the key over the nodes that run a cache), so any gateway finds an output wherever
 * it was first computed. A gateway tells its own node's cache; that one forwards to the key's owner.
 */
public final class ResultCache {
  static final ServiceKey<Command> SERVICE = ServiceKey.create(Command.class, "hpcfaas-result-cache");

  public sealed interface Command extends CborSerializable {}

  /** From this node's gateway: the output of {@code key}, wherever it is kept. */
  public record Lookup(String key, ActorRef<Found> replyTo) implements Command {}

  /** From this node's gateway: keep {@code output} as the output of {@code key} at its owner. */
  public record Store(String key, byte[] output) implements Command {}

  /** At the key's owner. */
  record Get(String key, ActorRef<Found> replyTo) implements Command {}

  /** At the key's owner. */
  record Put(String key, byte[] output) implements Command {}

  /** The nodes that keep a part of the cache changed (never crosses nodes). */
  private record Owners(Receptionist.Listing listing) implements Command {}

  /** The output kept for a key and the node that keeps it; {@code output} null: not cached. */
  public record Found(byte[] output, String node) implements CborSerializable {}

  private ResultCache() {}

  /** The cache kept in {@code dir}, at most {@code maxBytes} of outputs. */
  public static Behavior<Command> create(Path dir, long maxBytes) {
    return Behaviors.setup(ctx -> {
      var store = new ResultStore(dir, maxBytes);
      var self = Cluster.get(ctx.getSystem()).selfMember().address();
      ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE, ctx.getSelf()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(SERVICE,
          ctx.messageAdapter(Receptionist.Listing.class, Owners::new)));
      var owners = new ArrayList<ActorRef<Command>>(List.of(ctx.getSelf()));
      return Behaviors.receiveMessage(message -> {
        switch (message) {
          case Owners o -> {
            owners.clear();
            owners.addAll(o.listing().getServiceInstances(SERVICE));
            if (!owners.contains(ctx.getSelf())) {
              owners.add(ctx.getSelf());
            }
          }
          case Lookup l -> owner(owners, l.key(), self).tell(new Get(l.key(), l.replyTo()));
          case Store s -> owner(owners, s.key(), self).tell(new Put(s.key(), s.output()));
          case Get g -> g.replyTo().tell(new Found(store.get(g.key()).orElse(null), self.toString()));
          case Put p -> store.put(p.key(), p.output());
        }
        return Behaviors.same();
      });
    });
  }

  private static ActorRef<Command> owner(List<ActorRef<Command>> owners, String key, Address self) {
    ActorRef<Command> best = null;
    long bestScore = 0;
    for (var ref : owners) {
      var address = ref.path().address().hasLocalScope() ? self : ref.path().address();
      long score = Rendezvous.score(key, address.toString());
      if (best == null || score > bestScore) {
        best = ref;
        bestScore = score;
      }
    }
    return best;
  }
}
