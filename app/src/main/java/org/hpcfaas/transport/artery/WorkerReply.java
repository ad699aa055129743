package org.hpcfaas.transport.artery;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.Payload;

/** What a worker answers to an invocation: the whole result, or a stream that has started. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({@JsonSubTypes.Type(WorkerReply.Completed.class), @JsonSubTypes.Type(WorkerReply.Streaming.class)})
public sealed interface WorkerReply extends CborSerializable {
  String node();

  /** The function ended before (or without) streaming: its outcome and, on success, all its output. */
  record Completed(String node, Outcome outcome, Payload output, long outputSize, long durationMs, long queuedMs)
      implements WorkerReply {}

  /**
   * The function has written its first output and goes on: the stream completes when it succeeds and
   * fails when it fails, so a client never mistakes a failed call for a complete one.
   */
  record Streaming(String node, SourceRef<ByteString> output, long queuedMs) implements WorkerReply {}
}
