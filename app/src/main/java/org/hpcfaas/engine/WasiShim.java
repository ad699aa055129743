package org.hpcfaas.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The WASI calls GraalWasm's builtin module gets wrong, supplied by a small WebAssembly module of our
 * own (resources/wasi/shim.wat, each call's comment says what it corrects) that is instantiated before
 * each guest: {@code fd_read} with several iovecs (the builtin leaves holes in the data after a short
 * read), errnos of path calls, symbolic links, rights and the {@code sock_*} calls; and
 * {@link PollOneoff}, which the builtin lacks, and the argv and environment calls ({@link BoundArguments}),
 * which the builtin answers from the Context. The shim owns the guest's linear memory, which the guest
 * imports (see {@link WasmBinary#wiredToShim}), so that its WASI calls write where the guest reads. It
 * learns from the runtime's file system through {@link PathCallHints} ({@code hpcfaas_host.*}).
 */
final class WasiShim {
  private static final byte[] TEMPLATE = load();
  private final Map<WasmBinary.MemoryLimits, Source> sources = new ConcurrentHashMap<>();

  /** The shim for a guest whose memory has these limits; one Source per limits, so its code is compiled once. */
  Source source(WasmBinary.MemoryLimits memory) {
    return sources.computeIfAbsent(memory, limits -> {
      try {
        var bytes = WasmBinary.parse(TEMPLATE).withMemory(limits);
        return Source.newBuilder("wasm", ByteSequence.create(bytes), "hpcfaas-wasi-shim.wasm").cached(true).buildLiteral();
      } catch (InvalidModuleException e) {
        throw new IllegalStateException("the WASI shim resource is broken", e);
      }
    });
  }

  /** Instantiates the module's guest (and its shim, when it has one) and returns the guest's exports. */
  static Value instantiate(Context ctx, CompiledModule module, StdinReadiness stdin, PathCallHints hints,
      ChildCalls children, BoundArguments arguments) {
    if (module.shim() == null) {
      return ctx.eval(module.source()).newInstance().getMember("exports");
    }
    var memoryOf = new Value[1];
    ProxyExecutable readable = args -> args[0].asInt() != 0 || stdin.readyNow() ? 1 : 0;
    ProxyExecutable errno = args -> hints.takeErrno();
    ProxyExecutable noFollow = args -> {
      hints.noFollow(args[0].asInt() != 0);
      return 0;
    };
    ProxyExecutable linkText = args -> writeLink(memoryOf[0], hints.takeLink(), args[0].asInt(), args[1].asInt());
    ProxyExecutable linkTarget = args -> {
      hints.linkTarget(GuestMemory.text(memoryOf[0], args[0].asInt(), args[1].asInt()));
      return 0;
    };
    var host = ProxyObject.fromMap(Map.of("hpcfaas_host", ProxyObject.fromMap(Map.of("readable", readable,
        "errno", errno, "nofollow", noFollow, "link_text", linkText, "link_target", linkTarget))));
    var shim = ctx.eval(module.shim()).newInstance(host).getMember("exports");
    var memory = shim.getMember("memory");
    memoryOf[0] = memory;
    var poll = new PollOneoff(stdin);
    poll.memory(memory);
    var supplied = new java.util.HashMap<String, Object>();
    supplied.put("memory", memory);
    supplied.put("poll_oneoff", poll);
    supplied.putAll(arguments.imports(memoryOf));
    for (var name : WasmBinary.SHIMMED) {
      supplied.computeIfAbsent(name, shim::getMember);
    }
    var imports = ProxyObject.fromMap(Map.of(WasmBinary.SHIM_MODULE, ProxyObject.fromMap(supplied),
        ChildCallImports.MODULE, ChildCallImports.of(memory, children)));
    return ctx.eval(module.source()).newInstance(imports).getMember("exports");
  }

  /** Writes up to {@code cap} bytes of a link's text at {@code at}; -1 when the call read no link. */
  private static int writeLink(Value memory, byte[] text, int at, int cap) {
    return text == null ? -1 : GuestMemory.write(memory, at, text, cap);
  }

  private static byte[] load() {
    try (var in = WasiShim.class.getResourceAsStream("/wasi/shim.wasm")) {
      if (in == null) {
        throw new IllegalStateException("wasi/shim.wasm is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
