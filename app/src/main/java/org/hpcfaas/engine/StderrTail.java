package org.hpcfaas.engine;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the last bytes a function wrote to stderr, so a failure can show them in bounded memory. */
final class StderrTail extends OutputStream {
  private final byte[] ring;
  private long written;
  private Runnable onWrite = () -> { };

  StderrTail(int capacity) {
    this.ring = new byte[capacity];
  }

  /** Called on every write, while the guest is inside fd_write (used to sample its memory). */
  void onWrite(Runnable hook) {
    this.onWrite = hook;
  }

  @Override
  public synchronized void write(int b) {
    if (ring.length > 0) {
      ring[(int) (written % ring.length)] = (byte) b;
    }
    written++;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (len > 0) {
      onWrite.run();
    }
    int skip = Math.max(0, len - ring.length);
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
    int n = (int) Math.min(written, ring.length);
    var tail = new byte[n];
    int start = (int) ((written - n) % Math.max(1, ring.length));
    for (int i = 0; i < n; i++) {
      tail[i] = ring[(start + i) % ring.length];
    }
    var s = new String(tail, StandardCharsets.UTF_8);
    return written > n ? "[" + (written - n) + " earlier bytes dropped]\n" + s : s;
  }
}
