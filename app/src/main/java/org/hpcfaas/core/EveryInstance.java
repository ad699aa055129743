package org.hpcfaas.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Asks every instance of a service, on every node this one included, and collects the answers that came in time. */
public final class EveryInstance {
  private EveryInstance() {}

  public static <M, R> CompletionStage<List<R>> ask(ActorSystem<?> system, ServiceKey<M> service,
      Function<ActorRef<R>, M> message, Duration timeout) {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(service, replyTo), timeout, system.scheduler())
        .thenCompose(listing -> {
          var asks = listing.getServiceInstances(service).stream()
              .map(ref -> AskPattern.<M, R>ask(ref, message::apply, timeout, system.scheduler()).toCompletableFuture()
                  .handle((answer, error) -> error == null ? Optional.of(answer) : Optional.<R>empty()))
              .toList();
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApply(v -> asks.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
        });
  }
}
