package org.hpcfaas.cluster;

/** No worker could run the call, or the worker running it left the cluster; the client may retry. */
public final class WorkerUnavailable extends RuntimeException {
  public WorkerUnavailable(String message) {
    super(message);
  }
}
