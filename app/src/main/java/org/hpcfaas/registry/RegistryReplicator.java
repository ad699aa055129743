package org.hpcfaas.registry;

import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.Payload;

/**
 * Replicates the registry to every node. Entries (versions and deletions) spread through a Distributed
 * Data LWW map ordered by version, so a node that was away catches up by gossip; each node stores what
 * it learns durably, fetching module bytes it lacks from a peer. Only committed entries are gossiped: a
 * name's owner first stages a change on every peer directly ({@link Replicate}) and commits it once a
 * majority staged it (see {@link RegistryReplication}).
 */
public final class RegistryReplicator {
  private static final Logger log = LoggerFactory.getLogger(RegistryReplicator.class);

  public static final ServiceKey<Command> SERVICE = ServiceKey.create(Command.class, "hpcfaas-registry");
  static final Key<LWWMap<String, RegistryEntry>> KEY = LWWMapKey.create("hpcfaas-functions");

  public sealed interface Command extends CborSerializable {}

  /** Sent to a name's owner: version and commit this change (a spec without version, or null to delete). */
  public record Propose(String name, org.hpcfaas.core.FunctionSpec spec, Payload module, ActorRef<Decided> replyTo)
      implements Command {}

  /** The owner's answer: the committed entry, none (nothing to delete), or why it was not committed. */
  public record Decided(RegistryEntry entry, String error) implements CborSerializable {}

  /** Stage this entry (its module, when given, stored durably; the entry not yet served), then acknowledge. */
  public record Replicate(RegistryEntry entry, Payload module, ActorRef<Ack> replyTo) implements Command {}

  /** A majority staged this entry: make it this node's state, then acknowledge. */
  public record Commit(RegistryEntry entry, ActorRef<Ack> replyTo) implements Command {}

  /** This staged entry missed its majority: forget it. */
  public record Abort(String name, long version) implements Command {}

  public record Ack(String node, boolean stored, String error) implements CborSerializable {}

  /** Send the module with this hash, if this node has it. */
  public record FetchModule(String sha256, ActorRef<ModuleReply> replyTo) implements Command {}

  public record ModuleReply(Payload module) implements CborSerializable {}

  record Publish(RegistryEntry entry) implements Command {}

  private record PeersChanged(Receptionist.Listing listing) implements Command {}

  private record MapChanged(Replicator.SubscribeResponse<LWWMap<String, RegistryEntry>> response) implements Command {}

  private record Updated(Replicator.UpdateResponse<LWWMap<String, RegistryEntry>> response) implements Command {}

