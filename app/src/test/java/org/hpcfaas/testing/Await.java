package org.hpcfaas.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting for a condition that becomes true asynchronously (a cluster forming, a record finishing...). */
public final class Await {
  private Await() {}

  /** Waits until {@code condition} holds; fails the test with {@code what} after {@code limit}. */
  public static void until(Duration limit, String what, Callable<Boolean> condition) throws Exception {
    if (!within(limit, condition)) {
      throw new AssertionError(what + ": not within " + limit);
    }
  }

  /** Waits until {@code condition} holds; false after {@code limit}. */
  public static boolean within(Duration limit, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  /** The condition, with an exception (a node not answering yet) counting as false. */
  public static boolean quietly(Callable<Boolean> condition) {
    try {
      return condition.call();
    } catch (Exception e) {
      return false;
    }
  }
}
