package org.hpcfaas.core;

import org.apache.pekko.actor.Address;

/** A live worker node: its cluster address, and the base URL of its HTTP API (used in http mode). */
public record Worker(Address address, String httpUrl) {
  /** The role through which a node advertises its HTTP endpoint, e.g. {@code http=127.0.0.1:8080}. */
  public static final String HTTP_ROLE_PREFIX = "http=";
  /** The role through which a node advertises its mode, e.g. {@code mode=cluster}. */
  public static final String MODE_ROLE_PREFIX = "mode=";
}
