package org.hpcfaas.core;

import java.util.List;
import java.util.Map;

/**
 * What a caller hands the guest besides its input: its arguments (argv after argv[0], in order; empty:
 * the function's default arguments) and its environment variables, exactly as asked for.
 */
public record GuestParameters(List<String> args, Map<String, String> env) implements CborSerializable {
  public GuestParameters {
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  public static GuestParameters none() {
    return new GuestParameters(List.of(), Map.of());
  }
}
