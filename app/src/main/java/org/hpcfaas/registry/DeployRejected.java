package org.hpcfaas.registry;

/** A deploy that cannot be accepted, and which part of the request is at fault. */
public final class DeployRejected extends Exception {
  /** What was wrong with the request. */
  public enum Reason { NAME, LIMITS, MODULE, MOUNT, UNKNOWN_VOLUME, VOLUME_NOT_PERMITTED }

  private final Reason reason;

  public DeployRejected(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
