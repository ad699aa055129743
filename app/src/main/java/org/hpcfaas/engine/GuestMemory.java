package org.hpcfaas.engine;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Value;

/** Reading and writing a guest's linear memory from host functions (addresses are the guest's u32). */
final class GuestMemory {
  private GuestMemory() {}

  static byte[] read(Value memory, int at, int length) {
    var bytes = new byte[Math.max(length, 0)];
    memory.readBuffer(Integer.toUnsignedLong(at), bytes, 0, bytes.length);
    return bytes;
  }

  static String text(Value memory, int at, int length) {
    return new String(read(memory, at, length), StandardCharsets.UTF_8);
  }

  /** Writes at most {@code cap} bytes of {@code bytes} at {@code at} (eight at a time); returns how many. */
  static int write(Value memory, int at, byte[] bytes, int cap) {
    int n = Math.min(bytes.length, Math.max(cap, 0));
    long base = Integer.toUnsignedLong(at);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      long word = 0;
      for (int k = 7; k >= 0; k--) {
        word = word << 8 | (bytes[i + k] & 0xff);
      }
      memory.writeBufferLong(ByteOrder.LITTLE_ENDIAN, base + i, word);
    }
    for (; i < n; i++) {
      memory.writeBufferByte(base + i, bytes[i]);
    }
    return n;
  }

  static void writeInt(Value memory, int at, int value) {
    memory.writeBufferInt(ByteOrder.LITTLE_ENDIAN, Integer.toUnsignedLong(at), value);
  }
}
