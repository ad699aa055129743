package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WasiShimTest {
  @Test
  void theShippedShimIsBuiltFromItsSource(@TempDir Path dir) throws Exception {
    var source = Path.of("src/main/resources/wasi/shim.wat");
    var built = dir.resolve("shim.wasm");
    Process wat2wasm;
    try {
      wat2wasm = new ProcessBuilder("wat2wasm", source.toString(), "-o", built.toString()).inheritIO().start();
    } catch (java.io.IOException e) {
      Assumptions.abort("wat2wasm (wabt) is not installed");
      return;
    }
    assertTrue(wat2wasm.waitFor() == 0, "wat2wasm failed");
    assertArrayEquals(Files.readAllBytes(built), Files.readAllBytes(Path.of("src/main/resources/wasi/shim.wasm")),
        "run: wat2wasm src/main/resources/wasi/shim.wat -o src/main/resources/wasi/shim.wasm");
  }

  @Test
  void aModuleWiredToTheShimImportsItsMemoryAndTheShimmedCallsFromIt() throws Exception {
    var module = WasmBinary.parse(TestModules.testFunction("freadcat"));
    assertTrue(module.needsShim());
    var wired = module.wiredToShim(512);
    var text = new String(wired, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains(WasmBinary.SHIM_MODULE + "\u0007fd_read"), "fd_read comes from the shim");
    assertTrue(text.contains(WasmBinary.SHIM_MODULE + "\u0006memory"), "the memory is imported");
    assertFalse(text.contains("wasi_snapshot_preview1\u0007fd_read"), "no fd_read of the builtin is left");
  }

  @Test
  void aModuleThatOnlyWritesRunsWithoutTheShim(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertFalse(WasmBinary.parse(wat(dir, "fd_write")).needsShim(), "fd_write alone does not need the shim");
    assertTrue(WasmBinary.parse(wat(dir, "fd_read")).needsShim());
  }

  /** A module that imports {@code call} of WASI and exports _start, built with wat2wasm. */
  private static byte[] wat(Path dir, String call) throws Exception {
    var source = dir.resolve(call + ".wat");
    Files.writeString(source, "(module (import \"wasi_snapshot_preview1\" \"" + call
        + "\" (func (param i32 i32 i32 i32) (result i32))) (memory (export \"memory\") 1)"
        + " (func (export \"_start\")))");
    var built = dir.resolve(call + ".wasm");
    Process wat2wasm;
    try {
      wat2wasm = new ProcessBuilder("wat2wasm", source.toString(), "-o", built.toString()).inheritIO().start();
    } catch (java.io.IOException e) {
      Assumptions.abort("wat2wasm (wabt) is not installed");
      return null;
    }
    assertTrue(wat2wasm.waitFor() == 0, "wat2wasm failed");
    return Files.readAllBytes(built);
  }
}
