package org.hpcfaas.engine;

import java.util.Map;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.hpcfaas.core.ChildResult;

/**
 * The host module {@code hpcfaas} a guest imports to call other functions: {@code call}, {@code spawn}
 * and {@code wait} of functions-sdk/include/hpcfaas.h, reading names and inputs from the guest's memory
 * and writing outputs into it.
 */
final class ChildCallImports {
  static final String MODULE = "hpcfaas";

  private ChildCallImports() {}

  static ProxyObject of(Value memory, ChildCalls children) {
    ProxyExecutable spawn = a -> {
      int handle = start(memory, children, a);
      if (handle < 0) {
        return -handle;
      }
      GuestMemory.writeInt(memory, a[4].asInt(), handle);
      return ChildResult.OK;
    };
    ProxyExecutable await = a -> collect(memory, children.await(a[0].asInt()), a[1].asInt(), a[2].asInt(), a[3].asInt());
    ProxyExecutable call = a -> {
      int handle = start(memory, children, a);
      return handle < 0 ? -handle : collect(memory, children.await(handle), a[4].asInt(), a[5].asInt(), a[6].asInt());
    };
    return ProxyObject.fromMap(Map.of("call", call, "spawn", spawn, "wait", await));
  }

  /** Starts the child that arguments 0-3 of {@code call} and {@code spawn} name: a handle, or -status. */
  private static int start(Value memory, ChildCalls children, Value[] a) {
    return children.spawn(GuestMemory.text(memory, a[0].asInt(), a[1].asInt()),
        GuestMemory.read(memory, a[2].asInt(), a[3].asInt()));
  }

  /** Writes up to {@code cap} bytes of the result's output at {@code at}, its whole length at {@code lengthAt}. */
  private static int collect(Value memory, ChildResult result, int at, int cap, int lengthAt) {
    var output = result.output();
    int n = GuestMemory.write(memory, at, output, cap);
    GuestMemory.writeInt(memory, lengthAt, output.length);
    return result.status() == ChildResult.OK && output.length > n ? ChildResult.TRUNCATED : result.status();
  }
}
