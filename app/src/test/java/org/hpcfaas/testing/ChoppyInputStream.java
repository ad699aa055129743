package org.hpcfaas.testing;

import java.io.InputStream;
import java.util.Random;

/**
 * Delivers bytes the way a network stream does: in pieces of random size, each read returning at most
 * what is left of the current piece, with a short pause now and then before the next piece arrives.
 */
public final class ChoppyInputStream extends InputStream {
  private final byte[] data;
  private final Random random;
  private final int maxPiece;
  private int pos;
  private int pieceEnd;

  public ChoppyInputStream(byte[] data, long seed, int maxPiece) {
    this.data = data;
    this.random = new Random(seed);
    this.maxPiece = maxPiece;
  }

  @Override
  public int read() {
    var one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (pos >= data.length) {
      return -1;
    }
    if (pos == pieceEnd) {
      if (random.nextInt(50) == 0) {
        pause();
      }
      pieceEnd = Math.min(data.length, pos + 1 + random.nextInt(maxPiece));
    }
    int n = Math.min(len, pieceEnd - pos);
    System.arraycopy(data, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return pieceEnd - pos;
  }

  private static void pause() {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
