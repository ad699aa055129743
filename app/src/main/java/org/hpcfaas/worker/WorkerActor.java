package org.hpcfaas.worker;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * This node's worker: hands each call to its function's {@link FunctionActor}, made at the function's
 * first call here and stopped after {@code idleTimeout} without one (scale to zero).
 */
public final class WorkerActor {
  public sealed interface Command {}

  record Run(FunctionActor.Invoke invoke) implements Command {}

  /** A function's actor had no call for its idle timeout. */
  record Idle(String function, ActorRef<FunctionActor.Command> actor) implements Command {}

  private record Stopped(String function, ActorRef<FunctionActor.Command> actor) implements Command {}

  private WorkerActor() {}

  public static Behavior<Command> create(FunctionRunner runner, FunctionActor.QueueSettings queue, Duration idleTimeout) {
    return Behaviors.setup(ctx -> {
      Map<String, ActorRef<FunctionActor.Command>> functions = new HashMap<>();
      long[] spawned = {0};
      return Behaviors.receive(Command.class)
          .onMessage(Run.class, run -> {
            var name = run.invoke().spec().name();
            var actor = functions.get(name);
            if (actor == null) {
              // a stopping actor may still hold its name: every actor gets a fresh one
              actor = ctx.spawn(FunctionActor.create(runner, queue, idleTimeout, ctx.getSelf()),
                  URLEncoder.encode(name, StandardCharsets.UTF_8) + "-" + ++spawned[0]);
              ctx.watchWith(actor, new Stopped(name, actor));
              functions.put(name, actor);
            }
            actor.tell(run.invoke());
            return Behaviors.same();
          })
          .onMessage(Idle.class, idle -> {
            // calls sent before this removal still reach the actor, which serves them before it stops
            if (idle.actor().equals(functions.get(idle.function()))) {
              functions.remove(idle.function());
              idle.actor().tell(FunctionActor.Stop.INSTANCE);
            }
            return Behaviors.same();
          })
          .onMessage(Stopped.class, stopped -> {
            functions.remove(stopped.function(), stopped.actor());
            return Behaviors.same();
          })
          .build();
    });
  }
}
