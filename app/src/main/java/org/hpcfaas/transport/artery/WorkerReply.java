package org.hpcfaas.transport.artery;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.core.Payload;
import org.hpcfaas.worker.WorkerResult;

/** What a worker answers to an invocation: the whole result, or a stream that has started. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({@JsonSubTypes.Type(WorkerReply.Completed.class), @JsonSubTypes.Type(WorkerReply.Streaming.class)})
public sealed interface WorkerReply extends CborSerializable {
  String node();

  /** The function ended before (or without) streaming: its outcome and, on success, all its output. */
  record Completed(String node, Outcome outcome, Payload output, long outputSize, long durationMs)
      implements WorkerReply {}

  /**
   * The function has written its first output and goes on: the stream completes when it succeeds and
   * fails when it fails, so a client never mistakes a failed call for a complete one.
   */
  record Streaming(String node, SourceRef<ByteString> output) implements WorkerReply {}

  /** The worker's result as it crosses to the gateway: a large or streamed output as a stream reference. */
  static WorkerReply of(WorkerResult result, Materializer materializer) {
    return switch (result) {
      case WorkerResult.Completed c -> new Completed(c.node(), c.outcome(), Payload.of(c.output(), materializer),
          c.output().length, c.durationMs());
      case WorkerResult.Streaming s -> new Streaming(s.node(), s.output().runWith(StreamRefs.sourceRef(), materializer));
    };
  }

  /** The reply as the gateway serves it. */
  default InvocationResult result() {
    return switch (this) {
      case Completed c -> new InvocationResult.Completed(c.node(), c.outcome(), c.output().source(), c.outputSize(),
          c.durationMs());
      case Streaming s -> new InvocationResult.Streaming(s.node(), s.output().getSource());
    };
  }
}
