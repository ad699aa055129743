package org.hpcfaas.core;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Invocation ids: random version-4 UUIDs from a fast, uncontended source. An id only names an
 * invocation; it grants nothing (every lookup checks the caller may see the function), so it needs no
 * cryptographic randomness, and SecureRandom's lock would be one more point all calls meet.
 */
public final class InvocationIds {
  private InvocationIds() {}

  public static String next() {
    var random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xf000L) | 0x4000L;
    long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }
}
