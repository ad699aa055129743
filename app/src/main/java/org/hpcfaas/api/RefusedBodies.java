package org.hpcfaas.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * A request refused before its body was read (a bad query, a quota, an unknown function) gets its answer
 * only after the rest of its body has been read and dropped, up to {@link #DRAIN_LIMIT_BYTES}. Answering
 * at once would close the connection with the client's bytes still unread, and the kernel then resets it:
 * a client still sending loses the answer ("connection reset", "no bytes") instead of reading the problem.
 * Bodies larger than the limit are not waited for; the connection closes after the answer.
 */
final class RefusedBodies {
  private static final long DRAIN_LIMIT_BYTES = 8L << 20;
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private RefusedBodies() {}

  static Function<HttpRequest, CompletionStage<HttpResponse>> drainedFirst(
      Function<HttpRequest, CompletionStage<HttpResponse>> handler, Materializer materializer) {
    return request -> handler.apply(request).thenCompose(response -> {
      var entity = request.entity();
      if (response.status().intValue() < 400 || entity instanceof HttpEntity.Strict || entity.isKnownEmpty()
          || entity.getContentLengthOption().orElse(0L) > DRAIN_LIMIT_BYTES) {
        return CompletableFuture.completedFuture(response);
      }
      // a body the route already read cannot be read twice: that fails at once and the answer goes out
      return entity.withoutSizeLimit().getDataBytes()
          .limitWeighted(DRAIN_LIMIT_BYTES, bytes -> (long) bytes.size())
          .completionTimeout(DRAIN_TIMEOUT)
          .runWith(Sink.ignore(), materializer)
          .handle((done, e) -> response);
    });
  }
}
