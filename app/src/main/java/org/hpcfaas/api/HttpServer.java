package org.hpcfaas.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the API to its port, answers every rejection and error as problem+json (after the refused request's
 * body, see {@link RefusedBodies}), unbinds on shutdown.
 */
public final class HttpServer extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final JsonResponses responses;

  public HttpServer(JsonResponses responses) {
    this.responses = responses;
  }

  public CompletionStage<ServerBinding> start(ActorSystem<?> system, String host, int port, Route routes) {
    var sealed = handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> routes));
    var handler = RefusedBodies.drainedFirst(sealed.handler(system), Materializer.matFromSystem(system));
    return Http.get(system).newServerAt(host, port).bind(handler).thenApply(binding -> {
      log.info("HTTP API listening on http://{}:{}/", binding.localAddress().getHostString(), binding.localAddress().getPort());
      binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "log-unbind", () -> {
        log.info("HTTP API stops accepting connections");
        return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
      });
      return binding;
    });
  }

  private RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(this::asProblem);
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> {
          log.error("Unhandled error in a route", e);
          return complete(responses.problem(Problem.of(ProblemType.RUNTIME_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage())));
        })
        .build();
  }

  private HttpResponse asProblem(HttpResponse response) {
    if (response.entity().getContentType().equals(JsonResponses.PROBLEM_JSON)) {
      return response;
    }
    var detail = response.entity() instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : response.status().reason();
    var type = switch (response.status().intValue()) {
      case 404 -> ProblemType.NOT_FOUND;
      case 405 -> ProblemType.METHOD_NOT_ALLOWED;
      case 413 -> ProblemType.INPUT_TOO_LARGE;
      default -> ProblemType.INVALID_REQUEST;
    };
    var problem = new Problem(type.uri(), response.status().reason(), response.status().intValue(), detail, null,
        new java.util.LinkedHashMap<>());
    return responses.problem(problem).addHeaders(response.getHeaders());
  }
}
