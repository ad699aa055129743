package org.hpcfaas.transport;

import java.util.Locale;

/** The value of {@code hpcfaas.mode}: which transport carries calls from gateways to workers. */
public enum Mode {
  /** Sharded actors over Pekko Artery, with StreamRefs for large inputs and outputs (the runtime). */
  CLUSTER,
  /** HTTP requests to each worker's internal endpoint (the baseline it is measured against). */
  HTTP;

  public static Mode of(String setting) {
    return switch (setting) {
      case "cluster" -> CLUSTER;
      case "http" -> HTTP;
      default -> throw new IllegalArgumentException("hpcfaas.mode must be cluster or http, got " + setting);
    };
  }

  /** As written in config and advertised in a node's roles. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
