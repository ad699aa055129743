package org.hpcfaas.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.GuestSetup;
import org.hpcfaas.core.Limits;
import org.hpcfaas.core.Payload;

/**
 * Deploys and deletes for the whole cluster. A change is made durable here, pushed to every peer, and
 * acknowledged once a majority of the nodes (this one included) has stored it durably; with a shared
 * data directory (a parallel file system all nodes mount) storing it here is enough.
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
  private volatile Set<ActorRef<RegistryReplicator.Command>> peers = Set.of();

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
  void peers(Set<ActorRef<RegistryReplicator.Command>> all) {
    var others = new HashSet<>(all);
    others.removeIf(ref -> ref.path().address().hasLocalScope());
    peers = Set.copyOf(others);
  }

  public CompletionStage<FunctionSpec> deploy(String name, byte[] module, Limits limits, boolean idempotent,
      boolean cached, String owner, GuestSetup guest) {
    return registry.deploy(name, module, limits, idempotent, cached, owner, guest)
        .thenCompose(entry -> replicate(entry, module))
        .thenApply(RegistryEntry::spec);
  }

  /** Completes with false when there was no such function. */
  public CompletionStage<Boolean> delete(String name) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return registry.delete(name);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, io).thenCompose(tombstone -> tombstone.isPresent()
        ? replicate(tombstone.get(), null).thenApply(e -> true)
        : CompletableFuture.completedFuture(false));
  }

  private CompletionStage<RegistryEntry> replicate(RegistryEntry entry, byte[] module) {
    self.tell(new RegistryReplicator.Publish(entry));
    var targets = List.copyOf(peers);
    int needed = (targets.size() + 1) / 2; // peers that make a majority together with this node
    if (sharedDataDir || needed == 0) {
      return CompletableFuture.completedFuture(entry);
    }
    var result = new CompletableFuture<RegistryEntry>();
    var stored = new AtomicInteger();
    var answered = new AtomicInteger();
    var errors = new ArrayList<String>();
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
    return result;
  }

  /** Fetches a module from the first peer that has it; blocks (called off the actor threads). */
  @Override
  public Optional<byte[]> fetch(String sha256) throws IOException {
    for (var peer : peers) {
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
