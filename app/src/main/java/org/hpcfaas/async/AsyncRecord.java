package org.hpcfaas.async;

import java.time.Instant;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.core.CborSerializable;

/**
 * What is known of an asynchronous invocation: its status (running, succeeded, failed), where and when it
 * ran, how it ended, and its output inline when that is small text ({@code outputText}, else null).
 */
public record AsyncRecord(
    String id, String function, long version, String status, String node, Instant submitted, Instant finished,
    Long durationMs, Outcome outcome, long outputSize, String outputText) implements CborSerializable {

  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";

  public boolean finishedRunning() {
    return !RUNNING.equals(status);
  }
}
