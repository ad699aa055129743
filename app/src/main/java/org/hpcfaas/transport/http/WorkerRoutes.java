package org.hpcfaas.transport.http;

import java.util.concurrent.CompletableFuture;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.core.InputDrain;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.Payload;
import org.hpcfaas.worker.WorkerResult;
import org.hpcfaas.worker.WorkerService;

/**
 * The worker half of {@code mode = http}, a worker's internal endpoint: it hands the call to the same
 * {@link WorkerService} as cluster mode does (same queueing, limits and engine), only the gateway reached
 * it over HTTP. A small input is read whole, as cluster mode carries it inline. Only callers that show the
 * cluster's {@link InternalKey} get past it; anyone else sees nothing there.
 */
final class WorkerRoutes extends AllDirectives {
  private final InternalKey internalKey;
  private final WorkerService worker;
  private final ObjectMapper json;
  private final Materializer materializer;
  private final Duration bodyTimeout;

  WorkerRoutes(InternalKey internalKey, WorkerService worker, ObjectMapper json, Materializer materializer,
      Duration bodyTimeout) {
    this.internalKey = internalKey;
    this.worker = worker;
    this.json = json;
    this.materializer = materializer;
    this.bodyTimeout = bodyTimeout;
  }

  Route route() {
    return pathPrefix(InternalProtocol.PATH, () -> optionalHeaderValueByName(InternalProtocol.KEY, key -> !internalKey
        .matches(key.orElse(null))
        ? complete(StatusCodes.NOT_FOUND)
        : path(PathMatchers.segment("v1").slash("run").slash(PathMatchers.segment()),
        name -> post(() -> headerValueByName(InternalProtocol.SPEC, specHeader ->
            headerValueByName(InternalProtocol.INVOCATION_ID, id ->
                optionalHeaderValueByName(InternalProtocol.GUEST, guestHeader ->
                    optionalHeaderValueByName(InternalProtocol.STREAM_OUTPUT, stream ->
                        extractRequestEntity(entity -> {
                          FunctionSpec spec = decode(specHeader, new TypeReference<>() { });
                          var guest = guestHeader.map(h -> decode(h, new TypeReference<GuestParameters>() { }))
                              .orElse(GuestParameters.none());
                          boolean streamOutput = stream.map("true"::equals).orElse(false);
                          long length = entity.getContentLengthOption().orElse(-1L);
                          if (length >= 0 && length <= Payload.INLINE_LIMIT) {
                            return completeWithFuture(entity.toStrict(bodyTimeout.toMillis(), materializer)
                                .thenApply(strict -> new Call(id, strict.getData().toArray(), null, guest, streamOutput))
                                .thenCompose(call -> worker.run(spec, call))
                                .thenApply(this::toResponse));
                          }
                          var drain = new InputDrain(entity.getDataBytes(), bodyTimeout);
                          return completeWithFuture(worker.run(spec, new Call(id, null, drain.input(), guest, streamOutput))
                              .thenCompose(result -> result instanceof WorkerResult.Streaming s
                                  ? CompletableFuture.completedFuture(new WorkerResult.Streaming(s.node(),
                                      drain.endingAfterInput(s.output(), materializer)))
                                  : drain.ended(materializer).thenApply(d -> result))
                              .thenApply(this::toResponse));
                        })))))))));
  }

  private HttpResponse toResponse(WorkerResult result) {
    return switch (result) {
      case WorkerResult.Completed c when c.outcome().succeeded() -> HttpResponse.create()
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, c.output()))
          .addHeaders(headers(InternalProtocol.SUCCEEDED, c.node(), c.durationMs(), c.output().length));
      case WorkerResult.Completed c -> HttpResponse.create()
          .withEntity(ContentTypes.APPLICATION_JSON, encodeBytes(c.outcome()))
          .addHeaders(headers(InternalProtocol.FAILED, c.node(), c.durationMs(), 0));
      case WorkerResult.Streaming s -> HttpResponse.create()
          .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_OCTET_STREAM, s.output()))
          .addHeaders(List.of(RawHeader.create(InternalProtocol.REPLY, InternalProtocol.STREAMING),
              RawHeader.create(InternalProtocol.NODE, s.node())));
    };
  }

  private static List<HttpHeader> headers(String reply, String node, long durationMs, long outputSize) {
    return List.of(
        RawHeader.create(InternalProtocol.REPLY, reply),
        RawHeader.create(InternalProtocol.NODE, node),
        RawHeader.create(InternalProtocol.DURATION, Long.toString(durationMs)),
        RawHeader.create(InternalProtocol.OUTPUT_SIZE, Long.toString(outputSize)));
  }

  private <T> T decode(String header, TypeReference<T> type) {
    try {
      return json.readValue(Base64.getUrlDecoder().decode(header), type);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("malformed internal header: " + e.getMessage(), e);
    }
  }

  private byte[] encodeBytes(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
