package org.hpcfaas.core;

import java.util.Set;
import org.apache.pekko.actor.Address;

/**
 * A live worker node: its cluster address, the base URL of its HTTP API (used in http mode), its WASM
 * slots (the threads that run functions), and the volumes it has (the names of {@code hpcfaas.volumes}
 * whose directory exists there).
 */
public record Worker(Address address, String httpUrl, int slots, Set<String> volumes) {
  /** The role through which a node advertises its HTTP endpoint, e.g. {@code http=127.0.0.1:8080}. */
  public static final String HTTP_ROLE_PREFIX = "http=";
  /** The role through which a node advertises its mode, e.g. {@code mode=cluster}. */
  public static final String MODE_ROLE_PREFIX = "mode=";
  /** One role per volume a node has, e.g. {@code volume=scratch}. */
  public static final String VOLUME_ROLE_PREFIX = "volume=";
  /** The role through which a node advertises its WASM slots, e.g. {@code slots=2}. */
  public static final String SLOTS_ROLE_PREFIX = "slots=";

  public Worker {
    volumes = Set.copyOf(volumes);
    slots = Math.max(1, slots);
  }
}
