package org.hpcfaas.core;

/**
 * No worker could run the call, or the worker running it left the cluster; the client may retry.
 * {@code neverStarted} says the call surely did not run (no worker took it), so it is safe to retry
 * even when the function is not idempotent.
 */
public final class WorkerUnavailable extends RuntimeException {
  private final boolean neverStarted;

  public WorkerUnavailable(String message, boolean neverStarted) {
    super(message);
    this.neverStarted = neverStarted;
  }

  public boolean neverStarted() {
    return neverStarted;
  }
}
