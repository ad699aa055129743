package org.hpcfaas.engine;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class with one engine of its own, set up as a node sets it up (two instances of each command made
 * ahead of its calls), its scratch space in a temporary directory.
 */
abstract class WithEngine {
  @TempDir
  static Path scratch;
  static WasmEngine engine;

  @BeforeAll
  static void startEngine() {
    engine = new WasmEngine(new EngineSettings(4096, 1024, 1000, 0.125, scratch, 1 << 20, java.util.Map.of(),
        WarmUp.Settings.OFF, 60_000, 2));
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }
}
