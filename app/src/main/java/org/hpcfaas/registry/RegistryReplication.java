package org.hpcfaas.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.GuestSetup;
import org.hpcfaas.core.Limits;
import org.hpcfaas.core.Payload;

/**
 * Deploys and deletes for the whole cluster, with one writer per function name. The gateway that takes
 * a deploy validates and compiles the module, then hands the change to the name's owner: the node that
 * wins a rendezvous hash of the name over the members. The owner assigns the version, stages the entry
 * on every peer (module bytes stored durably, entry held but not served), and only once a majority of
 * the nodes (itself included) has staged it commits it: here, then on the peers and by Distributed Data
 * gossip. A change that misses its majority is dropped everywhere and answered {@link NotDurable}. With
 * a shared data directory (a parallel file system all nodes mount) the owner's write is enough.
 */
public final class RegistryReplication implements ModuleFetcher {
  private final ActorSystem<?> system;
  private final FunctionRegistry registry;
  private final Materializer materializer;
  private final boolean sharedDataDir;
  private final Duration ackTimeout;
  private final ExecutorService io = Executors.newFixedThreadPool(2, r -> {
    var t = new Thread(r, "hpcfaas-registry-io");
    t.setDaemon(true);
    return t;
  });
  private volatile ActorRef<RegistryReplicator.Command> self;
  private volatile Map<Address, ActorRef<RegistryReplicator.Command>> peers = Map.of();

  public RegistryReplication(ActorSystem<?> system, FunctionRegistry registry, Materializer materializer,
      boolean sharedDataDir, Duration ackTimeout) {
    this.system = system;
    this.registry = registry;
    this.materializer = materializer;
    this.sharedDataDir = sharedDataDir;
    this.ackTimeout = ackTimeout;
    registry.fetchMissingModulesWith(this);
  }

  /** This node's replicator, for the Guardian to spawn; it reports the peers to this object. */
  public Behavior<RegistryReplicator.Command> replicator(String node) {
    return RegistryReplicator.create(registry, this, materializer, io, node);
  }

  /** The replicator the Guardian spawned, through which changes made here spread; set before any deploy. */
  public void publishThrough(ActorRef<RegistryReplicator.Command> replicator) {
    this.self = replicator;
  }

  /** Called by the replicator with every node's replicator, itself (the local one) included. */
  void peers(java.util.Set<ActorRef<RegistryReplicator.Command>> all) {
    var others = new java.util.HashMap<Address, ActorRef<RegistryReplicator.Command>>();
    for (var ref : all) {
      if (!ref.path().address().hasLocalScope()) {
        others.put(ref.path().address(), ref);
      }
    }
    peers = Map.copyOf(others);
  }

  public CompletionStage<FunctionSpec> deploy(String name, byte[] module, Limits limits, boolean idempotent,
      boolean cached, String owner, GuestSetup guest) {
    return registry.prepare(name, module, limits, idempotent, cached, owner, guest)
        .thenCompose(spec -> throughOwner(name, spec, module))
        .thenApply(entry -> entry.orElseThrow().spec());
  }

  /** Completes with false when there was no such function. */
  public CompletionStage<Boolean> delete(String name) {
    if (registry.get(name).isEmpty()) {
      return CompletableFuture.completedFuture(false);
    }
    return throughOwner(name, null, null).thenApply(Optional::isPresent);
  }

  /** The node that decides the versions of {@code name}: highest rendezvous hash over this node and its peers. */
  Address ownerOf(String name) {
    var members = new ArrayList<>(peers.keySet());
    members.add(selfAddress());
    return members.stream().max(Comparator.comparingLong((Address a) -> rendezvous(name, a))
        .thenComparing(Address::toString)).orElseThrow();
  }

  private Address selfAddress() {
    return Cluster.get(system).selfMember().address();
  }

