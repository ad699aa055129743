package org.hpcfaas.api;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.cluster.InvocationRequest;
import org.hpcfaas.cluster.InvocationResult;
import org.hpcfaas.cluster.Invoker;
import org.hpcfaas.registry.DeployRejected;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.registry.FunctionSpec;
import org.hpcfaas.registry.Limits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /v1/functions}: deploy, describe, list and delete functions, and invoke them (bulk). */
public final class FunctionRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(FunctionRoutes.class);

  /** Query parameters the runtime itself reads; all others become the guest's environment. */
  private static final java.util.Set<String> RESERVED_PARAMS = java.util.Set.of("transfer");

  private final FunctionRegistry registry;
  private final Invoker invoker;
  private final JsonResponses responses;
  private final Materializer materializer;
  private final long maxInputBytes;
  private final long bodyTimeoutMs;

  public FunctionRoutes(FunctionRegistry registry, Invoker invoker, JsonResponses responses, Materializer materializer,
      long maxInputBytes, long bodyTimeoutMs) {
    this.registry = registry;
    this.invoker = invoker;
    this.responses = responses;
    this.materializer = materializer;
    this.maxInputBytes = maxInputBytes;
    this.bodyTimeoutMs = bodyTimeoutMs;
  }

  public Route route() {
    return pathPrefix("v1", () -> pathPrefix("functions", () -> concat(
        pathEnd(() -> get(() -> complete(responses.json(200, registry.list())))),
        pathPrefix(PathMatchers.segment(), name -> concat(
            pathEnd(() -> concat(
                put(() -> deploy(name)),
                get(() -> complete(describe(name))),
                delete(() -> complete(remove(name))))),
            path("invoke", () -> post(() -> invoke(name))))))));
  }

  private HttpResponse describe(String name) {
    return registry.get(name)
        .map(spec -> responses.json(200, spec))
        .orElseGet(() -> notFound(name));
  }

  private HttpResponse remove(String name) {
    try {
      return registry.delete(name) ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT) : notFound(name);
    } catch (IOException e) {
      log.error("Deleting {} failed", name, e);
      return responses.problem(Problem.of(ProblemType.RUNTIME_ERROR, "could not delete " + name + ": " + e.getMessage()));
    }
  }

  private Route deploy(String name) {
    return parameterMap(params -> {
      Limits limits;
      try {
        limits = registry.checkRequest(name, intParam(params, "memoryMb"), longParam(params, "timeoutMs"),
            intParam(params, "concurrency"));
      } catch (DeployRejected e) {
        return complete(responses.problem(rejected(e)));
      } catch (NumberFormatException e) {
        return complete(responses.problem(Problem.of(ProblemType.INVALID_LIMITS, e.getMessage())));
      }
      boolean existed = registry.get(name).isPresent();
      long maxModule = registry.settings().maxModuleBytes();
      return readBody(maxModule, body -> registry.deploy(name, body, limits)
              .thenApply(spec -> responses.json(existed ? 200 : 201, spec)),
          () -> Problem.of(ProblemType.MODULE_TOO_LARGE, "modules may be at most " + maxModule + " bytes"));
    });
  }

  private Route invoke(String name) {
    var spec = registry.get(name);
    if (spec.isEmpty()) {
      return complete(notFound(name));
    }
    return parameterMap(params -> {
      var id = UUID.randomUUID().toString();
      var env = new HashMap<String, String>();
      params.forEach((k, v) -> {
        if (!RESERVED_PARAMS.contains(k) && !k.startsWith("HPCFAAS_") && !k.isEmpty() && k.indexOf('=') < 0) {
          env.put(k, v);
        }
      });
      return readBody(maxInputBytes,
          body -> invoker.invoke(spec.get(), new InvocationRequest(id, body, env)).thenApply(r -> result(spec.get(), id, r)),
          () -> Problem.of(ProblemType.INPUT_TOO_LARGE, "bulk input may be at most " + maxInputBytes + " bytes")
              .with("limitBytes", maxInputBytes));
    });
  }

  private HttpResponse result(FunctionSpec spec, String id, InvocationResult r) {
    var response = r.outcome().succeeded()
        ? HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, r.output()))
        : responses.problem(OutcomeProblems.of(spec.name(), r.outcome()).with("invocationId", id).with("node", r.node()));
    return response.addHeaders(java.util.List.of(
        RawHeader.create("Hpcfaas-Invocation-Id", id),
        RawHeader.create("Hpcfaas-Node", r.node()),
        RawHeader.create("Hpcfaas-Duration-Ms", Long.toString(r.durationMs()))));
  }

  /** Reads the whole body up to {@code limit} bytes, then completes with what {@code handler} answers. */
  private Route readBody(long limit, java.util.function.Function<byte[], CompletionStage<HttpResponse>> handler,
      java.util.function.Supplier<Problem> tooLarge) {
    return extractRequestEntity(entity -> {
      var answer = entity.withSizeLimit(limit)
          .toStrict(bodyTimeoutMs, materializer)
          .thenCompose(strict -> handler.apply(strict.getData().toArray()))
          .exceptionally(e -> failure(e, tooLarge));
      return completeWithFuture(answer);
    });
  }

  private HttpResponse failure(Throwable e, java.util.function.Supplier<Problem> tooLarge) {
    var cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof EntityStreamSizeException) {
      return responses.problem(tooLarge.get());
    }
    if (cause instanceof DeployRejected d) {
      return responses.problem(rejected(d));
    }
    if (cause instanceof TimeoutException) {
      return responses.problem(Problem.of(ProblemType.WORKER_TIMEOUT, "no worker answered in time: " + cause.getMessage())
          .with("retriable", true));
    }
    log.error("Request failed", cause);
    return responses.problem(Problem.of(ProblemType.RUNTIME_ERROR, cause.getClass().getSimpleName() + ": " + cause.getMessage()));
  }

  private HttpResponse notFound(String name) {
    return responses.problem(Problem.of(ProblemType.FUNCTION_NOT_FOUND, "no function named '" + name + "' is deployed"));
  }

  private static Problem rejected(DeployRejected e) {
    var type = switch (e.reason()) {
      case NAME -> ProblemType.INVALID_NAME;
      case LIMITS -> ProblemType.INVALID_LIMITS;
      case MODULE -> ProblemType.INVALID_MODULE;
    };
    return Problem.of(type, e.getMessage());
  }

  private static Integer intParam(Map<String, String> params, String key) {
    var v = params.get(key);
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v);
    } catch (NumberFormatException e) {
      throw new NumberFormatException(key + " must be an integer, got '" + v + "'");
    }
  }

  private static Long longParam(Map<String, String> params, String key) {
    var v = params.get(key);
    if (v == null) {
      return null;
    }
    try {
      return Long.valueOf(v);
    } catch (NumberFormatException e) {
      throw new NumberFormatException(key + " must be an integer, got '" + v + "'");
    }
  }
}
