package org.hpcfaas.api;

import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.async.AsyncInvocations;
import org.hpcfaas.async.AsyncRecord;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.auth.Right;
import org.hpcfaas.observe.InvocationLog;
import org.hpcfaas.gateway.Invoker;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.gateway.TenantQuotas;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.FunctionSpec;

/**
 * Invocations as records. Asynchronous ones: {@code POST /v1/functions/{name}/invocations} answers 202
 * with the id at once (input is read whole, bulk limits apply), {@code GET /v1/invocations/{id}/output}
 * gives the raw output once it succeeded. {@code GET /v1/invocations/{id}} tells how any invocation went
 * (async ones by their gateway, recent synchronous ones by the worker that ran them, with their stderr);
 * {@code GET /v1/functions/{name}/logs} lists a function's recent invocations on every worker.
 */
public final class InvocationRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final InvocationLog invocationLog;
  private final TenantQuotas quotas;
  private final Invoker invoker;
  private final FunctionRegistry registry;
  private final AsyncInvocations invocations;
  private final JsonResponses responses;
  private final Materializer materializer;
  private final long maxInputBytes;
  private final long bodyTimeoutMs;
  private final String node;

  public InvocationRoutes(ActorSystem<?> system, InvocationLog invocationLog, TenantQuotas quotas, Invoker invoker,
      FunctionRegistry registry, AsyncInvocations invocations, JsonResponses responses,
      Materializer materializer, long maxInputBytes, long bodyTimeoutMs, String node) {
    this.system = system;
    this.invocationLog = invocationLog;
    this.quotas = quotas;
    this.invoker = invoker;
    this.registry = registry;
    this.invocations = invocations;
    this.responses = responses;
    this.materializer = materializer;
    this.maxInputBytes = maxInputBytes;
    this.bodyTimeoutMs = bodyTimeoutMs;
    this.node = node;
  }

  /** {@code functions/{name}/invocations} and {@code functions/{name}/logs} in a namespace. */
  public Route route(String namespace, Principal principal) {
    return concat(
        path(PathMatchers.segment("functions").slash(PathMatchers.segment()).slash("invocations"),
            simpleName -> post(() -> {
              var name = Access.qualify(namespace, simpleName);
              return Access.deny(principal, Right.INVOKE, namespace, name, responses).<Route>map(this::complete)
                  .orElseGet(() -> submit(name, principal));
            })),
        path(PathMatchers.segment("functions").slash(PathMatchers.segment()).slash("logs"), simpleName -> get(() -> {
          var name = Access.qualify(namespace, simpleName);
          return Access.deny(principal, null, namespace, name, responses).<Route>map(this::complete)
              .orElseGet(() -> parameterOptional("format", format -> completeWithFuture(
                  InvocationLog.recentAnywhere(system, name).thenApply(entries -> format.filter("text"::equals).isPresent()
                      ? HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, text(entries))
                      : responses.json(200, entries.stream().map(this::view).toList())))));
        })));
  }

  /** {@code invocations/{id}[/output]}: found for callers who see the function's namespace. */
  public Route byId(Principal principal) {
    return pathPrefix("invocations", () -> pathPrefix(PathMatchers.segment(), id -> concat(
        pathEnd(() -> get(() -> completeWithFuture(invocations.find(id).thenCompose(r -> r.isPresent()
            ? CompletableFuture.completedFuture(visible(principal, r.get().function()) ? status(r.get()) : notFound(id))
            : invocationLog.findAnywhere(system, id).thenApply(e -> e
                .filter(entry -> visible(principal, entry.function()))
                .map(entry -> responses.json(200, view(entry)))
                .orElseGet(() -> notFound(id))))))),
        path("output", () -> get(() -> completeWithFuture(output(id, principal)))))));
  }

  private static boolean visible(Principal principal, String function) {
    return principal.sees(Access.namespaceOf(function));
  }

  private Route submit(String name, Principal principal) {
    var spec = registry.get(name);
    if (spec.isEmpty()) {
      return complete(responses.problem(Problem.of(ProblemType.FUNCTION_NOT_FOUND, "no function named '" + name
          + "' is deployed")));
    }
    return extractUri(uri -> {
      GuestParameters guest;
      try {
        guest = GuestQuery.of(uri, spec.get());
      } catch (GuestQuery.Refused r) {
        return complete(responses.problem(r.problem()));
      }
      return submit(spec.get(), guest, principal);
    });
  }

  private Route submit(FunctionSpec spec, GuestParameters guest, Principal principal) {
    java.util.function.Supplier<HttpResponse> tooLarge = () -> responses.problem(Problem.of(ProblemType.INPUT_TOO_LARGE,
        "input may be at most " + maxInputBytes + " bytes").with("limitBytes", maxInputBytes));
    return extractRequestEntity(entity -> {
      // The tenant's quota and the node's memory budget admit the call before its body is read; the
      // admission lasts until the invocation is over.
      long length = entity.getContentLengthOption().orElse(-1L);
      if (length > maxInputBytes) {
        return complete(tooLarge.get());
      }
      TenantQuotas.Admission admission;
      try {
        admission = quotas.admit(principal, length >= 0 ? length : maxInputBytes);
      } catch (TenantQuotas.QuotaExceeded | TenantQuotas.BudgetExhausted e) {
        return complete(responses.problem(Problems.ofFailure(e)));
      }
      return completeWithFuture(entity.withSizeLimit(maxInputBytes).toStrict(bodyTimeoutMs, materializer)
          .thenApply(strict -> {
            var record = invocations.submit(spec, strict.getData().toArray(), guest, node,
                call -> quotas.invoke(admission, invoker, spec, call));
            var location = "/v1/invocations/" + record.id();
            var body = new LinkedHashMap<String, Object>();
            body.put("id", record.id());
            body.put("status", record.status());
            body.put("location", location);
            return responses.json(202, body).addHeader(Location.create(location));
          })
          .exceptionally(e -> {
            admission.release();
            return Problems.cause(e) instanceof EntityStreamSizeException ? tooLarge.get()
                : responses.problem(Problems.ofFailure(e));
          }));
    });
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
      if (record.outcome() instanceof Outcome.Exited x) {
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

  /** One line per invocation, its stderr indented below it: what {@code ./hpcfaas logs} prints. */
  private static String text(java.util.List<InvocationLog.Entry> entries) {
    var out = new StringBuilder();
    for (var e : entries) {
      out.append(e.started()).append(' ').append(e.id()).append(" v").append(e.version()).append(' ')
          .append(e.outcome().getClass().getSimpleName()).append(' ').append(e.durationMs()).append(" ms on ")
          .append(e.node()).append('\n');
      e.outcome().stderr().lines().forEach(line -> out.append("  | ").append(line).append('\n'));
    }
    return out.toString();
  }

  /** A synchronous invocation's record as the worker kept it (its output is not kept). */
  private java.util.Map<String, Object> view(InvocationLog.Entry e) {
    var body = new LinkedHashMap<String, Object>();
    body.put("id", e.id());
    body.put("function", e.function());
    body.put("version", e.version());
    body.put("status", e.outcome().succeeded() ? AsyncRecord.SUCCEEDED : AsyncRecord.FAILED);
    body.put("node", e.node());
    body.put("started", e.started());
    body.put("durationMs", e.durationMs());
    body.put("queuedMs", e.queuedMs());
    body.put("bytesIn", e.bytesIn());
    body.put("bytesOut", e.bytesOut());
    body.put("exitCode", e.outcome() instanceof Outcome.Exited x ? x.exitCode() : e.outcome().succeeded() ? 0 : null);
    body.put("stderr", e.outcome().stderr());
    if (!e.outcome().succeeded()) {
      body.put("problem", OutcomeProblems.of(e.function(), e.outcome()).with("invocationId", e.id()));
    }
    return body;
  }

  private java.util.concurrent.CompletionStage<HttpResponse> output(String id, Principal principal) {
    return invocations.find(id).thenCompose(found -> {
      if (found.isEmpty() || !visible(principal, found.get().function())) {
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
              .withEntity(Entities.octets(record.outputSize(), source)))
          .orElseGet(() -> notFound(id)));
    });
  }

  private HttpResponse notFound(String id) {
    return responses.problem(Problem.of(ProblemType.INVOCATION_NOT_FOUND,
        "no invocation " + id + " is known (records are kept for a limited time)"));
  }
}
