package org.hpcfaas.core;

import java.util.Set;
import org.apache.pekko.actor.Address;

/**
 * A live worker node: its cluster address, the base URL of its HTTP API (used in http mode), its WASM
 * slots (the threads that run functions), the volumes it has (the names of {@code hpcfaas.volumes}
 * whose directory exists there), and when it stops taking calls ({@code drainsAtMs}, epoch milliseconds:
 * its allocation's end less a margin; 0 = never).
 */
public record Worker(Address address, String httpUrl, int slots, Set<String> volumes, long drainsAtMs) {
  /** The role through which a node advertises its HTTP endpoint, e.g. {@code http=127.0.0.1:8080}. */
  public static final String HTTP_ROLE_PREFIX = "http=";
  /** The role through which a node advertises its mode, e.g. {@code mode=cluster}. */
  public static final String MODE_ROLE_PREFIX = "mode=";
  /** One role per volume a node has, e.g. {@code volume=scratch}. */
  public static final String VOLUME_ROLE_PREFIX = "volume=";
  /** The role through which a node advertises its WASM slots, e.g. {@code slots=2}. */
  public static final String SLOTS_ROLE_PREFIX = "slots=";
  /** The role through which a node advertises when it drains, in epoch milliseconds, e.g. {@code drains=1767225600000}. */
  public static final String DRAINS_ROLE_PREFIX = "drains=";

  public Worker {
    volumes = Set.copyOf(volumes);
    slots = Math.max(1, slots);
  }

  public Worker(Address address, String httpUrl, int slots, Set<String> volumes) {
    this(address, httpUrl, slots, volumes, 0);
  }

  /** Whether a call that may run {@code timeoutMs} from {@code nowMs} ends before this worker drains. */
  public boolean takes(long timeoutMs, long nowMs) {
    return drainsAtMs == 0 || nowMs + timeoutMs <= drainsAtMs;
  }
}
