package org.hpcfaas.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the bytes this node holds in memory for bulk transfers, across all calls: request bodies read
 * whole (inputs, modules, WebSocket messages) and bulk outputs. Bytes are reserved before they are read
 * or written, so no client can make the node hold more than the budget; a call that finds no room is
 * refused at once (the client may retry).
 */
public final class BulkBudget {
  private final long totalBytes;
  private final AtomicLong freeBytes;

  public BulkBudget(long totalBytes) {
    this.totalBytes = totalBytes;
    this.freeBytes = new AtomicLong(totalBytes);
  }

  public long totalBytes() {
    return totalBytes;
  }

  public long freeBytes() {
    return freeBytes.get();
  }

  /** Reserves {@code bytes} if that many are free right now. */
  public boolean tryReserve(long bytes) {
    if (bytes <= 0) {
      return true;
    }
    while (true) {
      long free = freeBytes.get();
      if (bytes > free) {
        return false;
      }
      if (freeBytes.compareAndSet(free, free - bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    if (bytes > 0) {
      freeBytes.addAndGet(bytes);
    }
  }
}