  static Behavior<Command> create(FunctionRegistry registry, RegistryReplication replication, Materializer materializer,
      Executor io, String node) {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, RegistryEntry>> replicator) ->
            new RegistryReplicator(ctx, replicator, registry, replication, materializer, io, node).start()));
  }

  private final ActorContext<Command> ctx;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, RegistryEntry>> replicator;
  private final FunctionRegistry registry;
  private final RegistryReplication replication;
  private final Materializer materializer;
  private final Executor io;
  private final String node;
  private final SelfUniqueAddress self;
  private final java.util.Set<RegistryEntry> learning = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private RegistryReplicator(ActorContext<Command> ctx,
      ReplicatorMessageAdapter<Command, LWWMap<String, RegistryEntry>> replicator, FunctionRegistry registry,
      RegistryReplication replication, Materializer materializer, Executor io, String node) {
    this.ctx = ctx;
    this.replicator = replicator;
    this.registry = registry;
    this.replication = replication;
    this.materializer = materializer;
    this.io = io;
    this.node = node;
    this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
  }

  private Behavior<Command> start() {
    var receptionist = ctx.getSystem().receptionist();
    receptionist.tell(Receptionist.register(SERVICE, ctx.getSelf()));
    receptionist.tell(Receptionist.subscribe(SERVICE, ctx.messageAdapter(Receptionist.Listing.class, PeersChanged::new)));
    replicator.subscribe(KEY, MapChanged::new);
    registry.entries().forEach(this::publish);
    return Behaviors.receive(Command.class)
        .onMessage(Propose.class, this::onPropose)
        .onMessage(Replicate.class, this::onReplicate)
        .onMessage(Commit.class, c -> {
          CompletableFuture.runAsync(() -> learn(c.entry()), io).whenComplete((ok, error) -> c.replyTo().tell(
              new Ack(node, error == null, error == null ? "" : String.valueOf(error.getMessage()))));
          return Behaviors.same();
        })
        .onMessage(Abort.class, a -> {
          registry.staged(a.name(), a.version()).ifPresent(registry::unstage);
          return Behaviors.same();
        })
        .onMessage(FetchModule.class, this::onFetch)
        .onMessage(Publish.class, p -> {
          publish(p.entry());
          return Behaviors.same();
        })
        .onMessage(PeersChanged.class, p -> {
          replication.peers(p.listing().getServiceInstances(SERVICE));
          return Behaviors.same();
        })
        .onMessage(MapChanged.class, this::onMapChanged)
        .onMessage(Updated.class, u -> Behaviors.same())
        .build();
  }

  private void publish(RegistryEntry entry) {
    replicator.askUpdate(
        replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
            map -> map.put(self, entry.name(), entry, (current, value) -> value.version())),
        Updated::new);
  }

  private Behavior<Command> onPropose(Propose p) {
    replication.decide(p.name(), p.spec(), p.module()).whenComplete((entry, error) -> p.replyTo().tell(error == null
        ? new Decided(entry.orElse(null), null)
        : new Decided(null, String.valueOf(unwrap(error).getMessage()))));
    return Behaviors.same();
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private Behavior<Command> onReplicate(Replicate r) {
    var entry = r.entry();
    // Checked as a client's deploy is, before a byte of its module is read.
    try {
      registry.checkReplicated(entry);
    } catch (org.hpcfaas.registry.DeployRejected e) {
      log.warn("Refused a change from a peer: {}", e.getMessage());
      r.replyTo().tell(new Ack(node, false, "refused: " + e.getMessage()));
      return Behaviors.same();
    }
    CompletableFuture<byte[]> module = r.module() == null || entry.deleted() || registry.hasModule(entry.spec().sha256())
        ? CompletableFuture.completedFuture(null)
        : readModule(r.module(), registry.settings().maxModuleBytes(), materializer).toCompletableFuture();
    module.thenApplyAsync(bytes -> stage(entry, bytes), io).whenComplete((staged, error) -> r.replyTo().tell(
        error != null ? new Ack(node, false, String.valueOf(unwrap(error).getMessage()))
            : staged ? new Ack(node, true, "")
            : new Ack(node, false, "refused: " + entry.name() + " has a newer version than v" + entry.version() + " here")));
    return Behaviors.same();
  }

  /** A module's bytes from a peer, failing as soon as they exceed {@code limit} (never read further). */
  static java.util.concurrent.CompletionStage<byte[]> readModule(Payload module, long limit, Materializer materializer) {
    return module.source()
        .limitWeighted(limit, chunk -> (long) chunk.size())
        .runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
        .thenApply(ByteString::toArray);
  }

  private Behavior<Command> onFetch(FetchModule f) {
    CompletableFuture.supplyAsync(() -> {
      try {
        return registry.localModule(f.sha256()).orElse(null);
      } catch (java.io.IOException e) {
        log.warn("Cannot read module {} for a peer: {}", f.sha256(), e.getMessage());
        return null;
      }
    }, io).thenAccept(bytes -> f.replyTo().tell(new ModuleReply(bytes == null ? null : Payload.of(bytes, materializer))));
    return Behaviors.same();
  }

  private Behavior<Command> onMapChanged(MapChanged m) {
    if (m.response() instanceof Replicator.Changed<LWWMap<String, RegistryEntry>> changed) {
      var seen = new HashSet<RegistryEntry>(registry.entries());
      for (var entry : changed.get(KEY).getEntries().values()) {
        if (!seen.contains(entry)) {
          learnOnce(entry);
        }
      }
    }
    return Behaviors.same();
  }

  /** Learns an entry on the io pool, unless the same entry is already being learnt. */
  private void learnOnce(RegistryEntry entry) {
    if (learning.add(entry)) {
      CompletableFuture.runAsync(() -> learn(entry), io).whenComplete((ok, error) -> learning.remove(entry));
    }
  }

  /** Takes a committed entry (learnt by gossip or told by its owner), fetching its module from a peer first when this node lacks it. */
  private void learn(RegistryEntry entry) {
    try {
      registry.checkReplicated(entry);
      if (!registry.accepts(entry)) {
        return;
      }
      byte[] bytes = null;
      if (!entry.deleted() && !registry.hasModule(entry.spec().sha256())) {
        bytes = replication.fetch(entry.spec().sha256()).orElse(null);
        if (bytes == null) {
          log.warn("Cannot replicate {} v{}: no reachable node has module {}", entry.name(), entry.version(),
              entry.spec().sha256());
          return;
        }
      }
      if (bytes != null) {
        registry.storeModule(entry.spec().sha256(), bytes);
      }
      registry.commit(entry);
    } catch (org.hpcfaas.registry.DeployRejected e) {
      log.warn("Refused a change gossiped by a peer: {}", e.getMessage());
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("Cannot replicate {} v{}: {}", entry.name(), entry.version(), e.getMessage());
    }
  }

  /** Stores the module durably and stages the entry; false if this node already has a newer one. */
  private boolean stage(RegistryEntry entry, byte[] module) {
    try {
      if (module != null) {
        registry.storeModule(entry.spec().sha256(), module);
      }
      return registry.stage(entry);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
