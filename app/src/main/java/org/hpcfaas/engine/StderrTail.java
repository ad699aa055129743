package org.hpcfaas.engine;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the last bytes a function wrote to stderr, so a failure can show them in bounded memory. */
final class StderrTail extends OutputStream {
  private final int capacity;
  /** Allocated at the first write: most calls write nothing to stderr. */
  private byte[] ring;
  private long written;
  private Runnable onWrite = () -> { };

  StderrTail(int capacity) {
    this.capacity = capacity;
  }

  /** Called on every write, while the guest is inside fd_write (used to sample its memory). */
  void onWrite(Runnable hook) {
    this.onWrite = hook;
  }

  @Override
  public synchronized void write(int b) {
    if (capacity > 0) {
      if (ring == null) {
        ring = new byte[capacity];
      }
      ring[(int) (written % ring.length)] = (byte) b;
    }
    written++;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (len > 0) {
      onWrite.run();
    }
    int skip = Math.max(0, len - capacity);
    written += skip;
    for (int i = off + skip; i < off + len; i++) {
      write(b[i]);
    }
  }

  synchronized void reset() {
    written = 0;
  }

  /** The kept tail as text, prefixed with a marker when older output was dropped. */
  synchronized String text() {
    int n = (int) Math.min(written, capacity);
    if (n == 0) {
      return written > 0 ? "[" + written + " earlier bytes dropped]\n" : "";
    }
    var tail = new byte[n];
    int start = (int) ((written - n) % capacity);
    for (int i = 0; i < n; i++) {
      tail[i] = ring[(start + i) % capacity];
    }
    var s = new String(tail, StandardCharsets.UTF_8);
    return written > n ? "[" + (written - n) + " earlier bytes dropped]\n" + s : s;
  }
}
