package org.hpcfaas.abuse;

import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that trickle their input or stop reading cannot hold the node's WASM threads. */
class StalledClientsTest {
  @TempDir
  Path data;

  @Test
  void asManyStalledClientsAsWasmThreadsLeaveOtherCallsServed() throws Exception {
    try (var node = TestNode.start(data, "hpcfaas.wasm.threads = 2\nhpcfaas.wasm.stall-allowance = 2s\n")) {
      int port = Integer.parseInt(node.url.substring(node.url.lastIndexOf(':') + 1));
      assertEquals(201, node.deploy("freadcat", TestModules.testFunction("freadcat"), "timeoutMs=3000").statusCode());
      assertEquals(201, node.deploy("spew", TestModules.testFunction("spew"), "timeoutMs=3000").statusCode());
      assertEquals(201, node.deploy("echo", TestModules.example("echo"), "").statusCode());

      // one trickles its upload, a byte every 200 ms (never silent long enough for the input-stall timeout)
      var trickler = new Socket("127.0.0.1", port);
      trickler.setSoTimeout(120_000);
      var up = trickler.getOutputStream();
      up.write(("POST /v1/functions/freadcat/invoke?transfer=stream HTTP/1.1\r\nHost: x\r\n"
          + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      up.flush();
      var trickle = Thread.ofPlatform().daemon().start(() -> {
        try {
          while (true) {
            up.write("1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            up.flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException e) {
          // the node closed the call, or the test ended
        }
      });
      // the other asks for an endless streamed output and never reads a byte of it
      var sleeper = new Socket();
      sleeper.setReceiveBufferSize(4096);
      sleeper.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      sleeper.getOutputStream().write(("POST /v1/functions/spew/invoke?transfer=stream HTTP/1.1\r\nHost: x\r\n"
          + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      sleeper.getOutputStream().flush();
      try {
        Await.until(Duration.ofSeconds(30), "both WASM threads held by the stalled clients",
            () -> busyThreads(node) == 2);

        for (int i = 0; i < 3; i++) {
          var r = node.invoke("echo", "served " + i);
          assertEquals(200, r.statusCode(), () -> text(r));
          assertEquals("served " + i, text(r));
        }
        var answer = new String(readHead(trickler.getInputStream()), StandardCharsets.UTF_8);
        assertTrue(answer.startsWith("HTTP/1.1 504"), answer);
        assertTrue(answer.contains("function-stalled"), answer);
        Await.until(Duration.ofSeconds(30), "no WASM thread held",
            () -> busyThreads(node) == 0);
      } finally {
        trickle.interrupt();
        trickler.close();
        sleeper.close();
      }
    }
  }

  @Test
  void aStreamModeWebSocketRequestWithoutUpgradeStartsNoCall() throws Exception {
    try (var node = TestNode.start(data, "hpcfaas.wasm.threads = 1\n")) {
      assertEquals(201, node.deploy("freadcat", TestModules.testFunction("freadcat"), "").statusCode());
      for (int i = 0; i < 3; i++) {
        var plain = node.get("/v1/functions/freadcat/ws?stream=true");
        assertEquals(400, plain.statusCode(), () -> text(plain));
      }
      assertTrue(!Await.within(Duration.ofSeconds(3), () -> busyThreads(node) > 0), "a call started without an upgrade");
      var r = node.invoke("freadcat", "the thread is free");
      assertEquals("the thread is free", text(r));
    }
  }

  @Test
  void aCallStillWaitingForAWasmThreadPastItsQueueWaitIsDroppedNotRunLate() throws Exception {
    var volume = java.nio.file.Files.createDirectories(data.resolve("count"));
    try (var node = TestNode.start(data.resolve("node"), "hpcfaas.wasm.threads = 1\nhpcfaas.invoke.max-queue-wait = 1s\n"
        + "hpcfaas.volumes.count { path = \"" + volume.toString().replace("\\", "/") + "\" }\n")) {
      assertEquals(201, node.deploy("loop", TestModules.testFunction("loop"), "timeoutMs=4000").statusCode());
      assertEquals(201, node.deploy("runcount", TestModules.testFunction("runcount"), "mount=count:/count").statusCode());
      var looping = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return node.invoke("loop", "").statusCode();
        } catch (Exception e) {
          return -1;
        }
      });
      Await.until(Duration.ofSeconds(30), "the loop holds the only WASM thread", () -> busyThreads(node) == 1);
      // admitted by its function at once, then left waiting for the thread longer than max-queue-wait
      var late = node.invoke("runcount", "late".getBytes(StandardCharsets.UTF_8), "");
      assertEquals(429, late.statusCode(), () -> text(late));
      assertTrue(text(late).contains("function-overloaded"), () -> text(late));
      assertEquals(504, looping.get());
      assertTrue(!java.nio.file.Files.exists(volume.resolve("runs")), "the dropped call ran after all");
      assertEquals("ran\n", text(node.invoke("runcount", "now".getBytes(StandardCharsets.UTF_8), "")));
    }
  }

  private static int busyThreads(TestNode node) throws Exception {
    return text(node.get("/metrics")).lines().filter(l -> l.startsWith("hpcfaas_wasm_busy_threads"))
        .mapToInt(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
  }

  /** The response head and the first bytes of its body, as far as they came in one go after the head. */
  private static byte[] readHead(InputStream in) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    var buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
      if (out.toString(StandardCharsets.UTF_8).contains("function-")) {
        break;
      }
    }
    return out.toByteArray();
  }
}
