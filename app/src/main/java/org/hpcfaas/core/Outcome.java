package org.hpcfaas.core;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** How one run of a function ended. Output went to the invocation's stdout; stderr keeps its tail. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(Outcome.Succeeded.class),
  @JsonSubTypes.Type(Outcome.Exited.class),
  @JsonSubTypes.Type(Outcome.Trapped.class),
  @JsonSubTypes.Type(Outcome.TimedOut.class),
  @JsonSubTypes.Type(Outcome.Stalled.class),
  @JsonSubTypes.Type(Outcome.MemoryExhausted.class),
  @JsonSubTypes.Type(Outcome.OutputTooLarge.class),
  @JsonSubTypes.Type(Outcome.Overloaded.class),
  @JsonSubTypes.Type(Outcome.Aborted.class),
  @JsonSubTypes.Type(Outcome.Broken.class),
  @JsonSubTypes.Type(Outcome.Stopped.class)
})
public sealed interface Outcome {
  String stderr();

  default boolean succeeded() {
    return this instanceof Succeeded;
  }

  /** Exit code 0, or a reactor handler that returned 0. */
  record Succeeded(String stderr) implements Outcome {}

  /** A non-zero exit code (command) or return value (reactor). */
  record Exited(int exitCode, String stderr) implements Outcome {}

  /** The guest trapped: unreachable, out-of-bounds access, stack overflow... */
  record Trapped(String message, String stderr) implements Outcome {}

  /** Stopped by the watchdog at the function's time limit. */
  record TimedOut(long timeoutMs, String stderr) implements Outcome {}

  /** Stopped at its wall-clock ceiling: it waited on its caller's streams (an upload, a reader) too long. */
  record Stalled(long wallClockMs, String stderr) implements Outcome {}

  /** Failed after growing its memory to the function's cap. */
  record MemoryExhausted(int memoryMb, long usedBytes, String detail, String stderr) implements Outcome {}

  /** Stopped because it wrote more than a bulk response may hold. */
  record OutputTooLarge(long limitBytes, String stderr) implements Outcome {}

  /** Not run: the node had no room for it (queue full, memory budget exhausted). */
  record Overloaded(String reason, String stderr) implements Outcome {}

  /** Stopped because its input or output stream broke: the client went away mid-call. */
  record Aborted(String reason, String stderr) implements Outcome {}

  /** The runtime failed, not the function (an internal error of the engine). */
  record Broken(String message, String stderr) implements Outcome {}

  /**
   * The worker's node stopped (it is leaving the cluster) while the call waited or ran, so it may have
   * run in part: to the gateway, as if the worker was lost.
   */
  record Stopped(String reason, String stderr) implements Outcome {}
}
