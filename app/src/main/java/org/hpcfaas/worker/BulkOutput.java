package org.hpcfaas.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.BulkBudget;
import org.hpcfaas.core.Payload;

/**
 * The stdout of a bulk call: kept in chunks of {@link Payload#INLINE_LIMIT} (never copied whole), each
 * reserved from the node's {@link BulkBudget} before it is filled. When the budget has no room the write
 * fails and {@link #refused()} tells why. The reservation is held until the output is handed on whole.
 */
final class BulkOutput extends OutputStream {
  private static final int FIRST_CHUNK = 4 * 1024;

  private final BulkBudget budget;
  private final List<ByteString> full = new ArrayList<>();
  private byte[] current = new byte[0];
  private int used;
  private long reserved;
  private long size;
  private volatile boolean refused;

  /** The first chunk is reserved now, while the call starts, so that a call can always write a short answer
   * even when its own children (or other calls) take the rest of the budget while it runs. */
  BulkOutput(BulkBudget budget) {
    this.budget = budget;
    if (budget.tryReserve(FIRST_CHUNK)) {
      reserved = FIRST_CHUNK;
      current = new byte[FIRST_CHUNK];
    }
  }

  boolean refused() {
    return refused;
  }

  long size() {
    return size;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (used == current.length) {
        nextChunk();
      }
      int n = Math.min(len, current.length - used);
      System.arraycopy(b, off, current, used, n);
      used += n;
      size += n;
      off += n;
      len -= n;
    }
  }

  private void nextChunk() throws IOException {
    if (used > 0) {
      full.add(ByteString.fromArrayUnsafe(current, 0, used));
    }
    int capacity = full.isEmpty() && current.length == 0 ? FIRST_CHUNK : Payload.INLINE_LIMIT;
    if (!budget.tryReserve(capacity)) {
      refused = true;
      throw new IOException("this node's memory for bulk outputs is spent (hpcfaas.limits.bulk-memory-budget)");
    }
    reserved += capacity;
    current = new byte[capacity];
    used = 0;
  }

  /** Gives the reservation back without sending the output (the call failed). */
  synchronized void discard() {
    full.clear();
    current = new byte[0];
    budget.release(reserved);
    reserved = 0;
  }

  /** The whole output; the reservation is given back as it is handed on. */
  synchronized byte[] toBytes() {
    var whole = ByteString.emptyByteString();
    for (var chunk : full) {
      whole = whole.concat(chunk);
    }
    whole = whole.concat(ByteString.fromArrayUnsafe(current, 0, used));
    full.clear();
    current = new byte[0];
    used = 0;
    var bytes = whole.toArray();
    budget.release(reserved);
    reserved = 0;
    return bytes;
  }
}
