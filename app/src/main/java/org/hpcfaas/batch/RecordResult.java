package org.hpcfaas.batch;

import org.hpcfaas.core.Outcome;

/**
 * How one record of a map ended: the outcome and output of its invocation and where it ran, or, when it
 * never ran to an outcome, the {@code failure} (no worker, a quota, an unreadable record).
 */
public record RecordResult(long index, String invocationId, String node, Outcome outcome, byte[] output,
    long durationMs, Throwable failure) {

  public boolean succeeded() {
    return failure == null && outcome != null && outcome.succeeded();
  }
}
