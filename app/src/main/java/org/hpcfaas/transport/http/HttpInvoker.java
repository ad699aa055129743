package org.hpcfaas.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Worker;
import org.hpcfaas.core.WorkerUnavailable;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Outcome;

/**
 * The gateway half of {@code mode = http}, the comparison baseline: forwards each call over plain HTTP to
 * the chosen worker's internal endpoint through Pekko HTTP's pooled client.
 */
final class HttpInvoker {
  private final InternalKey internalKey;
  private final Http http;
  private final ObjectMapper json;
  private final Materializer materializer;

  HttpInvoker(ActorSystem<?> system, InternalKey internalKey, ObjectMapper json, Materializer materializer) {
    this.internalKey = internalKey;
    this.http = Http.get(system);
    this.json = json;
    this.materializer = materializer;
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "close-worker-connections",
        () -> http.shutdownAllConnectionPools().thenApply(v -> Done.getInstance()));
  }

  CompletionStage<InvocationResult> send(Worker worker, FunctionSpec spec, Call call) {
    var key = internalKey.current();
    if (key.isEmpty()) {
      return CompletableFuture.failedFuture(new WorkerUnavailable("this node has not yet learnt the cluster's internal key", true));
    }
    var entity = call.inputBytes() != null
        ? HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, call.inputBytes())
        : HttpEntities.createChunked(ContentTypes.APPLICATION_OCTET_STREAM, call.inputStream());
    var request = HttpRequest.POST(worker.httpUrl() + "/" + InternalProtocol.PATH + "/v1/run/" + spec.name())
        .withEntity(entity)
        .addHeader(RawHeader.create(InternalProtocol.KEY, key.get()))
        .addHeader(RawHeader.create(InternalProtocol.SPEC, encode(spec)))
        .addHeader(RawHeader.create(InternalProtocol.INVOCATION_ID, call.id()))
        .addHeader(RawHeader.create(InternalProtocol.STREAM_OUTPUT, Boolean.toString(call.streamOutput())));
    if (!call.guest().args().isEmpty() || !call.guest().env().isEmpty()) {
      request = request.addHeader(RawHeader.create(InternalProtocol.GUEST, encode(call.guest())));
    }
    return http.singleRequest(request)
        .handle((response, error) -> {
          if (error != null) {
            throw new WorkerUnavailable("worker " + worker.address() + " did not answer: " + error.getMessage(),
                refused(error));
          }
          return response;
        })
        .thenCompose(this::toResult);
  }

  private CompletionStage<InvocationResult> toResult(HttpResponse response) {
    String reply = header(response, InternalProtocol.REPLY);
    String node = header(response, InternalProtocol.NODE);
    if (InternalProtocol.STREAMING.equals(reply)) {
      return CompletableFuture.completedFuture(new InvocationResult.Streaming(node, response.entity().getDataBytes()));
    }
    long duration = Long.parseLong(header(response, InternalProtocol.DURATION, "0"));
    if (InternalProtocol.SUCCEEDED.equals(reply)) {
      long size = Long.parseLong(header(response, InternalProtocol.OUTPUT_SIZE, "-1"));
      return CompletableFuture.completedFuture(new InvocationResult.Completed(node, new Outcome.Succeeded(""),
          response.entity().getDataBytes(), size, duration));
    }
    // A failed outcome is a small JSON document (its stderr is a bounded tail): never read more than that.
    return response.entity().withSizeLimit(1 << 20).toStrict(30_000, materializer).thenApply(strict -> {
      if (!InternalProtocol.FAILED.equals(reply)) {
        // Only a 404 is sure to come before the call reached the worker's queue (the internal key did not
        // match); any other answer (a 500 after the worker's ask timed out, a 503 while it shuts down) may
        // come from a call that runs or ran, so it is retried only for an idempotent function.
        boolean neverStarted = response.status().intValue() == 404;
        throw new WorkerUnavailable("worker answered " + response.status() + ": " + strict.getData().utf8String(),
            neverStarted);
      }
      try {
        var outcome = json.readValue(strict.getData().toArray(), Outcome.class);
        return new InvocationResult.Completed(node, outcome, org.apache.pekko.stream.javadsl.Source.<ByteString>empty(), 0, duration);
      } catch (IOException e) {
        throw new IllegalStateException("malformed worker answer: " + e.getMessage(), e);
      }
    });
  }

  /** The worker could not be connected to at all, so the call surely did not start there. */
  static boolean refused(Throwable error) {
    for (var e = error; e != null; e = e.getCause()) {
      if (e instanceof java.net.ConnectException || String.valueOf(e.getMessage()).contains("Connection refused")) {
        return true;
      }
    }
    return false;
  }

  private static String header(HttpResponse response, String name) {
    return header(response, name, "");
  }

  private static String header(HttpResponse response, String name, String fallback) {
    return response.getHeader(name).map(h -> h.value()).orElse(fallback);
  }

  private String encode(Object value) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(json.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