  private static long rendezvous(String name, Address member) {
    try {
      var digest = MessageDigest.getInstance("SHA-256").digest((name + "|" + member).getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (digest[i] & 0xff);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A change (a spec without version, or null to delete) decided by the name's owner; empty: nothing to delete. */
  private CompletionStage<Optional<RegistryEntry>> throughOwner(String name, FunctionSpec unversioned, byte[] module) {
    var owner = ownerOf(name);
    var ref = peers.get(owner);
    if (owner.equals(selfAddress()) || ref == null) {
      return decide(name, unversioned, null);
    }
    Payload payload = module == null ? null : Payload.of(module, materializer);
    return AskPattern.<RegistryReplicator.Command, RegistryReplicator.Decided>ask(ref,
            replyTo -> new RegistryReplicator.Propose(name, unversioned, payload, replyTo), ackTimeout.multipliedBy(2),
            system.scheduler())
        .handle((decided, error) -> {
          if (error != null) {
            throw new NotDurable("the owner of " + name + " (" + owner + ") did not answer: " + error.getMessage());
          }
          if (decided.error() != null) {
            throw new NotDurable(decided.error());
          }
          return Optional.ofNullable(decided.entry());
        });
  }

  /**
   * The owner's part: assigns the next version, stages the entry on a majority, commits it. The module,
   * when it came from another gateway, is read and stored here first.
   */
  CompletionStage<Optional<RegistryEntry>> decide(String name, FunctionSpec unversioned, Payload module) {
    CompletableFuture<Void> haveModule = unversioned == null || registry.hasModule(unversioned.sha256())
        ? CompletableFuture.completedFuture(null)
        : module == null
        ? CompletableFuture.failedFuture(new NotDurable("module " + unversioned.sha256() + " of " + name + " was not sent"))
        : RegistryReplicator.readModule(module, registry.settings().maxModuleBytes(), materializer)
            .thenAcceptAsync(bytes -> {
              try {
                registry.storeModule(unversioned.sha256(), bytes);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }, io).toCompletableFuture();
    // off the caller's thread (an actor's, or a WASM thread's): it reads the module and writes files
    return haveModule.thenComposeAsync(v -> {
      if (unversioned == null && registry.get(name).isEmpty()) {
        return CompletableFuture.completedFuture(Optional.<RegistryEntry>empty());
      }
      long version = registry.reserveVersion(name);
      var entry = unversioned == null ? RegistryEntry.tombstone(name, version) : RegistryEntry.of(versioned(unversioned, version));
      try {
        registry.checkReplicated(entry);
      } catch (DeployRejected e) {
        return CompletableFuture.failedFuture(e);
      }
      if (!registry.stage(entry)) {
        return CompletableFuture.failedFuture(new NotDurable("a newer change of " + name + " is already here"));
      }
      return stageOnMajority(entry).thenApply(Optional::of);
    }, io);
  }

  private static FunctionSpec versioned(FunctionSpec s, long version) {
    return new FunctionSpec(s.name(), version, s.sha256(), s.size(), s.kind(), s.limits(), s.idempotent(), s.owner(),
        s.created(), s.defaultArgs(), s.runtimeEnv(), s.mounts(), s.cached());
  }

  private CompletionStage<RegistryEntry> stageOnMajority(RegistryEntry entry) {
    var targets = List.copyOf(peers.values());
    int needed = (targets.size() + 1) / 2; // peers that make a majority together with this node
    if (sharedDataDir || needed == 0) {
      return commit(entry, targets);
    }
    var result = new CompletableFuture<RegistryEntry>();
    var stored = new AtomicInteger();
    var answered = new AtomicInteger();
    var errors = new ArrayList<String>();
    byte[] module;
    try {
      module = entry.deleted() ? null : registry.localModule(entry.spec().sha256()).orElseThrow(
          () -> new IOException("module " + entry.spec().sha256() + " is not in this node's store"));
    } catch (IOException e) {
      registry.unstage(entry);
      return CompletableFuture.failedFuture(new NotDurable(e.getMessage()));
    }
    for (var peer : targets) {
      Payload payload = module == null ? null : Payload.of(module, materializer);
      AskPattern.<RegistryReplicator.Command, RegistryReplicator.Ack>ask(peer,
              replyTo -> new RegistryReplicator.Replicate(entry, payload, replyTo), ackTimeout, system.scheduler())
          .whenComplete((ack, error) -> {
            if (error == null && ack.stored()) {
              if (stored.incrementAndGet() == needed) {
                result.complete(entry);
              }
            } else {
              synchronized (errors) {
                errors.add(error != null ? error.getMessage() : ack.node() + ": " + ack.error());
              }
            }
            if (answered.incrementAndGet() == targets.size() && !result.isDone()) {
              result.completeExceptionally(new NotDurable("stored on " + (stored.get() + 1) + " of " + (targets.size() + 1)
                  + " nodes, not a majority (" + String.join("; ", errors) + ")"));
            }
          });
    }
    return result.handle((ok, error) -> {
      if (error != null) {
        registry.unstage(entry);
        targets.forEach(peer -> peer.tell(new RegistryReplicator.Abort(entry.name(), entry.version())));
        throw error instanceof CompletionException c ? c : new CompletionException(error);
      }
      return ok;
    }).thenCompose(ok -> commit(entry, targets));
  }

  /**
   * Commits here, tells every peer, and answers once each has applied it (or the ack timeout passed: the
   * change is durable already, a slow peer catches up by gossip), so that a client reading through any
   * gateway right after the answer sees the change.
   */
  private CompletionStage<RegistryEntry> commit(RegistryEntry entry, List<ActorRef<RegistryReplicator.Command>> targets) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        registry.commit(entry);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      self.tell(new RegistryReplicator.Publish(entry));
      return entry;
    }, io).thenCompose(committed -> {
      var applied = targets.stream().map(peer -> AskPattern.<RegistryReplicator.Command, RegistryReplicator.Ack>ask(peer,
              replyTo -> new RegistryReplicator.Commit(entry, replyTo), ackTimeout, system.scheduler())
          .toCompletableFuture().exceptionally(e -> null)).toArray(CompletableFuture[]::new);
      return CompletableFuture.allOf(applied).thenApply(v -> committed);
    });
  }

  /** Fetches a module from the first peer that has it; blocks (called off the actor threads). */
  @Override
  public Optional<byte[]> fetch(String sha256) throws IOException {
    for (var peer : peers.values()) {
      try {
        var reply = AskPattern.<RegistryReplicator.Command, RegistryReplicator.ModuleReply>ask(peer,
                replyTo -> new RegistryReplicator.FetchModule(sha256, replyTo), ackTimeout, system.scheduler())
            .toCompletableFuture().get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (reply.module() != null) {
          var bytes = RegistryReplicator.readModule(reply.module(), registry.settings().maxModuleBytes(), materializer)
              .toCompletableFuture().get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
          return Optional.of(bytes);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching module " + sha256);
      } catch (Exception e) {
        // try the next peer
      }
    }
    return Optional.empty();
  }

  /** A change that could not be stored on a majority of the nodes in time. */
  public static final class NotDurable extends RuntimeException {
    NotDurable(String message) {
      super(message);
    }
  }
}
