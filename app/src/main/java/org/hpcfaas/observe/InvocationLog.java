package org.hpcfaas.observe;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.hpcfaas.core.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.EveryInstance;

/**
 * The invocations this worker ran: one structured line each in the node log (logger
 * {@code hpcfaas.invocations}), and the most recent ones per function kept with their stderr tail, for
 * {@code GET /v1/invocations/{id}}, {@code GET /v1/functions/{name}/logs} and {@code ./hpcfaas logs}.
 */
public final class InvocationLog {
  private static final Logger log = LoggerFactory.getLogger("hpcfaas.invocations");

  /** One finished invocation as the worker saw it. */
  public record Entry(String id, String function, long version, String node, Instant started, long durationMs,
      long queuedMs, long bytesIn, long bytesOut, Outcome outcome) implements CborSerializable {}

  private final int perFunction;
  private final Map<String, ArrayDeque<Entry>> recent = new ConcurrentHashMap<>();

  public InvocationLog(int perFunction) {
    this.perFunction = perFunction;
  }

  public void record(Entry entry) {
    log.info("invocation id={} function={} version={} node={} outcome={} durationMs={} queuedMs={} bytesIn={} bytesOut={}",
        entry.id(), entry.function(), entry.version(), entry.node(), entry.outcome().getClass().getSimpleName(),
        entry.durationMs(), entry.queuedMs(), entry.bytesIn(), entry.bytesOut());
    if (perFunction <= 0) {
      return;
    }
    var ring = recent.computeIfAbsent(entry.function(), f -> new ArrayDeque<>());
    synchronized (ring) {
      if (ring.size() == perFunction) {
        ring.pollFirst();
      }
      ring.addLast(entry);
    }
  }

  /** Drops the records of a deleted function. */
  public void forget(String function) {
    recent.remove(function);
  }

  /** The most recent invocations of a function on this worker, oldest first. */
  public List<Entry> recent(String function) {
    var ring = recent.get(function);
    if (ring == null) {
      return List.of();
    }
    synchronized (ring) {
      return new ArrayList<>(ring);
    }
  }

  public Optional<Entry> find(String id) {
    for (var ring : recent.values()) {
      synchronized (ring) {
        for (var e : ring) {
          if (e.id().equals(id)) {
            return Optional.of(e);
          }
        }
      }
    }
    return Optional.empty();
  }

  // --- asked by any gateway: these records live on the worker that ran the call ---

  static final ServiceKey<Command> SERVICE = ServiceKey.create(Command.class, "hpcfaas-invocation-log");
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  sealed interface Command extends CborSerializable {}

  record Find(String id, ActorRef<Entries> replyTo) implements Command {}

  record Recent(String function, ActorRef<Entries> replyTo) implements Command {}

  record Entries(List<Entry> entries) implements CborSerializable {}

  public Behavior<Command> service() {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE, ctx.getSelf()));
      return Behaviors.receive(Command.class)
          .onMessage(Find.class, f -> {
            f.replyTo().tell(new Entries(find(f.id()).map(List::of).orElse(List.of())));
            return Behaviors.same();
          })
          .onMessage(Recent.class, r -> {
            r.replyTo().tell(new Entries(recent(r.function())));
            return Behaviors.same();
          })
          .build();
    });
  }

  /** A sync invocation's record: from this worker if it ran it, else from whichever worker did. */
  public CompletionStage<Optional<Entry>> findAnywhere(ActorSystem<?> system, String id) {
    var here = find(id);
    if (here.isPresent()) {
      return CompletableFuture.completedFuture(here);
    }
    return askAll(system, replyTo -> new Find(id, replyTo))
        .thenApply(all -> all.stream().findFirst());
  }

  /** A function's recent invocations on every worker, oldest first. */
  public static CompletionStage<List<Entry>> recentAnywhere(ActorSystem<?> system, String function) {
    return askAll(system, replyTo -> new Recent(function, replyTo))
        .thenApply(all -> all.stream().sorted(Comparator.comparing(Entry::started)).toList());
  }

  private static CompletionStage<List<Entry>> askAll(ActorSystem<?> system,
      Function<ActorRef<Entries>, Command> ask) {
    return EveryInstance.ask(system, SERVICE, ask, ASK_TIMEOUT)
        .thenApply(all -> all.stream().flatMap(e -> e.entries().stream()).toList());
  }
}
