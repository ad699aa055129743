package org.hpcfaas.worker;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.engine.ReactorPool;

/**
 * One function on this worker node: admits at most {@code concurrency} calls at once, queues a bounded
 * number behind them, and owns the function's warm reactor instances. The actor only routes, queues and
 * accounts; guest code runs on the WASM pool. It is a child of {@link WorkerActor}, which every transport
 * reaches through {@link WorkerService}; after {@code idleTimeout} without a call it asks to be stopped.
 */
public final class FunctionActor {
  sealed interface Command {}

  record Invoke(FunctionSpec spec, Call call, ActorRef<WorkerResult> replyTo) implements Command {}

  private record Finished(Invoke invoke) implements Command {}

  private enum IdleTimeout implements Command { INSTANCE }

  /** Told by the parent after an idle timeout: stop once no call is running or queued. */
  enum Stop implements Command { INSTANCE }

  /**
   * How many calls may wait behind the running ones, and for how long; and the stall allowance, the time
   * past its time limit a call may spend blocked on its streams before the engine stops it.
   */
  public record QueueSettings(int size, Duration maxWait, Duration stallAllowance) {
    /**
     * How long a caller waits for a worker's answer: as long as the worker may keep the call alive, that is
     * the longest queue wait plus the call's wall-clock ceiling (time limit and stall allowance), plus a
     * margin. A call whose clock pauses on a slow upload is thus never given up while it is within its
     * limits; past them the worker itself ends it and answers.
     */
    public Duration replyTimeout(FunctionSpec spec) {
      return maxWait.plusMillis(spec.limits().timeoutMs()).plus(stallAllowance).plusSeconds(5);
    }
  }

  private record Queued(Invoke invoke, InputStream stdin, long enqueuedNanos) {}

  static Behavior<Command> create(FunctionRunner runner, QueueSettings queue, Duration idleTimeout,
      ActorRef<WorkerActor.Command> parent) {
    return Behaviors.setup(ctx -> {
      runner.stats().replicas.incrementAndGet();
      ctx.setReceiveTimeout(idleTimeout, IdleTimeout.INSTANCE);
      return new FunctionActor(ctx, runner, queue, parent).behavior();
    });
  }

  private final ActorContext<Command> ctx;
  private final FunctionRunner runner;
  private final QueueSettings queueSettings;
  private final ActorRef<WorkerActor.Command> parent;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private FunctionSpec current;
  private ReactorPool pool;
  private int inFlight;
  private boolean stopping;

  private FunctionActor(ActorContext<Command> ctx, FunctionRunner runner, QueueSettings queueSettings,
      ActorRef<WorkerActor.Command> parent) {
    this.ctx = ctx;
    this.runner = runner;
    this.queueSettings = queueSettings;
    this.parent = parent;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Invoke.class, this::onInvoke)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(IdleTimeout.class, t -> {
          if (inFlight == 0 && queue.isEmpty() && current != null) {
            parent.tell(new WorkerActor.Idle(current.name(), ctx.getSelf()));
          }
          return Behaviors.same();
        })
        .onMessage(Stop.class, s -> {
          stopping = true;
          return idleNow();
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
    var stdin = runner.open(invoke.call());
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
    return idleNow();
  }

  /** Stops when asked to and nothing is left to do; calls that arrived meanwhile are served first. */
  private Behavior<Command> idleNow() {
    return stopping && inFlight == 0 && queue.isEmpty() ? Behaviors.stopped() : Behaviors.same();
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
    var done = runner.run(spec, pool, invoke.call(), stdin, queuedMs, queueSettings.maxWait(), invoke.replyTo());
    ctx.pipeToSelf(done, (outcome, error) -> {
      if (error != null) {
        var cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error;
        runner.reply(invoke.replyTo(), cause instanceof org.hpcfaas.engine.WasmExecutor.ShutDown
            ? new Outcome.Stopped(cause.getMessage(), "") : new Outcome.Broken("worker failed: " + error, ""), queuedMs);
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
