package org.hpcfaas.api;

import java.util.List;
import java.util.Map;
import org.hpcfaas.core.InputDrain;
import org.hpcfaas.core.InvocationIds;
import org.hpcfaas.core.GuestParameters;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.auth.Right;
import org.hpcfaas.registry.RegistryReplication;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.gateway.Invoker;
import org.hpcfaas.registry.DeployRejected;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Limits;
import org.hpcfaas.gateway.TenantQuotas;
import org.hpcfaas.core.GuestSetup;
import org.hpcfaas.registry.Volumes;

/**
 * {@code functions} under {@code /v1} or {@code /v1/namespaces/{ns}}: deploy, describe, list and delete
 * functions, and invoke them (bulk or streamed).
 */
public final class FunctionRoutes extends AllDirectives {
  private final FunctionRegistry registry;
  private final RegistryReplication deployments;
  private final Invoker invoker;
  private final JsonResponses responses;
  private final Materializer materializer;
  private final long maxInputBytes;
  private final long streamThreshold;
  private final long bodyTimeoutMs;
  private final TenantQuotas quotas;
  private final Volumes volumes;

  public FunctionRoutes(TenantQuotas quotas, FunctionRegistry registry, RegistryReplication deployments, Invoker invoker,
      JsonResponses responses, Materializer materializer,
      long maxInputBytes, long streamThreshold, long bodyTimeoutMs, Volumes volumes) {
    this.quotas = quotas;
    this.volumes = volumes;
    this.registry = registry;
    this.deployments = deployments;
    this.invoker = invoker;
    this.responses = responses;
    this.materializer = materializer;
    this.maxInputBytes = maxInputBytes;
    this.streamThreshold = streamThreshold;
    this.bodyTimeoutMs = bodyTimeoutMs;
  }

  public Route route(String namespace, Principal principal) {
    return pathPrefix("functions", () -> concat(
        pathEnd(() -> get(() -> complete(principal.sees(namespace)
            ? responses.json(200, registry.list().stream().filter(f -> Access.inNamespace(f, namespace)).toList())
            : responses.problem(Problem.of(ProblemType.NOT_FOUND, "no namespace " + namespace))))),
        pathPrefix(PathMatchers.segment(), simpleName -> {
          var name = Access.qualify(namespace, simpleName);
          return concat(
              pathEnd(() -> concat(
                  put(() -> allowed(principal, Right.DEPLOY, namespace, name, () -> deploy(name, principal))),
                  get(() -> allowed(principal, null, namespace, name, () -> complete(describe(name)))),
                  delete(() -> allowed(principal, Right.DEPLOY, namespace, name, () -> completeWithFuture(remove(name)))))),
              path("invoke", () -> post(() -> allowed(principal, Right.INVOKE, namespace, name,
                  () -> invoke(name, principal)))));
        })));
  }

  private Route allowed(Principal principal, Right right, String namespace, String name, Supplier<Route> inner) {
    return Access.deny(principal, right, namespace, name, responses).<Route>map(this::complete).orElseGet(inner);
  }

  private HttpResponse describe(String name) {
    return registry.get(name)
        .map(spec -> responses.json(200, spec))
        .orElseGet(() -> notFound(name));
  }

