package org.hpcfaas.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hpcfaas.testing.RawSockets;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client cannot make a node hold more memory than configured: WebSocket messages, bulk bodies and bulk
 * outputs far larger than the limits (400 MB, generated as they are sent, never held by the test) are
 * refused while they arrive or before they are read, and the node stays healthy and serves everyone else.
 */
class BoundedMemoryTest {
  private static final long HUGE = 400L * 1024 * 1024;
  private static final int MIB = 1024 * 1024;
  private static final byte[] BLOCK = new byte[64 * 1024];

  static {
    Arrays.fill(BLOCK, (byte) 'x');
  }

  @TempDir
  static Path data;
  static TestNode node;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, """
        hpcfaas.limits.max-input-size = 1 MiB
        hpcfaas.limits.max-module-size = 2 MiB
        hpcfaas.limits.bulk-memory-budget = 8 MiB
        """);
    port = node.node.httpPort();
    assertEquals(201, node.deploy("echo", TestModules.example("echo"), "concurrency=16").statusCode());
    assertEquals(201, node.deploy("spew", TestModules.testFunction("spew"), "").statusCode());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void assertHealthyAndServing(String after) throws Exception {
    assertEquals(200, node.get("/health").statusCode(), "health after " + after);
    var r = node.invoke("echo", "still serving after " + after);
    assertEquals(200, r.statusCode(), () -> TestNode.text(r));
    assertEquals("still serving after " + after, TestNode.text(r));
    try (var ws = RawSockets.webSocket(port, "/v1/functions/echo/ws")) {
      ws.getOutputStream().write(RawSockets.frame(0x81, "ws still here".getBytes(StandardCharsets.UTF_8)));
      var reply = RawSockets.readFrame(ws.getInputStream());
      assertEquals("ws still here", reply.text(), "a WebSocket message is still echoed after " + after);
    }
  }

  /** Waits (generously) until the node's free bulk memory, as /metrics shows it, satisfies {@code condition}. */
  private static void awaitBulkMemoryFree(java.util.function.LongPredicate condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = TestNode.text(node.get("/metrics")).lines().filter(l -> l.startsWith("hpcfaas_bulk_memory_free_bytes"))
          .findFirst().orElse("");
      if (!last.isEmpty() && condition.test((long) Double.parseDouble(last.substring(last.lastIndexOf(' ') + 1)))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("bulk memory never reached the expected state: " + last);
  }

  private static RawSockets.Frame awaitClose(Socket ws) throws Exception {
    while (true) {
      var frame = RawSockets.readFrame(ws.getInputStream());
      if (frame.opcode() == 0x8) {
        return frame;
      }
    }
  }

  @Test
  void aWebSocketMessageOf400MegabytesInOneFrameIsClosedWith1009AsItArrives() throws Exception {
    try (var ws = RawSockets.webSocket(port, "/v1/functions/echo/ws")) {
      var out = ws.getOutputStream();
      out.write(RawSockets.frameHeader(0x82, HUGE));
      var sent = RawSockets.writeGenerated(out, HUGE, i -> BLOCK);
      var close = awaitClose(ws);
      System.out.println("BoundedMemoryTest one 400 MB frame: close " + close.closeCode() + " '"
          + new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8) + "'");
      assertEquals(1009, close.closeCode());
      ws.close();
      assertTrue(sent.get() < HUGE, "the node stopped reading long before 400 MB: " + sent.get());
    }
    assertHealthyAndServing("a 400 MB WebSocket frame");
  }

  @Test
  void aWebSocketMessageOf400MegabytesInManyFramesIsClosedWith1009AsItArrives() throws Exception {
    try (var ws = RawSockets.webSocket(port, "/v1/functions/echo/ws")) {
      var out = ws.getOutputStream();
      var fragment = new byte[256 * 1024];
      var first = RawSockets.frame(0x02, fragment);         // binary, not final
      var next = RawSockets.frame(0x00, fragment);          // continuation, not final
      var sent = RawSockets.writeGenerated(out, HUGE, i -> i == 0 ? first : next);
      var close = awaitClose(ws);
      System.out.println("BoundedMemoryTest 400 MB in 256 KiB frames: close " + close.closeCode());
      assertEquals(1009, close.closeCode());
      ws.close();
      assertTrue(sent.get() < HUGE, "the node stopped reading long before 400 MB: " + sent.get());
    }
    assertHealthyAndServing("a 400 MB fragmented WebSocket message");
  }

  @Test
  void aChunkedBulkBodyOf400MegabytesIsRefusedWith413AtTheLimit() throws Exception {
    for (var target : List.of("/v1/functions/echo/invoke?transfer=bulk", "/v1/functions/chunked-module",
        "/v1/functions/echo/invocations")) {
      try (var socket = RawSockets.connect(port)) {
        var out = socket.getOutputStream();
        var method = target.endsWith("chunked-module") ? "PUT" : "POST";
        out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        var chunk = new java.io.ByteArrayOutputStream();
        chunk.writeBytes((Integer.toHexString(BLOCK.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        chunk.writeBytes(BLOCK);
        chunk.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        var bytes = chunk.toByteArray();
        var sent = RawSockets.writeGenerated(out, HUGE, i -> bytes);
        var response = RawSockets.readResponse(socket.getInputStream());
        System.out.println("BoundedMemoryTest chunked 400 MB to " + target + ": " + response.status() + " " + response.text());
        assertEquals(413, response.status(), response::text);
        assertTrue(response.head().toLowerCase().contains("application/problem+json"), response.head());
        assertTrue(response.text().contains(target.contains("module") ? "module-too-large" : "input-too-large"),
            response.text());
        socket.close();
        assertTrue(sent.get() < HUGE, "the node stopped reading long before 400 MB: " + sent.get());
      }
    }
    assertHealthyAndServing("400 MB chunked bulk bodies");
  }

  @Test
  void aBulkBodyDeclaredAt400MegabytesIsRefusedBeforeItIsRead() throws Exception {
    try (var socket = RawSockets.connect(port)) {
      socket.getOutputStream().write(("POST /v1/functions/echo/invoke?transfer=bulk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Length: " + HUGE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      var response = RawSockets.readResponse(socket.getInputStream());
      assertEquals(413, response.status(), response::text);
      assertTrue(response.text().contains("input-too-large"), response.text());
    }
    assertHealthyAndServing("a 400 MB Content-Length");
  }

  @Test
  void bodiesBeyondTheNodesBudgetAreRefusedWith503BeforeTheyAreRead() throws Exception {
    // Eight uploads of 1 MiB each, half sent and held: the node's 8 MiB for bodies is spoken for.
    var held = new ArrayList<Socket>();
    try {
      for (int i = 0; i < 8; i++) {
        var socket = RawSockets.connect(port);
        socket.getOutputStream().write(("POST /v1/functions/echo/invoke?transfer=bulk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Length: " + MIB + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(new byte[MIB / 2]);
        socket.getOutputStream().flush();
        held.add(socket);
      }
      awaitBulkMemoryFree(free -> free == 0);
      var body = new byte[MIB];
      int refusedStatus = 0;
      String refused = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        var r = node.invoke("echo", body, "transfer=bulk");
        if (r.statusCode() == 503) {
          refusedStatus = r.statusCode();
          refused = TestNode.text(r);
          assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
          break;
        }
        Thread.sleep(100);
      }
      System.out.println("BoundedMemoryTest budget of 8 MiB held by 8 half-sent uploads: " + refusedStatus + " " + refused);
      assertEquals(503, refusedStatus, "a ninth body is refused while the budget is held");
      assertTrue(refused.contains("node-overloaded") && refused.contains("\"retriable\":true"), refused);
      // streamed calls need no room in the budget and go on meanwhile
      var streamed = node.invoke("echo", "streamed meanwhile".getBytes(StandardCharsets.UTF_8), "transfer=stream");
      assertEquals("streamed meanwhile", TestNode.text(streamed));
    } finally {
      for (var s : held) {
        s.close();
      }
    }
    // the cut-off uploads give their room back
    awaitBulkMemoryFree(free -> free == 8L * MIB);
    var body = new byte[MIB];
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int status = 0;
    while (System.nanoTime() < deadline && status != 200) {
      status = node.invoke("echo", body, "transfer=bulk").statusCode();
      Thread.sleep(100);
    }
    assertEquals(200, status, "the budget is free again once the uploads are gone");
    assertHealthyAndServing("a spent budget");
  }

  @Test
  void aBulkOutputBeyondTheNodesBudgetIsRefusedAsRetriable() throws Exception {
    // spew writes forever: its output would be stopped at max-output-size (64 MiB), but the node's 8 MiB
    // budget for bulk outputs runs out first.
    var r = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/spew/invoke?transfer=bulk"))
        .POST(HttpRequest.BodyPublishers.ofString("go")));
    System.out.println("BoundedMemoryTest bulk output past an 8 MiB budget: " + r.statusCode() + " " + TestNode.text(r));
    assertEquals(429, r.statusCode(), () -> TestNode.text(r));
    assertTrue(TestNode.text(r).contains("function-overloaded") && TestNode.text(r).contains("bulk-memory-budget"),
        TestNode.text(r));
    assertHealthyAndServing("a bulk output past the budget");
    awaitBulkMemoryFree(free -> free == 8L * MIB);
    // the whole budget is free again: a bulk body of the largest size is taken
    var full = node.invoke("echo", new byte[MIB], "transfer=bulk");
    assertEquals(200, full.statusCode(), () -> TestNode.text(full));
  }
}
