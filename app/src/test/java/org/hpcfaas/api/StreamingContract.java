package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Streaming, WebSocket and async invocations against one real node; run once per mode by its
 * subclasses (on one node a call takes the local path in either mode: the gateway hands it to its own
 * worker directly).
 */
abstract class StreamingContract {
  static TestNode node;

  static void start(Path data, String mode) throws Exception {
    node = TestNode.start(data, "hpcfaas.mode = " + mode + "\nhpcfaas.limits.max-input-size = 1 MiB\n");
    for (var name : List.of("echo", "upper", "sha256")) {
      assertEquals(201, node.deploy(name, TestModules.example(name), "").statusCode());
    }
    for (var name : List.of("midfail", "trap", "fail")) {
      assertEquals(201, node.deploy(name, TestModules.testFunction(name), "timeoutMs=20000").statusCode());
    }
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void largeChunkedUploadIsDigestedAsItStreams() throws Exception {
    long size = 48L << 20;
    var digest = MessageDigest.getInstance("SHA-256");
    var body = HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size, digest));
    var r = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/sha256/invoke")).POST(body));
    assertEquals(200, r.statusCode(), () -> text(r));
    assertEquals(HexFormat.of().formatHex(digest.digest()) + "\n", text(r));
  }

  @Test
  void outputArrivesBeforeTheInputHasEnded() throws Exception {
    try (var socket = new Socket("127.0.0.1", node.node.httpPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/functions/upper/invoke HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
          + "Content-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      chunk(out, "first line\n");
      var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      assertEquals("HTTP/1.1 200 OK", in.readLine());
      assertTrue(readUntil(in, "FIRST LINE"), "the first line's output came back while the upload is still open");
      chunk(out, "second line\n");
      assertTrue(readUntil(in, "SECOND LINE"));
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(readUntil(in, "0"), "the chunked response ends");
    }
  }

  @Test
  void timeLimitDoesNotCountTheWaitForASlowUploader() throws Exception {
    assertEquals(201, node.deploy("quick", TestModules.example("upper"), "timeoutMs=1000").statusCode());
    try (var socket = new Socket("127.0.0.1", node.node.httpPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/functions/quick/invoke HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      chunk(out, "slow\n");
      var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      assertEquals("HTTP/1.1 200 OK", in.readLine());
      assertTrue(readUntil(in, "SLOW"));
      Thread.sleep(2500);
      chunk(out, "producer\n");
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(readUntil(in, "PRODUCER"), "still running 2.5 s later: waiting for input is not running time");
    }
  }

  @Test
  void failureAfterOutputBeganEndsTheResponseAbnormally() throws Exception {
    var request = HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/midfail/invoke?transfer=stream"))
        .POST(HttpRequest.BodyPublishers.ofString("some input"));
    var e = assertThrows(IOException.class, () -> node.send(request));
    assertTrue(e.getMessage() != null, "a truncated chunked response is an error, not a success");
    assertEquals("still here", text(node.invoke("echo", "still here")));
  }

  @Test
  void failureBeforeAnyOutputIsAProperProblemEvenWhenStreaming() throws Exception {
    var r = node.invoke("trap", new byte[0], "transfer=stream");
    assertEquals(500, r.statusCode());
    assertEquals("urn:hpcfaas:problem:function-trap", json(r).get("type").asText());
  }

  @Test
  void clientThatDisconnectsMidUploadLeavesNothingBehind() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (var socket = new Socket("127.0.0.1", node.node.httpPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/functions/sha256/invoke HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        chunk(out, "x".repeat(100_000));
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      var cluster = json(node.get("/v1/cluster")).at("/members/0");
      if (cluster.get("inFlight").asInt() == 0
          && cluster.get("memoryFreeMb").asInt() == cluster.get("memoryBudgetMb").asInt()) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "abandoned calls end and release their instances: " + cluster);
      Thread.sleep(100);
    }
    assertEquals("ok", text(node.invoke("echo", "ok")));
  }

  @Test
  void webSocketMessageModeAnswersEachMessageInOrder() throws Exception {
    var listener = new Collector();
    var ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(node.url.replace("http", "ws") + "/v1/functions/upper/ws"), listener).get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 20; i++) {
      ws.sendText("message " + i, true).get(5, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 20; i++) {
      assertEquals("text:MESSAGE " + i, listener.next());
    }
    ws.sendBinary(ByteBuffer.wrap("bytes".getBytes()), true).get(5, TimeUnit.SECONDS);
    assertEquals("binary:BYTES", listener.next());
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  @Test
  void webSocketMessageModeReportsAFailureAsAProblemMessage() throws Exception {
    var listener = new Collector();
    var ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(node.url.replace("http", "ws") + "/v1/functions/fail/ws"), listener).get(10, TimeUnit.SECONDS);
    ws.sendText("x", true).get(5, TimeUnit.SECONDS);
    var reply = listener.next();
    assertTrue(reply.startsWith("text:{") && reply.contains("urn:hpcfaas:problem:function-exit"), reply);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  @Test
  void webSocketStreamModeIsOneInvocation() throws Exception {
    var listener = new Collector();
    var ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(node.url.replace("http", "ws") + "/v1/functions/upper/ws?stream=true"), listener)
        .get(10, TimeUnit.SECONDS);
    ws.sendText("hello ", true).get(5, TimeUnit.SECONDS);
    assertEquals("binary:HELLO ", listener.next(), "output streams back while the input is open");
    ws.sendBinary(ByteBuffer.wrap("world".getBytes()), true).get(5, TimeUnit.SECONDS);
    assertEquals("binary:WORLD", listener.next());
    ws.sendBinary(ByteBuffer.allocate(0), true).get(5, TimeUnit.SECONDS);
    assertEquals("close:1000", listener.next());
  }

  @Test
  void webSocketStreamModeClosesWith1011AfterAProblemWhenTheFunctionFails() throws Exception {
    var listener = new Collector();
    var ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(node.url.replace("http", "ws") + "/v1/functions/trap/ws?stream=true"), listener)
        .get(10, TimeUnit.SECONDS);
    var problem = listener.next(); // the function traps at once, whatever its input
    assertTrue(problem.startsWith("text:{") && problem.contains("urn:hpcfaas:problem:function-trap"), problem);
    assertEquals("close:1011", listener.next(), "closed with 1011 after the problem");
  }

  @Test
  void asyncInvocationRunsInTheBackground() throws Exception {
    var submitted = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/upper/invocations"))
        .POST(HttpRequest.BodyPublishers.ofString("later")));
    assertEquals(202, submitted.statusCode());
    var id = json(submitted).get("id").asText();
    assertEquals("/v1/invocations/" + id, submitted.headers().firstValue("Location").orElseThrow());
    var record = awaitFinished(id);
    assertEquals("succeeded", record.get("status").asText(), record::toString);
    assertEquals("LATER", record.get("output").asText());
    assertEquals(0, record.get("exitCode").asInt());
    assertTrue(record.get("node").asText().startsWith("pekko://"));
    assertEquals("LATER", text(node.get("/v1/invocations/" + id + "/output")));

    var failing = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/fail/invocations"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    var failed = awaitFinished(json(failing).get("id").asText());
    assertEquals("failed", failed.get("status").asText());
    assertEquals(7, failed.get("exitCode").asInt());
    assertEquals("something went wrong: bad input\n", failed.get("stderr").asText());
    assertEquals("urn:hpcfaas:problem:function-exit", failed.at("/problem/type").asText());
    assertEquals(404, node.get("/v1/invocations/no-such-id").statusCode());
  }

  private static com.fasterxml.jackson.databind.JsonNode awaitFinished(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      var record = json(node.get("/v1/invocations/" + id));
      if (!record.get("status").asText().equals("running") || System.nanoTime() > deadline) {
        return record;
      }
      Thread.sleep(50);
    }
  }

  private static void chunk(OutputStream out, String data) throws IOException {
    var bytes = data.getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static boolean readUntil(BufferedReader in, String expected) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals(expected)) {
        return true;
      }
    }
    return false;
  }

  /** A generated input of {@code size} bytes whose digest is computed as it is read. */
  static final class PatternStream extends InputStream {
    private final long size;
    private final MessageDigest digest;
    private long position;

    PatternStream(long size, MessageDigest digest) {
      this.size = size;
      this.digest = digest;
    }

    @Override
    public int read() {
      var one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) ((position + i) * 31 % 251);
      }
      digest.update(b, off, n);
      position += n;
      return n;
    }
  }

  /** Collects what a WebSocket receives, as "text:...", "binary:..." and "close:CODE". */
  static final class Collector implements WebSocket.Listener {
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final List<Byte> binary = new ArrayList<>();

    String next() throws InterruptedException {
      var next = received.poll(20, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("nothing received in 20 s");
      }
      return next;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        received.add("text:" + text);
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      while (data.hasRemaining()) {
        binary.add(data.get());
      }
      if (last) {
        var bytes = new byte[binary.size()];
        for (int i = 0; i < bytes.length; i++) {
          bytes[i] = binary.get(i);
        }
        received.add("binary:" + new String(bytes, StandardCharsets.UTF_8));
        binary.clear();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      received.add("close:" + statusCode);
      return CompletableFuture.completedFuture(null);
    }
  }
}
