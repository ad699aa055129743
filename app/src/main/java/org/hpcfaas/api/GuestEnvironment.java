package org.hpcfaas.api;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The environment a call's query parameters give the guest (commands see it; see the SDK's ABI). */
final class GuestEnvironment {
  /** Query parameters the runtime itself reads. */
  private static final Set<String> RESERVED = Set.of("transfer", "stream");

  private GuestEnvironment() {}

  static Map<String, String> of(Map<String, String> params) {
    var env = new HashMap<String, String>();
    params.forEach((k, v) -> {
      if (!RESERVED.contains(k) && !k.startsWith("HPCFAAS_") && !k.isEmpty() && k.indexOf('=') < 0
          && k.indexOf('\0') < 0 && v.indexOf('\0') < 0) {
        env.put(k, v);
      }
    });
    return env;
  }
}
