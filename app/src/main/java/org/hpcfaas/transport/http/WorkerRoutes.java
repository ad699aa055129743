package org.hpcfaas.transport.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.worker.FunctionActor;
import org.hpcfaas.transport.artery.InvocationRequest;
import org.hpcfaas.core.Payload;
import org.hpcfaas.transport.artery.WorkerReply;
import org.hpcfaas.core.FunctionSpec;

/**
 * A worker's internal endpoint in {@code mode = http}: it hands the call to the same local function actor
 * as cluster mode does (same queueing, limits and engine), only the gateway reached it over HTTP. Only
 * callers that show the cluster's {@link InternalKey} get past it; anyone else sees nothing there.
 */
public final class WorkerRoutes extends AllDirectives {
  private final InternalKey internalKey;
  private final ClusterSharding sharding;
  private final String selfAddress;
  private final ObjectMapper json;
  private final Materializer materializer;
  private final Duration queueWait;

  public WorkerRoutes(InternalKey internalKey, ClusterSharding sharding, String selfAddress, ObjectMapper json, Materializer materializer,
      Duration queueWait) {
    this.internalKey = internalKey;
    this.sharding = sharding;
    this.selfAddress = selfAddress;
    this.json = json;
    this.materializer = materializer;
    this.queueWait = queueWait;
  }

  public Route route() {
    return pathPrefix(InternalProtocol.PATH, () -> optionalHeaderValueByName(InternalProtocol.KEY, key -> !internalKey
        .matches(key.orElse(null))
        ? complete(StatusCodes.NOT_FOUND)
        : path(PathMatchers.segment("v1").slash("run").slash(PathMatchers.segment()),
        name -> post(() -> headerValueByName(InternalProtocol.SPEC, specHeader ->
            headerValueByName(InternalProtocol.INVOCATION_ID, id ->
                optionalHeaderValueByName(InternalProtocol.ENV, envHeader ->
                    optionalHeaderValueByName(InternalProtocol.STREAM_OUTPUT, stream ->
                        extractRequestEntity(entity -> {
                          FunctionSpec spec = decode(specHeader, new TypeReference<>() { });
                          Map<String, String> env = envHeader.map(h -> decode(h, new TypeReference<Map<String, String>>() { }))
                              .orElse(Map.of());
                          var input = entity.isKnownEmpty() ? new Payload.Inline(new byte[0])
                              : Payload.of(entity.getDataBytes(), materializer);
                          var request = new InvocationRequest(id, input, env, stream.map("true"::equals).orElse(false));
                          var timeout = queueWait.plusMillis(spec.limits().timeoutMs()).plusSeconds(5);
                          var reply = sharding.entityRefFor(FunctionActor.KEY, FunctionActor.entityId(spec.name(), selfAddress))
                              .<WorkerReply>ask(replyTo -> new FunctionActor.Invoke(spec, request, replyTo), timeout);
                          return completeWithFuture(reply.thenApply(this::toResponse));
                        })))))))));
  }

  private HttpResponse toResponse(WorkerReply reply) {
    return switch (reply) {
      case WorkerReply.Completed c when c.outcome().succeeded() -> HttpResponse.create()
          .withEntity(c.outputSize() == 0 ? HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, new byte[0])
              : HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, c.outputSize(), c.output().source()))
          .addHeaders(headers(InternalProtocol.SUCCEEDED, c.node(), c.durationMs(), c.outputSize()));
      case WorkerReply.Completed c -> HttpResponse.create()
          .withEntity(ContentTypes.APPLICATION_JSON, encodeBytes(c.outcome()))
          .addHeaders(headers(InternalProtocol.FAILED, c.node(), c.durationMs(), 0));
      case WorkerReply.Streaming s -> HttpResponse.create()
          .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_OCTET_STREAM, s.output().getSource()))
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
