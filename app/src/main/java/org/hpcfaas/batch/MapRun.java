package org.hpcfaas.batch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.InvocationIds;
import org.hpcfaas.core.InvocationResult;

/**
 * Runs one invocation per record, at most {@code concurrency} at once, and emits each record's result
 * as it completes (or in input order). The stream pulls a record only when a slot is free and its
 * reader wants more, so a slow reader of the results slows the reading of the records. An invocation
 * that fails ends only its own record; the retry of a record lost with its worker is the invoker's.
 */
public final class MapRun {
  private MapRun() {}

  /** The records' results; {@code invoke} runs one call (through the tenant's quota and the placement). */
  public static Flow<MapRecord, RecordResult, NotUsed> flow(Function<Call, CompletionStage<InvocationResult>> invoke,
      GuestParameters guest, int concurrency, boolean ordered, Materializer materializer) {
    Function<MapRecord, CompletionStage<RecordResult>> one = r -> run(invoke, guest, r, materializer);
    return ordered
        ? Flow.<MapRecord>create().mapAsync(concurrency, one::apply)
        : Flow.<MapRecord>create().mapAsyncUnordered(concurrency, one::apply);
  }

  private static CompletionStage<RecordResult> run(Function<Call, CompletionStage<InvocationResult>> invoke,
      GuestParameters guest, MapRecord record, Materializer materializer) {
    var id = InvocationIds.next();
    if (record.invalid() != null) {
      return CompletableFuture.completedFuture(new RecordResult(record.index(), id, null, null, null, 0,
          new IllegalArgumentException(record.invalid())));
    }
    var parameters = record.args() == null ? guest : new GuestParameters(record.args(), guest.env());
    CompletionStage<InvocationResult> started;
    try {
      started = invoke.apply(new Call(id, record.stdin(), null, parameters, false));
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    return started
        .thenCompose(result -> switch (result) {
          case InvocationResult.Completed c -> collect(c.output(), materializer).thenApply(bytes ->
              new RecordResult(record.index(), id, c.node(), c.outcome(), bytes, c.durationMs(), null));
          case InvocationResult.Streaming s -> collect(s.output(), materializer).thenApply(bytes ->
              new RecordResult(record.index(), id, s.node(), new org.hpcfaas.core.Outcome.Succeeded(""), bytes, 0, null));
        })
        .exceptionally(e -> new RecordResult(record.index(), id, null, null, null, 0,
            e instanceof CompletionException && e.getCause() != null ? e.getCause() : e));
  }

  private static CompletionStage<byte[]> collect(org.apache.pekko.stream.javadsl.Source<ByteString, ?> output,
      Materializer materializer) {
    return output.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), materializer)
        .thenApply(ByteString::toArray);
  }
}
