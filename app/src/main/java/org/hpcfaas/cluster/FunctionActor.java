package org.hpcfaas.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.hpcfaas.registry.FunctionSpec;
import org.hpcfaas.wasm.Outcome;
import org.hpcfaas.wasm.ReactorPool;

/**
 * One function on one worker, sharded by function name: admits at most {@code concurrency} calls at
 * once, queues a bounded number behind them, and owns the function's warm reactor instances. The
 * actor only routes, queues and accounts; guest code runs on the WASM pool.
 */
public final class FunctionActor {
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "fn");

  public sealed interface Command extends CborSerializable {}

  public record Invoke(FunctionSpec spec, InvocationRequest request, ActorRef<InvocationResult> replyTo)
      implements Command {}

  private record Finished(Invoke invoke, InvocationResult result) implements Command {}

  /** How many calls may wait behind the running ones, and for how long. */
  public record QueueSettings(int size, Duration maxWait) {}

  private record Queued(Invoke invoke, long enqueuedNanos) {}

  public static void initSharding(ActorSystem<?> system, FunctionRunner runner, QueueSettings queue, String workerRole) {
    ClusterSharding.get(system).init(
        Entity.of(KEY, ctx -> create(runner, queue)).withRole(workerRole));
  }

  static Behavior<Command> create(FunctionRunner runner, QueueSettings queue) {
    return Behaviors.setup(ctx -> new FunctionActor(ctx, runner, queue).idle());
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

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(Invoke.class, this::onInvoke)
        .onMessage(Finished.class, this::onFinished)
        .onSignal(PostStop.class, s -> {
          if (pool != null) {
            pool.close();
          }
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onInvoke(Invoke invoke) {
    if (inFlight < invoke.spec().limits().concurrency()) {
      start(invoke, 0);
    } else if (queue.size() < queueSettings.size()) {
      queue.addLast(new Queued(invoke, System.nanoTime()));
    } else {
      reject(invoke, "function " + invoke.spec().name() + " is at its concurrency limit of "
          + invoke.spec().limits().concurrency() + " and its queue of " + queueSettings.size() + " is full");
    }
    return Behaviors.same();
  }

  private Behavior<Command> onFinished(Finished finished) {
    inFlight--;
    finished.invoke().replyTo().tell(finished.result());
    startQueued();
    return Behaviors.same();
  }

  private void startQueued() {
    while (!queue.isEmpty() && inFlight < queue.peekFirst().invoke().spec().limits().concurrency()) {
      var next = queue.pollFirst();
      long waitedNanos = System.nanoTime() - next.enqueuedNanos();
      if (waitedNanos > queueSettings.maxWait().toNanos()) {
        reject(next.invoke(), "waited " + waitedNanos / 1_000_000 + " ms in the queue of " + next.invoke().spec().name()
            + ", longer than the " + queueSettings.maxWait().toMillis() + " ms allowed");
      } else {
        start(next.invoke(), waitedNanos / 1_000_000);
      }
    }
  }

  private void start(Invoke invoke, long queuedMs) {
    inFlight++;
    var spec = invoke.spec();
    if (current == null || current.version() != spec.version() || !current.sha256().equals(spec.sha256())) {
      if (pool != null) {
        pool.close();
      }
      current = spec;
      pool = runner.newPool(spec);
    }
    ctx.pipeToSelf(runner.run(spec, pool, invoke.request(), queuedMs), (result, error) -> new Finished(invoke,
        result != null ? result
            : new InvocationResult(runner.node(), new Outcome.Broken("worker failed: " + error, ""), new byte[0], 0, queuedMs)));
  }

  private void reject(Invoke invoke, String reason) {
    invoke.replyTo().tell(new InvocationResult(runner.node(), new Outcome.Overloaded(reason, ""), new byte[0], 0, 0));
  }
}
