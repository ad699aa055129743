package org.hpcfaas.api;

import java.util.LinkedHashMap;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.cluster.AsyncInvocations;
import org.hpcfaas.cluster.AsyncRecord;
import org.hpcfaas.registry.FunctionRegistry;

/**
 * Asynchronous invocations: {@code POST /v1/functions/{name}/invocations} answers 202 with the id at
 * once; {@code GET /v1/invocations/{id}} tells how it goes, {@code GET /v1/invocations/{id}/output} gives
 * the raw output once it succeeded. Input is read whole (bulk limits apply).
 */
public final class AsyncRoutes extends AllDirectives {
  private final FunctionRegistry registry;
  private final AsyncInvocations invocations;
  private final JsonResponses responses;
  private final Materializer materializer;
  private final long maxInputBytes;
  private final long bodyTimeoutMs;
  private final String node;

  public AsyncRoutes(FunctionRegistry registry, AsyncInvocations invocations, JsonResponses responses,
      Materializer materializer, long maxInputBytes, long bodyTimeoutMs, String node) {
    this.registry = registry;
    this.invocations = invocations;
    this.responses = responses;
    this.materializer = materializer;
    this.maxInputBytes = maxInputBytes;
    this.bodyTimeoutMs = bodyTimeoutMs;
    this.node = node;
  }

  public Route route() {
    return pathPrefix("v1", () -> concat(
        path(PathMatchers.segment("functions").slash(PathMatchers.segment()).slash("invocations"),
            name -> post(() -> submit(name))),
        pathPrefix("invocations", () -> pathPrefix(PathMatchers.segment(), id -> concat(
            pathEnd(() -> get(() -> completeWithFuture(invocations.find(id).thenApply(r -> r
                .map(this::status)
                .orElseGet(() -> notFound(id)))))),
            path("output", () -> get(() -> completeWithFuture(output(id)))))))));
  }

  private Route submit(String name) {
    var spec = registry.get(name);
    if (spec.isEmpty()) {
      return complete(responses.problem(Problem.of(ProblemType.FUNCTION_NOT_FOUND, "no function named '" + name
          + "' is deployed")));
    }
    return parameterMap(params -> extractRequestEntity(entity -> completeWithFuture(
        entity.withSizeLimit(maxInputBytes).toStrict(bodyTimeoutMs, materializer)
            .thenApply(strict -> {
              var record = invocations.submit(spec.get(), strict.getData().toArray(), GuestEnvironment.of(params), node);
              var location = "/v1/invocations/" + record.id();
              var body = new LinkedHashMap<String, Object>();
              body.put("id", record.id());
              body.put("status", record.status());
              body.put("location", location);
              return responses.json(202, body).addHeader(Location.create(location));
            })
            .exceptionally(e -> responses.problem(Problems.cause(e) instanceof EntityStreamSizeException
                ? Problem.of(ProblemType.INPUT_TOO_LARGE, "input may be at most " + maxInputBytes + " bytes")
                    .with("limitBytes", maxInputBytes)
                : Problems.ofFailure(e))))));
  }

  private HttpResponse status(AsyncRecord record) {
    var body = new LinkedHashMap<String, Object>();
    body.put("id", record.id());
    body.put("function", record.function());
    body.put("version", record.version());
    body.put("status", record.status());
    body.put("node", record.node());
    body.put("submitted", record.submitted());
    body.put("finished", record.finished());
    body.put("durationMs", record.durationMs());
    if (record.outcome() != null) {
      body.put("stderr", record.outcome().stderr());
      if (record.outcome() instanceof org.hpcfaas.wasm.Outcome.Exited x) {
        body.put("exitCode", x.exitCode());
      }
      if (!record.outcome().succeeded()) {
        body.put("problem", OutcomeProblems.of(record.function(), record.outcome()).with("invocationId", record.id()));
      } else {
        body.put("exitCode", 0);
      }
    }
    body.put("outputSize", record.outputSize());
    if (record.outputText() != null) {
      body.put("output", record.outputText());
    }
    body.put("outputUrl", "/v1/invocations/" + record.id() + "/output");
    return responses.json(200, body);
  }

  private java.util.concurrent.CompletionStage<HttpResponse> output(String id) {
    return invocations.find(id).thenCompose(found -> {
      if (found.isEmpty()) {
        return java.util.concurrent.CompletableFuture.completedFuture(notFound(id));
      }
      var record = found.get();
      if (!record.finishedRunning()) {
        return java.util.concurrent.CompletableFuture.completedFuture(responses.problem(Problem.of(
            ProblemType.INVOCATION_PENDING, "invocation " + id + " is still " + record.status()).with("retriable", true)));
      }
      if (record.outcome() != null && !record.outcome().succeeded()) {
        return java.util.concurrent.CompletableFuture.completedFuture(responses.problem(
            OutcomeProblems.of(record.function(), record.outcome()).with("invocationId", id)));
      }
      return invocations.output(id).thenApply(out -> out
          .map(source -> HttpResponse.create().withStatus(StatusCodes.OK)
              .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, record.outputSize(), source)))
          .orElseGet(() -> notFound(id)));
    });
  }

  private HttpResponse notFound(String id) {
    return responses.problem(Problem.of(ProblemType.INVOCATION_NOT_FOUND,
        "no invocation " + id + " is known (records are kept for a limited time)"));
  }
}
