package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.Test;
import org.hpcfaas.core.Outcome;

/** The WASI calls the runtime supplies itself: poll_oneoff (clocks and stdin), sock_* on non-sockets, path calls. */
class WasiCallsTest extends WithEngine {
  private static final long TIMEOUT_MS = 30_000;
  private static String run(InputStream stdin, String... args) throws Exception {
    var module = TestModules.testFunction("wasicalls");
    var compiled = engine.compile(WasmEngineTest.sha(module), module, 64, TIMEOUT_MS);
    var argv = new ArrayList<>(List.of("wasicalls"));
    argv.addAll(List.of(args));
    var out = new ByteArrayOutputStream();
    var outcome = engine.runCommand(compiled, new Invocation("id", "wasicalls", argv, Map.of(), List.of(), stdin, out, -1),
        TIMEOUT_MS);
    assertInstanceOf(Outcome.Succeeded.class, outcome, outcome::toString);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void nanosleepSleepsAsLongAsAsked() throws Exception {
    assertEquals("slept enough\nslept enough\n", run(InputStream.nullInputStream(), "sleep", "150", "sleep", "1"));
  }

  @Test
  void socketCallsOnOtherDescriptorsSayWhy() throws Exception {
    assertEquals("errno 57\nerrno 57\nerrno 8\n", run(InputStream.nullInputStream(), "shutdown", "1", "shutdown", "0",
        "shutdown", "99"), "ENOTSOCK for stdio, EBADF for a descriptor that is not open");
  }

  @Test
  void fileCallsFailAsPosixSays() throws Exception {
    assertEquals("errno 31\nerrno 54\nerrno 8\nerrno 28\n", run(InputStream.nullInputStream(), "unlinkdir", "unlinkslash",
        "seekdir", "times"), "EISDIR, ENOTDIR, EBADF, EINVAL (the builtin: removes, unlinks, seeks, takes one time)");
  }

  @Test
  void symbolicLinksAreLinks() throws Exception {
    assertEquals("6 target # lnk errno 32 errno 32 ok errno 63 x\n", run(InputStream.nullInputStream(), "links"),
        "readlink gives the text and its length, nothing more; lstat sees a link; O_NOFOLLOW and a loop are ELOOP; "
            + "a link to a directory is unlinked; a directory cannot be hard-linked (EPERM); a link's text is relative "
            + "to its own directory");
  }

  @Test
  void pathCallsAnswerPosixErrnos() throws Exception {
    assertEquals("ok errno 55\n3 2 5\nerrno 54 errno 54\nerrno 31\nerrno 28\n", run(InputStream.nullInputStream(), "rename",
        "pwriteappend", "slash", "readdirfd", "nul"), "rename over an empty directory, ENOTEMPTY; pwrite appends and "
            + "keeps the offset; ENOTDIR, EISDIR; EINVAL for a NUL (the builtin traps)");
  }

  @Test
  void pollOnStdinAndAClockReportsWhicheverIsReadyFirst() throws Exception {
    assertEquals("stdin 5\n", run(new ByteArrayInputStream("hello".getBytes(StandardCharsets.US_ASCII)), "poll"));
    try (var silent = new PipedInputStream(); var writer = new PipedOutputStream(silent)) {
      assertEquals("clock\n", run(silent, "poll"), "nothing arrives on stdin within the clock's 200 ms");
    }
  }
}
