package org.hpcfaas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.hpcfaas.auth.TokenReplicator;
import org.hpcfaas.cache.ResultCache;
import org.hpcfaas.gateway.MembershipWatcher;
import org.hpcfaas.registry.RegistryReplicator;
import org.hpcfaas.worker.WorkerActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of a node's actors: it creates every long-lived actor and supervises it, restarting one that
 * fails after a backoff (the failure is logged), so that a bug in one of them never silently ends routing
 * updates, replication or lookups on the node. Function actors are the worker's children.
 */
public final class Guardian {
  private static final Logger log = LoggerFactory.getLogger(Guardian.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  public sealed interface Command {}

  /** Creates the node's long-lived actors from their behaviors; answered with the references the node uses. */
  public record Start(Actors actors, ActorRef<Started> replyTo) implements Command {}

  /** The long-lived actors of a node, and of its transport (by name). */
  public record Actors(Behavior<?> nodeStats, Behavior<?> invocationLog, Behavior<?> asyncInvocations,
      Behavior<Object> membership, Behavior<MembershipWatcher.SelfReady> workerReady,
      Behavior<RegistryReplicator.Command> registryReplicator, Behavior<TokenReplicator.Command> tokenReplicator,
      Behavior<WorkerActor.Command> worker, Behavior<ResultCache.Command> resultCache,
      Map<String, Behavior<?>> transport) {}

  public record Started(ActorRef<Object> membership, ActorRef<MembershipWatcher.SelfReady> workerReady,
      ActorRef<RegistryReplicator.Command> registryReplicator, ActorRef<TokenReplicator.Command> tokenReplicator,
      ActorRef<WorkerActor.Command> worker, ActorRef<ResultCache.Command> resultCache) {}

  /**
   * For tests only, with {@code hpcfaas.testing.fault-injection = on}: makes every actor the Guardian
   * supervises throw once; answered with their names. Refused (an empty answer) when that is off.
   */
  public record InjectFault(ActorRef<List<String>> replyTo) implements Command {}

  /** What a supervised actor throws on when fault injection is on. */
  private enum Fault { INSTANCE }

  private Guardian() {}

  public static Behavior<Command> create(boolean faultInjection) {
    return Behaviors.setup(ctx -> Behaviors.receive(Command.class)
        .onMessage(Start.class, start -> {
          var a = start.actors();
          spawn(ctx, a.nodeStats(), "node-stats", faultInjection);
          spawn(ctx, a.invocationLog(), "invocation-log", faultInjection);
          spawn(ctx, a.asyncInvocations(), "async-invocations", faultInjection);
          a.transport().forEach((name, behavior) -> spawn(ctx, behavior, name, faultInjection));
          start.replyTo().tell(new Started(
              spawn(ctx, a.membership(), "membership", faultInjection),
              spawn(ctx, a.workerReady(), "worker-ready", faultInjection),
              spawn(ctx, a.registryReplicator(), "registry-replicator", faultInjection),
              spawn(ctx, a.tokenReplicator(), "token-replicator", faultInjection),
              spawn(ctx, a.worker(), "worker", faultInjection),
              spawn(ctx, a.resultCache(), "result-cache", faultInjection)));
          return Behaviors.same();
        })
        .onMessage(InjectFault.class, inject -> {
          var names = new ArrayList<String>();
          if (faultInjection) {
            ctx.getChildren().forEach(child -> {
              names.add(child.path().name());
              child.unsafeUpcast().tell(Fault.INSTANCE);
            });
            log.warn("Fault injected into {}", names);
          } else {
            log.warn("Fault injection refused: hpcfaas.testing.fault-injection is off");
          }
          inject.replyTo().tell(List.copyOf(names));
          return Behaviors.same();
        })
        .build());
  }

  private static <T> ActorRef<T> spawn(ActorContext<Command> ctx, Behavior<T> behavior, String name,
      boolean faultInjection) {
    var restarting = SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2).withLoggingEnabled(true);
    return ctx.spawn(Behaviors.supervise(faultInjection ? throwingOnFault(behavior) : behavior).onFailure(restarting),
        name);
  }

  /** The behavior, made to throw when it receives {@link Fault}. */
  private static <T> Behavior<T> throwingOnFault(Behavior<T> behavior) {
    Behavior<Object> intercepted = Behaviors.intercept(() -> new BehaviorInterceptor<Object, T>(Object.class) {
      @Override
      @SuppressWarnings("unchecked")
      public Behavior<T> aroundReceive(TypedActorContext<Object> ctx, Object message, ReceiveTarget<T> target) {
        if (message == Fault.INSTANCE) {
          throw new IllegalStateException("fault injected for a test (hpcfaas.testing.fault-injection = on)");
        }
        return target.apply(ctx, (T) message);
      }
    }, behavior);
    return intercepted.narrow();
  }
}
