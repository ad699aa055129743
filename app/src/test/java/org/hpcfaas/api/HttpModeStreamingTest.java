package org.hpcfaas.api;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class HttpModeStreamingTest extends StreamingContract {
  @TempDir
  static Path data;

  @BeforeAll
  static void startNode() throws Exception {
    start(data, "http");
  }
}
