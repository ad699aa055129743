package org.hpcfaas.engine;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * The WASI calls {@code args_*} and {@code environ_*} of a shimmed guest, answered from the argv and
 * environment bound now rather than from its Context's, which are fixed when the Context is built. So an
 * instance made before its call (see {@link ReadyCommands}) gets exactly that call's argv and environment.
 */
final class BoundArguments {
  private static final int SUCCESS = 0;
  private volatile byte[][] argv = new byte[0][];
  private volatile byte[][] environ = new byte[0][];

  BoundArguments() {}

  BoundArguments(List<String> argv, Map<String, String> env) {
    bind(argv, env);
  }

  void bind(List<String> args, Map<String, String> env) {
    this.argv = args.stream().map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.environ = env.entrySet().stream()
        .map(e -> (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
  }

  /** The four host functions, writing into {@code memory} (the guest's, owned by the shim). */
  Map<String, ProxyExecutable> imports(Value[] memory) {
    return Map.of(
        "args_sizes_get", args -> sizes(memory[0], argv, args),
        "args_get", args -> strings(memory[0], argv, args),
        "environ_sizes_get", args -> sizes(memory[0], environ, args),
        "environ_get", args -> strings(memory[0], environ, args));
  }

  private static int sizes(Value memory, byte[][] strings, Value[] args) {
    int bytes = 0;
    for (var s : strings) {
      bytes += s.length + 1;
    }
    GuestMemory.writeInt(memory, args[0].asInt(), strings.length);
    GuestMemory.writeInt(memory, args[1].asInt(), bytes);
    return SUCCESS;
  }

  /** Writes the pointers to {@code args[0]} and the NUL-terminated strings to {@code args[1]}, as WASI lays them out. */
  private static int strings(Value memory, byte[][] strings, Value[] args) {
    int pointers = args[0].asInt();
    int at = args[1].asInt();
    for (int i = 0; i < strings.length; i++) {
      GuestMemory.writeInt(memory, pointers + 4 * i, at);
      GuestMemory.write(memory, at, strings[i], strings[i].length);
      memory.writeBufferByte(Integer.toUnsignedLong(at + strings[i].length), (byte) 0);
      at += strings[i].length + 1;
    }
    return SUCCESS;
  }
}
