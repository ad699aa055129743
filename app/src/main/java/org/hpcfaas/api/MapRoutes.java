package org.hpcfaas.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.auth.Right;
import org.hpcfaas.batch.MapJobs;
import org.hpcfaas.batch.MapRun;
import org.hpcfaas.batch.MapSettings;
import org.hpcfaas.batch.RecordFormat;
import org.hpcfaas.batch.RecordResult;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.gateway.Invoker;
import org.hpcfaas.gateway.TenantQuotas;
import org.hpcfaas.gateway.WorkerPlacement;
import org.hpcfaas.registry.FunctionRegistry;

/**
 * Maps: {@code POST /v1/functions/{name}/map} runs one invocation per record of the body and answers one
 * NDJSON line per record as it ends (or in input order); with {@code ?async=true} it answers 202 and the
 * map's id, and {@code GET /v1/maps/{id}} and {@code /v1/maps/{id}/results} tell its progress and results.
 */
public final class MapRoutes extends AllDirectives {
  static final ContentType NDJSON = MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8).toContentType();
  /** Parameters of a map that the runtime reads itself. */
  private static final Set<String> STEERING = Set.of("records", "ordered", "concurrency", "async", "output");

  private final FunctionRegistry registry;
  private final TenantQuotas quotas;
  private final Invoker invoker;
  private final WorkerPlacement placement;
  private final MapJobs jobs;
  private final MapSettings settings;
  private final JsonResponses responses;
  private final ObjectMapper json;
  private final Materializer materializer;
  private final int maxRecordBytes;
  private final long bodyTimeoutMs;

  public MapRoutes(FunctionRegistry registry, TenantQuotas quotas, Invoker invoker, WorkerPlacement placement,
      MapJobs jobs, MapSettings settings, JsonResponses responses, ObjectMapper json, Materializer materializer,
      long maxRecordBytes, long bodyTimeoutMs) {
    this.registry = registry;
    this.quotas = quotas;
    this.invoker = invoker;
    this.placement = placement;
    this.jobs = jobs;
    this.settings = settings;
    this.responses = responses;
    this.json = json;
    this.materializer = materializer;
    this.maxRecordBytes = (int) Math.min(Integer.MAX_VALUE - 8, maxRecordBytes);
    this.bodyTimeoutMs = bodyTimeoutMs;
  }

  /** {@code functions/{name}/map} in a namespace. */
  public Route route(String namespace, Principal principal) {
    return path(PathMatchers.segment("functions").slash(PathMatchers.segment()).slash("map"), simpleName -> post(() -> {
      var name = Access.qualify(namespace, simpleName);
      return Access.deny(principal, Right.INVOKE, namespace, name, responses).<Route>map(this::complete)
          .orElseGet(() -> map(name, principal));
    }));
  }

  /** {@code maps/{id}} and {@code maps/{id}/results}: found on the gateway that accepted the map. */
  public Route byId(Principal principal) {
    return pathPrefix("maps", () -> pathPrefix(PathMatchers.segment(), id -> concat(
        pathEnd(() -> get(() -> complete(jobs.find(id)
            .filter(p -> principal.sees(Access.namespaceOf(p.function())))
            .map(p -> responses.json(200, progress(p)))
            .orElseGet(() -> notFound(id))))),
        path("results", () -> get(() -> complete(jobs.find(id)
            .filter(p -> principal.sees(Access.namespaceOf(p.function())))
            .flatMap(p -> jobs.results(id).map(results -> HttpResponse.create().withEntity(HttpEntities.create(NDJSON,
                results.stream().map(r -> line(p.function(), r, false)).reduce(ByteString.emptyByteString(),
                    ByteString::concat).toArray()))))
            .orElseGet(() -> notFound(id))))))));
  }

  private Route map(String name, Principal principal) {
    var found = registry.get(name);
    if (found.isEmpty()) {
      return complete(responses.problem(Access.notFound(name)));
    }
    var spec = found.get();
    return parameterMap(params -> extractUri(uri -> extractRequestEntity(entity -> {
      RecordFormat format;
      int concurrency;
      boolean ordered;
      boolean async;
      boolean base64;
      GuestParameters guest;
      try {
        format = RecordFormat.of(params.getOrDefault("records", "lines"));
        ordered = flag(params, "ordered");
        async = flag(params, "async");
        base64 = switch (params.getOrDefault("output", "auto")) {
          case "auto" -> false;
          case "base64" -> true;
          default -> throw new IllegalArgumentException("output must be auto or base64, got '" + params.get("output") + "'");
        };
        concurrency = concurrency(params.get("concurrency"), principal);
        guest = GuestQuery.of(uri, spec, STEERING);
      } catch (GuestQuery.Refused r) {
        return complete(responses.problem(r.problem()));
      } catch (IllegalArgumentException e) {
        return complete(responses.problem(Problem.of(ProblemType.INVALID_REQUEST, e.getMessage())));
      }
      var run = MapRun.flow(call -> quotas.invoke(principal, invoker, spec, call), guest, concurrency, ordered,
          materializer);
      if (async) {
        return submit(spec, entity, format, run);
      }
      var lines = entity.getDataBytes()
          .via(format.framing(maxRecordBytes, json))
          .via(run)
          .map(r -> line(spec.name(), r, base64));
      return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(NDJSON, lines)));
    })));
  }

  private Route submit(FunctionSpec spec, org.apache.pekko.http.javadsl.model.RequestEntity entity, RecordFormat format,
      org.apache.pekko.stream.javadsl.Flow<org.hpcfaas.batch.MapRecord, RecordResult, org.apache.pekko.NotUsed> run) {
    long limit = settings.maxAsyncInputBytes();
    long length = entity.getContentLengthOption().orElse(-1L);
    java.util.function.Supplier<HttpResponse> tooLarge = () -> responses.problem(Problem.of(ProblemType.INPUT_TOO_LARGE,
        "the body of an asynchronous map may be at most " + limit + " bytes (hpcfaas.map.max-async-input-size);"
            + " stream larger maps synchronously").with("limitBytes", limit));
    if (length > limit) {
      return complete(tooLarge.get());
    }
    TenantQuotas.Admission body;
    try {
      body = quotas.reserve(length >= 0 ? length : limit);
    } catch (TenantQuotas.BudgetExhausted e) {
      return complete(responses.problem(Problems.ofFailure(e)));
    }
    CompletionStage<HttpResponse> answer = entity.withSizeLimit(limit).toStrict(bodyTimeoutMs, materializer)
        .thenCompose(strict -> Source.single(strict.getData()).via(format.framing(maxRecordBytes, json))
            .runWith(Sink.seq(), materializer))
        .thenApply(records -> {
          var started = jobs.start(spec.name(), records, run, body::release);
          var location = "/v1/maps/" + started.id();
          return responses.json(202, progress(started)).addHeader(Location.create(location));
        })
        .exceptionally(e -> {
          body.release();
          return Problems.cause(e) instanceof EntityStreamSizeException ? tooLarge.get()
              : responses.problem(Problem.of(ProblemType.INVALID_REQUEST, "the records cannot be read: "
                  + Problems.cause(e).getMessage()));
        });
    return completeWithFuture(answer);
  }

  /** {@code ?concurrency=}, else the cluster's free WASM slots; never above the bound nor the tenant's quota. */
  private int concurrency(String asked, Principal principal) {
    int n;
    if (asked == null) {
      n = placement.freeSlots();
    } else {
      try {
        n = Integer.parseInt(asked);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("concurrency must be a positive integer, got '" + asked + "'");
      }
      if (n <= 0) {
        throw new IllegalArgumentException("concurrency must be a positive integer, got '" + asked + "'");
      }
    }
    n = Math.min(n, settings.maxConcurrency());
    int quota = principal.maxConcurrentInvocations();
    return quota > 0 ? Math.min(n, quota) : n;
  }

  private static boolean flag(Map<String, String> params, String key) {
    return switch (params.getOrDefault(key, "false")) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got '" + params.get(key) + "'");
    };
  }

  /** One record's result as an NDJSON line. */
  private ByteString line(String function, RecordResult r, boolean base64) {
    var body = new LinkedHashMap<String, Object>();
    body.put("index", r.index());
    body.put("status", r.succeeded() ? "succeeded" : "failed");
    body.put("invocationId", r.invocationId());
    if (r.outcome() instanceof Outcome.Exited x) {
      body.put("exitCode", x.exitCode());
    } else if (r.succeeded()) {
      body.put("exitCode", 0);
    }
    if (r.output() != null) {
      var text = base64 ? null : utf8(r.output());
      if (text != null) {
        body.put("output", text);
      } else {
        body.put("outputBase64", Base64.getEncoder().encodeToString(r.output()));
      }
    }
    if (r.node() != null) {
      body.put("node", r.node());
    }
    body.put("durationMs", r.durationMs());
    if (!r.succeeded()) {
      var problem = r.failure() instanceof IllegalArgumentException invalid
          ? Problem.of(ProblemType.INVALID_REQUEST, invalid.getMessage())
          : r.failure() != null ? Problems.ofFailure(r.failure()) : OutcomeProblems.of(function, r.outcome());
      body.put("problem", problem.with("invocationId", r.invocationId()));
    }
    return ByteString.fromArrayUnsafe(responses.bytes(body)).concat(ByteString.fromString("\n"));
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static Map<String, Object> progress(MapJobs.Progress p) {
    var body = new LinkedHashMap<String, Object>();
    body.put("id", p.id());
    body.put("function", p.function());
    body.put("status", p.status());
    body.put("done", p.done());
    body.put("total", p.total());
    body.put("failed", p.failed());
    body.put("submitted", p.submitted());
    body.put("finished", p.finished());
    body.put("location", "/v1/maps/" + p.id());
    body.put("resultsUrl", "/v1/maps/" + p.id() + "/results");
    return body;
  }

  private HttpResponse notFound(String id) {
    return responses.problem(Problem.of(ProblemType.MAP_NOT_FOUND, "no map " + id
        + " is known here (a map is kept, for a limited time, by the gateway that accepted it)"));
  }
}