  private CompletionStage<HttpResponse> remove(String name) {
    return deployments.delete(name)
        .thenApply(deleted -> deleted ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT) : notFound(name))
        .exceptionally(e -> failure(e, () -> null));
  }

  private Route deploy(String name, Principal principal) {
    return parameterMap(params -> extractUri(uri -> {
      Limits limits;
      GuestSetup guest;
      try {
        limits = registry.checkRequest(name, intParam(params, "memoryMb"), longParam(params, "timeoutMs"),
            intParam(params, "concurrency"));
        guest = guestSetup(name, uri);
      } catch (DeployRejected e) {
        return complete(responses.problem(Problems.ofFailure(e)));
      } catch (NumberFormatException e) {
        return complete(responses.problem(Problem.of(ProblemType.INVALID_LIMITS, e.getMessage())));
      } catch (IllegalArgumentException e) {
        return complete(responses.problem(Problem.of(ProblemType.INVALID_REQUEST, e.getMessage())));
      }
      boolean existed = registry.get(name).isPresent();
      long maxModule = registry.settings().maxModuleBytes();
      boolean idempotent = "true".equals(params.get("idempotent"));
      boolean cached = "true".equals(params.get("cache"));
      return extractRequestEntity(entity -> {
        // The tenant's module quota and the node's memory budget are checked before a byte is read.
        long length = entity.getContentLengthOption().orElse(-1L);
        long quota = principal.maxModuleBytes();
        long room = quota > 0 ? quota - registry.bytesOwnedBy(principal.tenant(), name) : Long.MAX_VALUE;
        if (length > maxModule) {
          return complete(responses.problem(moduleTooLarge(maxModule)));
        }
        if (length > room || room <= 0) {
          return complete(responses.problem(quotaExceeded(principal, quota)));
        }
        long limit = Math.min(maxModule, room);
        TenantQuotas.Admission admission;
        try {
          admission = quotas.reserve(length >= 0 ? length : limit);
        } catch (TenantQuotas.BudgetExhausted e) {
          return complete(responses.problem(Problems.ofFailure(e)));
        }
        return readBody(entity, limit, admission,
            body -> deployments.deploy(name, body, limits, idempotent, cached, principal.tenant(), guest)
                .whenComplete((spec, e) -> admission.release())
                .thenApply(spec -> responses.json(existed ? 200 : 201, spec)),
            () -> limit < maxModule ? quotaExceeded(principal, quota) : moduleTooLarge(maxModule));
      });
    }));
  }

  /** {@code ?defaultArg=} (repeatable), {@code ?runtimeEnv=true|false} and {@code ?mount=} (repeatable) of a deploy. */
  private GuestSetup guestSetup(String name, org.apache.pekko.http.javadsl.model.Uri uri) throws DeployRejected {
    var defaultArgs = new java.util.ArrayList<String>();
    var mounts = new java.util.ArrayList<String>();
    boolean runtimeEnv = true;
    for (var p : GuestQuery.parameters(uri.rawQueryString().orElse(""))) {
      switch (p.getKey()) {
        case "defaultArg" -> {
          if (p.getValue().indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a defaultArg cannot hold a NUL byte");
          }
          defaultArgs.add(p.getValue());
        }
        case "mount" -> mounts.add(p.getValue());
        case "runtimeEnv" -> runtimeEnv = switch (p.getValue()) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new IllegalArgumentException("runtimeEnv must be true or false, got '" + p.getValue() + "'");
        };
        default -> { }
      }
    }
    return new GuestSetup(defaultArgs, runtimeEnv, volumes.mounts(mounts, Access.namespaceOf(name)));
  }

  private static Problem moduleTooLarge(long maxModule) {
    return Problem.of(ProblemType.MODULE_TOO_LARGE, "modules may be at most " + maxModule + " bytes")
        .with("limitBytes", maxModule);
  }

  private static Problem quotaExceeded(Principal principal, long quota) {
    return Problem.of(ProblemType.QUOTA_EXCEEDED, "tenant " + principal.tenant() + " may deploy at most " + quota
        + " bytes of modules");
  }

  private Route invoke(String name, Principal principal) {
    var found = registry.get(name);
    if (found.isEmpty()) {
      return complete(notFound(name));
    }
    var spec = found.get();
    return parameterMap(params -> extractUri(uri -> extractRequestEntity(entity -> {
      var transfer = params.getOrDefault("transfer", "auto");
      if (!transfer.equals("auto") && !transfer.equals("bulk") && !transfer.equals("stream")) {
        return complete(responses.problem(Problem.of(ProblemType.INVALID_REQUEST,
            "transfer must be bulk, stream or auto, got '" + transfer + "'")));
      }
      GuestParameters guest;
      try {
        guest = GuestQuery.of(uri, spec);
      } catch (GuestQuery.Refused r) {
        return complete(responses.problem(r.problem()));
      }
      var id = InvocationIds.next();
      long length = entity.getContentLengthOption().orElse(-1L);
      boolean streamIn = transfer.equals("stream") || (transfer.equals("auto") && (length < 0 || length > streamThreshold));
      boolean streamOut = transfer.equals("stream") || (transfer.equals("auto") && streamIn);
      if (streamIn) {
        var drain = new InputDrain(entity.getDataBytes(), java.time.Duration.ofMillis(bodyTimeoutMs));
        var call = new Call(id, null, drain.input(), guest, streamOut);
        return completeWithFuture(quotas.invoke(principal, invoker, spec, call)
            .thenCompose(r -> afterInput(r, drain))
            .thenApply(r -> result(spec, id, r))
            .exceptionallyCompose(e -> drain.ended(materializer).thenApply(d -> failure(e, () -> null))));
      }
      // The tenant's quota and the node's memory budget admit the call before its body is read.
      java.util.function.Supplier<Problem> tooLarge = () -> Problem.of(ProblemType.INPUT_TOO_LARGE, "bulk input may be at most "
          + maxInputBytes + " bytes; stream larger inputs (?transfer=stream or a chunked upload)")
          .with("limitBytes", maxInputBytes);
      if (length > maxInputBytes) {
        return complete(responses.problem(tooLarge.get()));
      }
      TenantQuotas.Admission admission;
      try {
        admission = quotas.admit(principal, length >= 0 ? length : maxInputBytes);
      } catch (TenantQuotas.QuotaExceeded | TenantQuotas.BudgetExhausted e) {
        return complete(responses.problem(Problems.ofFailure(e)));
      }
      return readBody(entity, maxInputBytes, admission,
          body -> quotas.invoke(admission, invoker, spec, new Call(id, body, null, guest, streamOut))
              .thenApply(r -> result(spec, id, r)),
          tooLarge);
    })));
  }

  /** A whole answer once the input has ended; a streamed one at once, its end held until the input has ended. */
  private CompletionStage<InvocationResult> afterInput(InvocationResult result, InputDrain drain) {
    return result instanceof InvocationResult.Streaming st
        ? java.util.concurrent.CompletableFuture.completedFuture(
            new InvocationResult.Streaming(st.node(), drain.endingAfterInput(st.output(), materializer)))
        : drain.ended(materializer).thenApply(d -> result);
  }

  private HttpResponse result(FunctionSpec spec, String id, InvocationResult result) {
    var headers = new java.util.ArrayList<HttpHeader>(List.of(
        RawHeader.create("Hpcfaas-Invocation-Id", id),
        RawHeader.create("Hpcfaas-Node", result.node())));
    return switch (result) {
      case InvocationResult.Completed c when c.outcome().succeeded() -> {
        headers.add(RawHeader.create("Hpcfaas-Duration-Ms", Long.toString(c.durationMs())));
        if (spec.cached()) {
          headers.add(RawHeader.create("Hpcfaas-Cache", c.cached() ? "hit" : "miss"));
        }
        yield HttpResponse.create().withEntity(Entities.octets(c.outputSize(), c.output())).addHeaders(headers);
      }
      case InvocationResult.Completed c -> {
        headers.add(RawHeader.create("Hpcfaas-Duration-Ms", Long.toString(c.durationMs())));
        yield responses.problem(OutcomeProblems.of(spec.name(), c.outcome()).with("invocationId", id).with("node", c.node()))
            .addHeaders(headers);
      }
      case InvocationResult.Streaming st -> HttpResponse.create()
          .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_OCTET_STREAM, st.output()))
          .addHeaders(headers);
    };
  }

  /**
   * Reads the whole body up to {@code limit} bytes (room for which {@code admission} holds), then completes
   * with what {@code handler} answers; the admission is released here if that fails, else by the handler.
   */
  private Route readBody(org.apache.pekko.http.javadsl.model.RequestEntity entity, long limit,
      TenantQuotas.Admission admission, java.util.function.Function<byte[], CompletionStage<HttpResponse>> handler,
      java.util.function.Supplier<Problem> tooLarge) {
    var answer = entity.withSizeLimit(limit)
        .toStrict(bodyTimeoutMs, materializer)
        .thenCompose(strict -> handler.apply(strict.getData().toArray()))
        .whenComplete((r, e) -> {
          if (e != null) {
            admission.release();
          }
        })
        .exceptionally(e -> failure(e, tooLarge));
    return completeWithFuture(answer);
  }

  private HttpResponse failure(Throwable e, java.util.function.Supplier<Problem> tooLarge) {
    if (Problems.cause(e) instanceof EntityStreamSizeException && tooLarge.get() != null) {
      return responses.problem(tooLarge.get());
    }
    return responses.problem(Problems.ofFailure(e));
  }

  private HttpResponse notFound(String name) {
    return responses.problem(Access.notFound(name));
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
