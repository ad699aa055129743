package org.hpcfaas.cache;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.gateway.Invoker;

/**
 * Serves calls of functions deployed with {@code ?cache=true} from the result cache when it holds their
 * output, else runs them and keeps a successful output of at most {@code maxEntryBytes}. Only calls whose
 * whole input is at hand and whose output is not streamed are cached; a cache that does not answer in
 * time counts as a miss. A miss is answered once the key's owner has kept the output (or did not confirm
 * in time), so a caller who repeats a call after its answer finds it through any gateway.
 */
public final class CachingInvoker implements Invoker {
  /** The bounds of the cache: each output kept, and how long a lookup may take. */
  public record Settings(long maxBytes, long maxEntryBytes, Duration lookupTimeout) {}

  private final Invoker inner;
  private final ActorRef<ResultCache.Command> cache;
  private final Scheduler scheduler;
  private final Materializer materializer;
  private final Settings settings;
  private final Counter hits;
  private final Counter misses;

  public CachingInvoker(Invoker inner, ActorRef<ResultCache.Command> cache, Scheduler scheduler,
      Materializer materializer, Settings settings, Counter hits, Counter misses) {
    this.inner = inner;
    this.cache = cache;
    this.scheduler = scheduler;
    this.materializer = materializer;
    this.settings = settings;
    this.hits = hits;
    this.misses = misses;
  }

  @Override
  public CompletionStage<InvocationResult> invoke(FunctionSpec spec, Call call) {
    if (!spec.cached() || call.inputBytes() == null || call.streamOutput()) {
      return inner.invoke(spec, call);
    }
    var key = CacheKey.of(spec, call);
    return AskPattern.<ResultCache.Command, ResultCache.Found>ask(cache, replyTo -> new ResultCache.Lookup(key, replyTo),
            settings.lookupTimeout(), scheduler)
        .handle((found, error) -> error == null ? found : null)
        .thenCompose(found -> {
          if (found != null && found.output() != null) {
            hits.increment();
            var output = found.output();
            return CompletableFuture.completedStage(new InvocationResult.Completed(found.node(),
                new Outcome.Succeeded(""), source(output), output.length, 0, true));
          }
          misses.increment();
          return inner.invoke(spec, call).thenCompose(result -> keep(key, result));
        });
  }

  private CompletionStage<InvocationResult> keep(String key, InvocationResult result) {
    if (!(result instanceof InvocationResult.Completed c) || !c.outcome().succeeded() || c.outputSize() < 0
        || c.outputSize() > settings.maxEntryBytes()) {
      return CompletableFuture.completedStage(result);
    }
    return c.output().runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), materializer)
        .thenCompose(bytes -> {
          var output = bytes.toArray();
          var answer = new InvocationResult.Completed(c.node(), c.outcome(), source(output), output.length,
              c.durationMs(), false);
          return AskPattern.<ResultCache.Command, ResultCache.Stored>ask(cache,
                  replyTo -> new ResultCache.Store(key, output, replyTo), settings.lookupTimeout(), scheduler)
              .handle((stored, error) -> answer);
        });
  }

  private static Source<ByteString, ?> source(byte[] output) {
    return output.length == 0 ? Source.empty() : Source.single(ByteString.fromArrayUnsafe(output));
  }
}
