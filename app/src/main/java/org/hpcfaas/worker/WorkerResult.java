package org.hpcfaas.worker;

import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Outcome;

/** What a worker answers to a call, before any transport carries it: the whole result, or a stream that has started. */
public sealed interface WorkerResult {
  String node();

  /** The function ended before (or without) streaming: its outcome and, on success, all its output. */
  record Completed(String node, Outcome outcome, byte[] output, long durationMs) implements WorkerResult {}

  /**
   * The function has written its first output and goes on: the stream completes when it succeeds and
   * fails when it fails, so a client never mistakes a failed call for a complete one.
   */
  record Streaming(String node, Source<ByteString, NotUsed> output) implements WorkerResult {}

  /** The result as a gateway on this same node serves it. */
  default InvocationResult served() {
    return switch (this) {
      case Completed c -> new InvocationResult.Completed(c.node(), c.outcome(),
          c.output().length == 0 ? Source.empty() : Source.single(ByteString.fromArrayUnsafe(c.output())),
          c.output().length, c.durationMs());
      case Streaming s -> new InvocationResult.Streaming(s.node(), s.output());
    };
  }
}
