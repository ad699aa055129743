package org.hpcfaas.core;

import java.util.List;

/**
 * How a function's guest is set up, chosen at deploy: the arguments it gets when a call passes none,
 * whether the runtime adds its own variables (HPCFAAS_FUNCTION, HPCFAAS_INVOCATION_ID) to the caller's
 * environment, and the volumes it mounts, in the order they are preopened (from fd 3).
 */
public record GuestSetup(List<String> defaultArgs, boolean runtimeEnv, List<Mount> mounts) {
  public GuestSetup {
    defaultArgs = List.copyOf(defaultArgs);
    mounts = List.copyOf(mounts);
  }

  public static GuestSetup defaults() {
    return new GuestSetup(List.of(), true, List.of());
  }
}
