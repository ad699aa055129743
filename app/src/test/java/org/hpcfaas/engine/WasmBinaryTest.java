package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.Test;
import org.hpcfaas.core.ModuleKind;

class WasmBinaryTest {
  @Test
  void commandAndReactorAreToldApartByTheirExports() throws Exception {
    assertEquals(ModuleKind.COMMAND, WasmBinary.parse(TestModules.example("echo")).kind());
    assertEquals(ModuleKind.REACTOR, WasmBinary.parse(TestModules.example("greet")).kind());
  }

  @Test
  void memoryCapSetsTheMaximumOfAModuleThatHadNone() throws Exception {
    var capped = WasmBinary.parse(TestModules.example("echo")).withMemoryCap(100);
    var reparsed = WasmBinary.parse(capped);
    assertEquals(ModuleKind.COMMAND, reparsed.kind());
    assertArrayEquals(capped, reparsed.withMemoryCap(100), "capping twice changes nothing");
    assertTrue(capped.length > TestModules.example("echo").length, "the max adds bytes to the memory section");
  }

  @Test
  void moduleWhoseInitialMemoryIsAboveTheCapIsRejected() throws Exception {
    var binary = WasmBinary.parse(TestModules.emptyCommand(32));
    assertEquals(32, binary.initialPages());
    var e = assertThrows(InvalidModuleException.class, () -> binary.withMemoryCap(16));
    assertTrue(e.getMessage().contains("2 MiB of memory at start"), e.getMessage());
  }

  @Test
  void garbageIsNotAModule() {
    var e = assertThrows(InvalidModuleException.class, () -> WasmBinary.parse("hello, world".getBytes()));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void truncatedModuleIsRejected() {
    var echo = TestModules.example("echo");
    var e = assertThrows(InvalidModuleException.class, () -> WasmBinary.parse(Arrays.copyOf(echo, echo.length / 2)));
    assertTrue(e.getMessage().startsWith("truncated module"), e.getMessage());
  }

  @Test
  void moduleWithoutAnEntryPointIsRejected() {
    var module = TestModules.emptyCommand(1);
    module[module.length - 18 + 6] = (byte) 'x'; // rename the export _start -> _sxart
    var e = assertThrows(InvalidModuleException.class, () -> WasmBinary.parse(module).kind());
    assertTrue(e.getMessage().contains("exports neither _start"), e.getMessage());
  }
}
