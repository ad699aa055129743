package org.hpcfaas.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A URL query in the order it was built, repeated keys kept, every key and value percent-encoded. */
final class Query {
  private final List<String> pairs = new ArrayList<>();

  Query add(String key, String value) {
    pairs.add(encode(key) + "=" + encode(value));
    return this;
  }

  /** Adds the pair when the value is there; nothing for null. */
  Query addIf(String key, Object value) {
    return value == null ? this : add(key, value.toString());
  }

  Query addAll(String key, List<String> values) {
    values.forEach(v -> add(key, v));
    return this;
  }

  /** {@code ?a=1&b=2}, or the empty string. */
  @Override
  public String toString() {
    return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
  }

  /** Percent-encodes everything but unreserved characters (a space is %20, never '+', which servers read differently). */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
  }
}
