package org.hpcfaas.core;

import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** An invocation's result as the gateway serves it, whichever transport brought it. */
public sealed interface InvocationResult {
  String node();

  /** Output size is -1 when unknown; {@code cached}: served from the result cache, not run. */
  record Completed(String node, Outcome outcome, Source<ByteString, ?> output, long outputSize, long durationMs,
      boolean cached) implements InvocationResult {
    public Completed(String node, Outcome outcome, Source<ByteString, ?> output, long outputSize, long durationMs) {
      this(node, outcome, output, outputSize, durationMs, false);
    }
  }

  record Streaming(String node, Source<ByteString, ?> output) implements InvocationResult {}
}
