package org.hpcfaas.observe;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.hpcfaas.engine.WasmEngine;
import org.hpcfaas.engine.WasmExecutor;
import org.hpcfaas.core.CborSerializable;

/** This worker's load, counted where the work happens and served to any gateway that asks. */
public final class NodeStats {
  public static final ServiceKey<Get> SERVICE = ServiceKey.create(Get.class, "hpcfaas-node-stats");

  public record Get(ActorRef<Snapshot> replyTo) implements CborSerializable {}

  /** One node's figures for {@code GET /v1/cluster}. */
  public record Snapshot(String node, int wasmSlots, int wasmBusy, int inFlight, long completed, int replicasHosted,
      int memoryBudgetMb, int memoryFreeMb, String runtime) implements CborSerializable {}

  public final AtomicInteger inFlight = new AtomicInteger();
  public final AtomicLong completed = new AtomicLong();
  public final AtomicInteger replicas = new AtomicInteger();
  private volatile boolean ready;

  private final String node;
  private final WasmEngine engine;
  private final WasmExecutor executor;

  public NodeStats(String node, WasmEngine engine, WasmExecutor executor) {
    this.node = node;
    this.engine = engine;
    this.executor = executor;
  }

  /** This worker takes calls (its shard is here and its HTTP API is bound). */
  public void markReady() {
    ready = true;
  }

  public boolean ready() {
    return ready;
  }

  /** Is the Graal JIT compiling guest code (else it is interpreted)? */
  public boolean optimizing() {
    return engine.optimizing();
  }

  public Snapshot snapshot() {
    return new Snapshot(node, executor.threads(), executor.busy(), inFlight.get(), completed.get(), replicas.get(),
        engine.memoryBudgetMb(), engine.memoryFreeMb(), engine.runtimeName());
  }

  public Behavior<Get> behavior() {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE, ctx.getSelf()));
      return Behaviors.receiveMessage(get -> {
        get.replyTo().tell(snapshot());
        return Behaviors.same();
      });
    });
  }
}
