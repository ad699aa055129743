package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.RawSockets;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A streamed call whose function ends before its input does, or fails as it writes its only output (a C
 * program's stdio writes it as the program exits), is answered with its outcome: a problem document the
 * client reads whole, never a 200 cut off or a connection reset, even while the client still sends. Through
 * the worker's own node and through a gateway on another node, in both modes.
 */
class EarlyAnswerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path data;

  @ParameterizedTest
  @ValueSource(strings = {"cluster", "http"})
  void aFunctionThatEndsBeforeItsInputIsAnsweredWithItsOutcome(String mode) throws Exception {
    var config = "hpcfaas.mode = " + mode + "\n";
    try (var worker = TestNode.start(data.resolve("worker"), config);
         var gateway = TestNode.start(data.resolve("gateway"), config
             + "pekko.cluster.roles = [gateway]\npekko.cluster.seed-nodes = [\"pekko://hpcfaas@" + worker.clusterAddress() + "\"]\n")) {
      Await.until(Duration.ofSeconds(60), "the gateway reaches the worker",
          () -> json(gateway.get("/health")).get("workersReachable").asInt() == 1);
      assertEquals(201, worker.deploy("fail", TestModules.testFunction("fail"), "").statusCode());
      Await.until(Duration.ofSeconds(60), "the gateway knows fail", () -> gateway.get("/v1/functions/fail").statusCode() == 200);
      for (var via : new TestNode[] {worker, gateway}) {
        var where = mode + " mode, via " + (via == worker ? "its node" : "the other node");
        for (int i = 0; i < 10; i++) {
          assertExitedWith7(emptyChunkedUpload(via.node.httpPort()), "an empty chunked upload, " + where);
        }
        for (int i = 0; i < 3; i++) {
          assertExitedWith7(wholeUploadThenRead(via.node.httpPort(), 20 << 20), "20 MiB sent before reading, " + where);
        }
        // the JDK's client sends the whole body before it reads the answer
        var r = via.send(HttpRequest.newBuilder(URI.create(via.url + "/v1/functions/fail/invoke"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(20 << 20))));
        assertEquals(500, r.statusCode(), () -> where + ": " + text(r));
        assertEquals(7, json(r).get("exitCode").asInt(), where);
      }
    }
  }

  private static void assertExitedWith7(RawSockets.Response r, String what) throws Exception {
    assertEquals(500, r.status(), () -> what + ": " + r.head() + r.text());
    var problem = JSON.readTree(r.body());
    assertEquals("urn:hpcfaas:problem:function-exit", problem.get("type").asText(), what);
    assertEquals(7, problem.get("exitCode").asInt(), what);
    assertTrue(problem.get("stderr").asText().contains("something went wrong"), what);
  }

  /** The head, then (as curl and the CLI do) the last chunk in a write of its own. */
  private static RawSockets.Response emptyChunkedUpload(int port) throws Exception {
    try (var socket = RawSockets.connect(port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return RawSockets.readResponse(socket.getInputStream());
    }
  }

  /** Writes the whole chunked body first, the way a client that reads only afterwards does. */
  private static RawSockets.Response wholeUploadThenRead(int port, int size) throws Exception {
    try (var socket = RawSockets.connect(port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head().getBytes(StandardCharsets.US_ASCII));
      var block = new byte[64 * 1024];
      var chunkHead = (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      for (int sent = 0; sent < size; sent += block.length) {
        out.write(chunkHead);
        out.write(block);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return RawSockets.readResponse(socket.getInputStream());
    }
  }

  private static String head() {
    return "POST /v1/functions/fail/invoke HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  }

  /** {@code size} zero bytes, generated as they are read. */
  private static final class Zeros extends InputStream {
    private long left;

    Zeros(long size) {
      this.left = size;
    }

    @Override
    public int read() {
      return left-- > 0 ? 0 : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      left -= n;
      return n;
    }
  }
}
