package org.hpcfaas.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the memory of all live instances on this node. Linear memory lives on the Java heap, so each
 * instance reserves its function's full memory cap while it lives; idle warm instances are evicted to
 * make room before a caller waits.
 */
final class MemoryBudget {
  /** Something that can give memory back by dropping idle instances. */
  interface Evictable {
    void evictIdle();
  }

  private final int totalMb;
  private final Semaphore freeMb;
  private final List<Evictable> evictables = new CopyOnWriteArrayList<>();

  MemoryBudget(int totalMb) {
    this.totalMb = totalMb;
    this.freeMb = new Semaphore(totalMb, true);
  }

  int totalMb() {
    return totalMb;
  }

  int freeMb() {
    return freeMb.availablePermits();
  }

  void register(Evictable e) {
    evictables.add(e);
  }

  void unregister(Evictable e) {
    evictables.remove(e);
  }

  /** Reserves {@code mb}, evicting idle instances if needed; false if none came free in time. */
  boolean reserve(int mb, long waitMs) throws InterruptedException {
    if (mb > totalMb) {
      return false;
    }
    if (freeMb.tryAcquire(mb)) {
      return true;
    }
    evictables.forEach(Evictable::evictIdle);
    return freeMb.tryAcquire(mb, waitMs, TimeUnit.MILLISECONDS);
  }

  /** Reserves {@code mb} only if it is free now: no eviction, no wait. */
  boolean tryReserve(int mb) {
    return mb <= totalMb && freeMb.tryAcquire(mb);
  }

  void release(int mb) {
    freeMb.release(mb);
  }
}
