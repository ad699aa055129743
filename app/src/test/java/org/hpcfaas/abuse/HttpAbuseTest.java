package org.hpcfaas.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hpcfaas.testing.RawSockets;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node against clients that misbehave at the HTTP and WebSocket level, over raw sockets: oversized
 * headers, byte-by-byte senders, bodies cut off mid-chunk, broken WebSocket frames, thousands of idle
 * connections. Each must cost the misbehaving client its connection at most: the node answers everyone else,
 * and leaves no call in flight and no memory reserved behind.
 */
class HttpAbuseTest {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  static Path data;
  static TestNode node;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, "");
    port = node.node.httpPort();
    assertEquals(201, node.deploy("echo", TestModules.example("echo"), "memoryMb=16&concurrency=8").statusCode());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** echo answers through the test's pooled client and on a brand-new connection. */
  private static void assertServesOn(String what) throws Exception {
    var pooled = node.invoke("echo", "still here after " + what);
    assertEquals(200, pooled.statusCode(), () -> TestNode.text(pooled));
    assertEquals("still here after " + what, TestNode.text(pooled));
    var fresh = RawHttp.echo(port, "fresh connection after " + what);
    assertEquals(200, fresh.status(), fresh::toString);
    assertEquals("fresh connection after " + what, fresh.text());
  }

  /** Waits (generously) until this node runs no call and has its whole instance memory budget free again. */
  private static long awaitNoCallInFlight() throws Exception {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(45).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      var member = TestNode.json(node.get("/v1/cluster")).at("/members/0");
      last = member.toString();
      if (member.get("inFlight").asInt() == 0 && member.get("memoryFreeMb").asInt() == member.get("memoryBudgetMb").asInt()) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("a call stayed in flight or kept its memory: " + last);
  }

  private static boolean awaitCallInFlight(Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (TestNode.json(node.get("/v1/cluster")).at("/members/0/inFlight").asInt() > 0) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  @Test
  void oversizedRequestHeadersAreA4xxAndTheNodeServesOn() throws Exception {
    var big = "a".repeat(100 * 1024);
    var oneHugeHeader = RawHttp.exchange(port, ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + big
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    var manyHeaders = new StringBuilder("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (int i = 0; i < 5000; i++) {
      manyHeaders.append("X-H").append(i).append(": ").append("v".repeat(16)).append("\r\n");
    }
    var thousandsOfHeaders = RawHttp.exchange(port, (manyHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
    var hugeUri = RawHttp.exchange(port, ("GET /v1/functions/echo?x=" + big + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    System.out.printf("HttpAbuseTest oversized: 100 KiB header -> %d, 5000 headers -> %d, 100 KiB URI -> %d%n",
        oneHugeHeader.status(), thousandsOfHeaders.status(), hugeUri.status());
    assertTrue(List.of(400, 431).contains(oneHugeHeader.status()), oneHugeHeader::toString);
    assertTrue(List.of(400, 431).contains(thousandsOfHeaders.status()), thousandsOfHeaders::toString);
    assertTrue(List.of(400, 414, 431).contains(hugeUri.status()), hugeUri::toString);
    assertServesOn("oversized headers");
  }

  @Test
  void slowClientsSendingByteByByteBlockNobodyElse() throws Exception {
    int slowClients = 10;
    var request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    var halfSent = new CountDownLatch(slowClients);
    var othersDone = new CountDownLatch(1);
    var pool = Executors.newFixedThreadPool(slowClients);
    try {
      var outcomes = new ArrayList<Future<String>>();
      for (int c = 0; c < slowClients; c++) {
        outcomes.add(pool.submit(() -> {
          try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            var out = socket.getOutputStream();
            try {
              for (int i = 0; i < request.length; i++) {
                if (i == request.length / 2) {
                  halfSent.countDown();
                  othersDone.await();
                }
                out.write(request[i]);
                out.flush();
                Thread.sleep(20);
              }
              var response = RawSockets.readResponse(socket.getInputStream());
              return response.status() == 200 ? "answered" : "answered " + response.status();
            } catch (IOException e) {
              return "dropped (" + e.getMessage() + ")";
            } finally {
              halfSent.countDown();
            }
          }
        }));
      }
      assertTrue(halfSent.await(60, TimeUnit.SECONDS), "the slow clients sent half their requests");
      // while every slow client sits on half a request, others are served: new connections and pooled ones
      int served = 0;
      for (int i = 0; i < 10; i++) {
        var fresh = RawHttp.echo(port, "meanwhile " + i);
        assertEquals(200, fresh.status(), fresh::toString);
        assertEquals("meanwhile " + i, fresh.text());
        assertEquals("pooled " + i, TestNode.text(node.invoke("echo", "pooled " + i)));
        served += 2;
      }
      othersDone.countDown();
      var results = new java.util.TreeMap<String, Integer>();
      for (var o : outcomes) {
        results.merge(o.get(120, TimeUnit.SECONDS), 1, Integer::sum);
      }
      System.out.printf("HttpAbuseTest slow clients: %d byte-by-byte senders %s; %d other calls served while they"
          + " were half-sent%n", slowClients, results, served);
      assertTrue(results.keySet().stream().allMatch(r -> r.equals("answered") || r.startsWith("dropped")), results::toString);
    } finally {
      othersDone.countDown();
      pool.shutdownNow();
    }
    assertServesOn("slow clients");
  }

  @Test
  void aBodyCutOffMidChunkLeavesNoCallInFlight() throws Exception {
    var cases = new java.util.LinkedHashMap<String, String>();
    cases.put("chunked, chunk of 1000 announced, 10 sent", "POST /v1/functions/echo/invoke HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n3e8\r\n0123456789");
    cases.put("chunked bulk, chunk of 1000 announced, 10 sent", "POST /v1/functions/echo/invoke?transfer=bulk HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n0123456789");
    cases.put("Content-Length 1000 streamed, 10 sent", "POST /v1/functions/echo/invoke?transfer=stream HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n0123456789");
    cases.put("Content-Length 1000 bulk, 10 sent", "POST /v1/functions/echo/invoke HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Length: 1000\r\n\r\n0123456789");
    for (var c : cases.entrySet()) {
      boolean started;
      try (var socket = new Socket("127.0.0.1", port)) {
        socket.getOutputStream().write(c.getValue().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        // a streamed call starts before its input has ended; a bulk one never starts
        started = c.getKey().contains("stream") || c.getKey().startsWith("chunked,") ? awaitCallInFlight(Duration.ofSeconds(10)) : false;
      }
      long freedMs = awaitNoCallInFlight();
      System.out.printf("HttpAbuseTest truncated body: %s: call started=%s, nothing in flight and all memory free %d ms"
          + " after the client closed%n", c.getKey(), started, freedMs);
    }
    assertServesOn("truncated bodies");
    awaitNoCallInFlight();
  }

  @Test
  void invalidWebSocketFramesCloseTheConnectionAndTheNodeServesOn() throws Exception {
    var rnd = new Random(7);
    // the hand-made client works: a valid masked text frame is echoed
    try (var ws = WebSocket.open(port, "/v1/functions/echo/ws")) {
      ws.send(WebSocket.frame(0x81, "hi".getBytes(StandardCharsets.UTF_8), true));
      var reply = ws.readFrame();
      assertEquals(0x81, reply[0] & 0xff, "a final text frame");
      assertEquals("hi", new String(reply, 2, reply.length - 2, StandardCharsets.UTF_8));
    }
    var garbage = new byte[64];
    rnd.nextBytes(garbage);
    garbage[0] = (byte) 0xff; // FIN, all three reserved bits, opcode 15
    var cases = new java.util.LinkedHashMap<String, byte[]>();
    cases.put("garbage bytes", garbage);
    cases.put("unmasked client frame", WebSocket.frame(0x81, "hello".getBytes(StandardCharsets.UTF_8), false));
    cases.put("reserved data opcode 0x3", WebSocket.frame(0x83, "hello".getBytes(StandardCharsets.UTF_8), true));
    cases.put("reserved control opcode 0xB", WebSocket.frame(0x8B, new byte[0], true));
    cases.put("RSV1 set without an extension", WebSocket.frame(0xC1, "hello".getBytes(StandardCharsets.UTF_8), true));
    cases.put("ping of 200 bytes (control frames hold 125)", WebSocket.frame(0x89, new byte[200], true));
    cases.put("fragmented ping", WebSocket.frame(0x09, new byte[4], true));
    cases.put("continuation without a start", WebSocket.frame(0x80, "x".getBytes(StandardCharsets.UTF_8), true));
    cases.put("text that is not UTF-8", WebSocket.frame(0x81, new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}, true));
    var closes = new java.util.LinkedHashMap<String, String>();
    for (var c : cases.entrySet()) {
      try (var ws = WebSocket.open(port, "/v1/functions/echo/ws")) {
        ws.send(c.getValue());
        var how = ws.awaitClosed(Duration.ofSeconds(20));
        closes.put(c.getKey(), how);
        assertTrue(!how.startsWith("open"), () -> c.getKey() + ": the connection stayed open");
      }
    }
    System.out.println("HttpAbuseTest invalid WebSocket frames: " + cases.size() + " cases, each closed: " + closes);
    assertServesOn("invalid WebSocket frames");
    awaitNoCallInFlight();
  }

  /**
   * A deploy refused by its query string (before its module is read) is answered after the client has sent
   * the whole body, and on a connection that stays open: answering first and closing with the body unread
   * would make the kernel reset the connection, and a client still sending would lose the answer.
   */
  @Test
  void aRequestRefusedBeforeItsBodyIsReadIsAnsweredAfterItOnAConnectionThatStaysOpen() throws Exception {
    int size = 2 << 20;
    try (var socket = RawSockets.connect(port)) {
      var out = socket.getOutputStream();
      out.write(("PUT /v1/functions/refused?mount=nosuch:/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + size
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      var block = new byte[64 << 10];
      for (int sent = 0; sent < size; sent += block.length) {
        out.write(block);
        out.flush();
        Thread.sleep(5);
      }
      var refused = RawSockets.readResponse(socket.getInputStream());
      assertEquals(400, refused.status(), refused::toString);
      assertTrue(refused.text().contains("unknown-volume"), refused::toString);
      assertTrue(!refused.head().toLowerCase(java.util.Locale.ROOT).contains("connection: close"), refused.head());
      out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      var next = RawSockets.readResponse(socket.getInputStream());
      assertEquals(200, next.status(), "the next request on the same connection: " + next);
    }
    assertEquals(404, node.get("/v1/functions/refused").statusCode());
    assertServesOn("a refused deploy's body");
  }

  @Test
  void twoThousandIdleConnectionsDoNotStopOthersFromBeingServed() throws Exception {
    holdIdleConnectionsWhileServing(2000);
  }

  /**
   * Opens up to {@code wanted} TCP connections in batches and sends nothing on them; meanwhile echo must answer on
   * new connections and on the test client's pooled one. Scaled down to what the open-files limit allows.
   */
  private static void holdIdleConnectionsWhileServing(int wanted) throws Exception {
    long limit = openFilesLimit();
    long open = openFiles();
    // each idle connection costs two descriptors in this JVM (the client's socket and the node's); keep 1000 spare
    int target = (int) Math.max(100, Math.min(wanted, (limit - open - 1000) / 2));
    System.out.printf("HttpAbuseTest idle connections: open-files limit %d, %d open, holding %d idle connections%n",
        limit, open, target);
    var idle = new ArrayList<Socket>();
    String refused = null;
    try {
      while (idle.size() < target && refused == null) {
        for (int i = 0; i < 100 && idle.size() < target; i++) {
          var s = new Socket();
          try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            idle.add(s);
          } catch (IOException e) {
            s.close();
            refused = "connection " + (idle.size() + 1) + ": " + e;
            break;
          }
        }
      }
      // every connection sits idle; the node still serves new connections and pooled ones
      int ok = 0;
      var failures = new ArrayList<String>();
      for (int i = 0; i < 5; i++) {
        try {
          var fresh = RawHttp.echo(port, "busy " + i);
          if (fresh.status() == 200 && fresh.text().equals("busy " + i)) {
            ok++;
          } else {
            failures.add("new connection: " + fresh);
          }
        } catch (IOException e) {
          failures.add("new connection: " + e);
        }
        var pooled = node.invoke("echo", "pooled " + i);
        if (pooled.statusCode() == 200) {
          ok++;
        } else {
          failures.add("pooled: " + pooled.statusCode());
        }
      }
      int stillOpen = 0;
      for (var s : idle) {
        s.setSoTimeout(1);
        try {
          stillOpen += s.getInputStream().read() == -1 ? 0 : 1;
        } catch (SocketTimeoutException e) {
          stillOpen++;
        } catch (IOException e) {
          // reset by the node
        }
      }
      System.out.printf("HttpAbuseTest idle connections: %d of %d opened%s, %d still open, %d/10 calls succeeded"
          + " meanwhile %s%n", idle.size(), target, refused == null ? "" : " (then refused: " + refused + ")", stillOpen,
          ok, failures);
      assertEquals(target, idle.size(), "every idle connection was accepted");
      assertEquals(List.of(), failures);
    } finally {
      for (var s : idle) {
        s.close();
      }
    }
    assertServesOn("idle connections");
  }

  private static long openFilesLimit() throws IOException {
    for (var line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        var soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? Long.MAX_VALUE / 4 : Long.parseLong(soft);
      }
    }
    return 1024;
  }

  private static long openFiles() throws IOException {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  // ---------------------------------------------------------------------------------------------------

  /** HTTP/1.1 by hand, one request per connection. */
  static final class RawHttp {
    static RawSockets.Response echo(int port, String text) throws IOException {
      var body = text.getBytes(StandardCharsets.UTF_8);
      var head = "POST /v1/functions/echo/invoke HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + body.length + "\r\n\r\n";
      var out = new ByteArrayOutputStream();
      out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(body);
      return exchange(port, out.toByteArray());
    }

    static RawSockets.Response exchange(int port, byte[] request) throws IOException {
      try (var socket = RawSockets.connect(port)) {
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        return RawSockets.readResponse(socket.getInputStream());
      }
    }

  }

  /** The client side of RFC 6455 by hand, to send what no real client library would. */
  static final class WebSocket implements AutoCloseable {
    private final Socket socket;

    private WebSocket(Socket socket) {
      this.socket = socket;
    }

    static WebSocket open(int port, String path) throws IOException {
      var socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      var key = new byte[16];
      new Random().nextBytes(key);
      var request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      var head = new ByteArrayOutputStream();
      var in = socket.getInputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          socket.close();
          throw new IOException("closed during the handshake: " + head);
        }
        head.write(b);
      }
      if (!head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101")) {
        socket.close();
        fail("no WebSocket upgrade: " + head);
      }
      return new WebSocket(socket);
    }

    /** One frame: {@code first} is the FIN/RSV/opcode byte; client frames must be masked. */
    static byte[] frame(int first, byte[] payload, boolean masked) {
      var out = new ByteArrayOutputStream();
      out.write(first);
      int mask = masked ? 0x80 : 0;
      if (payload.length < 126) {
        out.write(mask | payload.length);
      } else {
        out.write(mask | 126);
        out.write(payload.length >>> 8);
        out.write(payload.length & 0xff);
      }
      if (masked) {
        var key = new byte[] {0x12, 0x34, 0x56, 0x78};
        out.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
          out.write(payload[i] ^ key[i % 4]);
        }
      } else {
        out.writeBytes(payload);
      }
      return out.toByteArray();
    }

    void send(byte[] bytes) throws IOException {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    }

    /** One unmasked server frame of up to 125 bytes: its first byte, its length byte, its payload. */
    byte[] readFrame() throws IOException {
      var in = socket.getInputStream();
      int first = in.read();
      int len = in.read() & 0x7f;
      var out = new ByteArrayOutputStream();
      out.write(first);
      out.write(len);
      out.writeBytes(in.readNBytes(len));
      return out.toByteArray();
    }

    /** How the server ended the connection (close frame code, end of stream, reset), or "open" if it did not. */
    String awaitClosed(Duration limit) throws IOException {
      socket.setSoTimeout((int) limit.toMillis());
      var in = socket.getInputStream();
      var seen = new ByteArrayOutputStream();
      try {
        int b;
        while ((b = in.read()) >= 0) {
          seen.write(b);
        }
        var bytes = seen.toByteArray();
        if (bytes.length >= 4 && (bytes[0] & 0x0f) == 0x8) {
          return "close frame " + (((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff)) + ", then end of stream";
        }
        return "end of stream after " + bytes.length + " byte(s)";
      } catch (SocketTimeoutException e) {
        return "open after " + limit.toSeconds() + " s (" + seen.size() + " byte(s) received)";
      } catch (IOException e) {
        return "reset (" + e.getMessage() + ")";
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
