package org.hpcfaas.transport.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The key that gateways show workers' internal endpoints in {@code mode = http}, so that only cluster
 * members can run calls there (the endpoint trusts the function spec it is sent). It is derived from the
 * cluster secret, so every node that holds the secret knows it and it never crosses the network but in
 * the gateways' requests.
 */
final class InternalKey {
  private final String key;

  InternalKey(String key) {
    this.key = key;
  }

  Optional<String> current() {
    return Optional.of(key);
  }

  boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(key.getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }
}
