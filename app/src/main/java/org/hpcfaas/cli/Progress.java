package org.hpcfaas.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/** An upload's byte counter on stderr, updated at most once a second, and a last line when it ends. */
final class Progress extends FilterInputStream {
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private final PrintStream err;
  private final String label;
  private final long total;
  private final long started = System.nanoTime();
  private long sent;
  private long lastShown = started;
  private boolean shown;
  private boolean finished;

  /** {@code total} is the size when known, else -1. */
  Progress(InputStream in, PrintStream err, String label, long total) {
    super(in);
    this.err = err;
    this.label = label;
    this.total = total;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    count(b < 0 ? -1 : 1);
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    count(n);
    return n;
  }

  private void count(int n) {
    if (n < 0) {
      finish();
      return;
    }
    sent += n;
    long now = System.nanoTime();
    if (now - lastShown >= INTERVAL_NANOS) {
      lastShown = now;
      shown = true;
      err.print("\r" + line(now));
      err.flush();
    }
  }

  private void finish() {
    if (shown && !finished) {
      err.println("\r" + line(System.nanoTime()) + ", done");
    }
    finished = true;
  }

  private String line(long now) {
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    return "hpcfaas: " + label + " " + mib(sent) + (total >= 0 ? " of " + mib(total) : "")
        + String.format(" (%.1f MiB/s)", sent / seconds / (1 << 20));
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (double) (1 << 20));
  }

  @Override
  public void close() throws IOException {
    finish();
    super.close();
  }
}
