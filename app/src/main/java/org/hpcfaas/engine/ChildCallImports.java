package org.hpcfaas.engine;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.graalvm.polyglot.Value;
import org.hpcfaas.core.ChildResult;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The host module {@code hpcfaas} a guest imports to call other functions: {@code call}, {@code spawn}
 * and {@code wait} of functions-sdk/include/hpcfaas.h, reading names and inputs from the guest's memory
 * and writing outputs into it.
 */
final class ChildCallImports {
  static final String MODULE = "hpcfaas";

  private ChildCallImports() {}

  static ProxyObject of(Supplier<Value> memory, ChildCalls children) {
    ProxyExecutable spawn = a -> {
      int handle = children.spawn(text(memory.get(), a[0].asInt(), a[1].asInt()), bytes(memory.get(), a[2].asInt(), a[3].asInt()));
      if (handle < 0) {
        return -handle;
      }
      memory.get().writeBufferInt(ByteOrder.LITTLE_ENDIAN, Integer.toUnsignedLong(a[4].asInt()), handle);
      return ChildResult.OK;
    };
    ProxyExecutable await = a -> collect(memory.get(), children.await(a[0].asInt()), a[1].asInt(), a[2].asInt(), a[3].asInt());
    ProxyExecutable call = a -> {
      int handle = children.spawn(text(memory.get(), a[0].asInt(), a[1].asInt()), bytes(memory.get(), a[2].asInt(), a[3].asInt()));
      return handle < 0 ? -handle : collect(memory.get(), children.await(handle), a[4].asInt(), a[5].asInt(), a[6].asInt());
    };
    return ProxyObject.fromMap(Map.of("call", call, "spawn", spawn, "wait", await));
  }

  /** Writes up to {@code cap} bytes of the result's output at {@code at}, its whole length at {@code lengthAt}. */
  private static int collect(Value memory, ChildResult result, int at, int cap, int lengthAt) {
    var output = result.output();
    int n = Math.min(output.length, Math.max(cap, 0));
    long base = Integer.toUnsignedLong(at);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      long word = 0;
      for (int k = 7; k >= 0; k--) {
        word = word << 8 | (output[i + k] & 0xff);
      }
      memory.writeBufferLong(ByteOrder.LITTLE_ENDIAN, base + i, word);
    }
    for (; i < n; i++) {
      memory.writeBufferByte(base + i, output[i]);
    }
    memory.writeBufferInt(ByteOrder.LITTLE_ENDIAN, Integer.toUnsignedLong(lengthAt), output.length);
    return result.status() == ChildResult.OK && output.length > n ? ChildResult.TRUNCATED : result.status();
  }

  static byte[] bytes(Value memory, int at, int length) {
    var bytes = new byte[Math.max(length, 0)];
    memory.readBuffer(Integer.toUnsignedLong(at), bytes, 0, bytes.length);
    return bytes;
  }

  static String text(Value memory, int at, int length) {
    return new String(bytes(memory, at, length), StandardCharsets.UTF_8);
  }
}
