package org.hpcfaas.transport;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Worker;
import org.hpcfaas.transport.artery.ArteryTransport;
import org.hpcfaas.transport.http.HttpTransport;
import org.hpcfaas.worker.FunctionActor;
import org.hpcfaas.worker.WorkerService;

/**
 * Both halves of one mode: how a gateway sends a call to a worker on another node, and how that worker
 * takes it (and hands it to its {@link WorkerService}). Nothing else differs between the modes.
 */
public interface Transport {
  /** Sends one call to {@code worker}, another node; completes with its answer. */
  CompletionStage<InvocationResult> send(Worker worker, FunctionSpec spec, Call call);

  /** Routes this node serves other nodes on its HTTP port (http mode: the internal worker endpoint), once started. */
  Optional<Route> workerRoutes();

  /** This transport's long-lived actors, by name, for the Guardian to create and supervise. */
  Map<String, Behavior<?>> actors();

  /**
   * Starts both halves once the Guardian has started the actors: calls from other nodes go to {@code worker};
   * completes once gateways of other nodes can reach it (at once when this node runs no functions).
   */
  CompletionStage<Done> start(WorkerService worker, boolean runsFunctions);

  /**
   * What a transport is made of; {@code node} is this node's cluster address, {@code internalKey} the key
   * derived from the cluster secret that guards the http mode's worker endpoint.
   */
  record Parts(ActorSystem<?> system, Materializer materializer, ObjectMapper json, FunctionActor.QueueSettings queue,
      Duration bodyTimeout, String node, String internalKey) {}

  /** The transport of {@code mode}: the one place where the mode decides anything. */
  static Transport of(Mode mode, Parts parts) {
    return switch (mode) {
      case CLUSTER -> new ArteryTransport(parts);
      case HTTP -> new HttpTransport(parts);
    };
  }
}
