package org.hpcfaas.worker;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.engine.ReactorPool;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.transport.artery.InvocationRequest;
import org.hpcfaas.transport.artery.WorkerReply;

/**
 * One function on one worker node: admits at most {@code concurrency} calls at once, queues a bounded
 * number behind them, and owns the function's warm reactor instances. The actor only routes, queues and
 * accounts; guest code runs on the WASM pool.
 *
 * <p>Entities are sharded with the id {@code <function>|<node address>} and the shard id
 * {@code <node address>}; every worker pins its own shard to itself through external shard allocation.
 * So a gateway decides which node runs a call (by load, see {@link WorkerPlacement}), knows which calls a
 * lost node was running, and sharding still gives each function actor its lifecycle and passivation.
 */
public final class FunctionActor {
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "fn");

  public sealed interface Command extends CborSerializable {}

  public record Invoke(FunctionSpec spec, InvocationRequest request, ActorRef<WorkerReply> replyTo) implements Command {}

  private record Finished(Invoke invoke) implements Command {}

  /** Asked by a worker of its own shard at startup, so that the shard is allocated there, not elsewhere. */
  public record Ping(ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  /** The entity a worker pings: not a function name (those cannot start with '-'), and stopped at once. */
  public static String pingEntity(String nodeAddress) {
    return entityId("-ready-", nodeAddress);
  }

  /** How many calls may wait behind the running ones, and for how long. */
  public record QueueSettings(int size, Duration maxWait) {}

  private record Queued(Invoke invoke, InputStream stdin, long enqueuedNanos) {}

  public static String entityId(String function, String nodeAddress) {
    return function + "|" + nodeAddress;
  }

  public static void initSharding(ActorSystem<?> system, FunctionRunner runner, QueueSettings queue) {
    var sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(KEY, ctx -> create(runner, queue))
        .withRole("worker")
        .withMessageExtractor(new ShardingMessageExtractor<ShardingEnvelope<Command>, Command>() {
          @Override
          public String entityId(ShardingEnvelope<Command> envelope) {
            return envelope.entityId();
          }

          @Override
          public String shardId(String entityId) {
            return entityId.substring(entityId.indexOf('|') + 1);
          }

          @Override
          public Command unwrapMessage(ShardingEnvelope<Command> envelope) {
            return envelope.message();
          }
        })
        .withAllocationStrategy(new ExternalShardAllocationStrategy(system, KEY.name(),
            org.apache.pekko.util.Timeout.create(Duration.ofSeconds(5)))));
    var self = Cluster.get(system).selfMember();
    if (self.hasRole("worker")) {
      ExternalShardAllocation.get(system).getClient(KEY.name())
          .setShardLocation(self.address().toString(), self.address());
    }
  }

  static Behavior<Command> create(FunctionRunner runner, QueueSettings queue) {
    return Behaviors.setup(ctx -> {
      runner.stats().replicas.incrementAndGet();
      return new FunctionActor(ctx, runner, queue).behavior();
    });
  }

  private final ActorContext<Command> ctx;
  private final FunctionRunner runner;
  private final QueueSettings queueSettings;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private FunctionSpec current;
  private ReactorPool pool;
  private int inFlight;

  private FunctionActor(ActorContext<Command> ctx, FunctionRunner runner, QueueSettings queueSettings) {
    this.ctx = ctx;
    this.runner = runner;
    this.queueSettings = queueSettings;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Invoke.class, this::onInvoke)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(Ping.class, p -> {
          p.replyTo().tell(org.apache.pekko.Done.getInstance());
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, s -> {
          runner.stats().replicas.decrementAndGet();
          if (current != null) {
            runner.metrics().warmInstances(current.name(), 0);
          }
          queue.forEach(q -> reject(q, "the function's actor stopped (node leaving?)"));
          if (pool != null) {
            pool.close();
          }
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onInvoke(Invoke invoke) {
    var stdin = runner.open(invoke.request().input());
    if (inFlight < invoke.spec().limits().concurrency()) {
      start(invoke, stdin, 0);
    } else if (queue.size() < queueSettings.size()) {
      queue.addLast(new Queued(invoke, stdin, System.nanoTime()));
    } else {
      reject(new Queued(invoke, stdin, 0), "function " + invoke.spec().name() + " is at its concurrency limit of "
          + invoke.spec().limits().concurrency() + " on " + runner.node() + " and its queue of " + queueSettings.size()
          + " is full");
    }
    return Behaviors.same();
  }

  private Behavior<Command> onFinished(Finished finished) {
    inFlight--;
    runner.metrics().warmInstances(finished.invoke().spec().name(), pool == null ? 0 : pool.warm());
    while (!queue.isEmpty() && inFlight < queue.peekFirst().invoke().spec().limits().concurrency()) {
      var next = queue.pollFirst();
      long waitedNanos = System.nanoTime() - next.enqueuedNanos();
      if (waitedNanos > queueSettings.maxWait().toNanos()) {
        reject(next, "waited " + waitedNanos / 1_000_000 + " ms in the queue of " + next.invoke().spec().name()
            + ", longer than the " + queueSettings.maxWait().toMillis() + " ms allowed");
      } else {
        start(next.invoke(), next.stdin(), waitedNanos / 1_000_000);
      }
    }
    return Behaviors.same();
  }

  private void start(Invoke invoke, InputStream stdin, long queuedMs) {
    inFlight++;
    var spec = invoke.spec();
    if (current == null || current.version() != spec.version() || !current.sha256().equals(spec.sha256())) {
      if (pool != null) {
        pool.close();
      }
      current = spec;
      pool = runner.newPool(spec);
    }
    var done = runner.run(spec, pool, invoke.request(), stdin, queuedMs, invoke.replyTo());
    ctx.pipeToSelf(done, (outcome, error) -> {
      if (error != null) {
        runner.reply(invoke.replyTo(), new Outcome.Broken("worker failed: " + error, ""), queuedMs);
      }
      return new Finished(invoke);
    });
  }

  private void reject(Queued queued, String reason) {
    try {
      queued.stdin().close();
    } catch (IOException ignored) {
      // it only cancels the upload
    }
    runner.reply(queued.invoke().replyTo(), new Outcome.Overloaded(reason, ""), 0);
  }
}
