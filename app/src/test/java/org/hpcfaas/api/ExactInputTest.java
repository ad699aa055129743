package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.hpcfaas.testing.ChoppyInputStream;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An ordinary C program that reads stdin with fread gets exactly its input, whatever the transfer and
 * however the bytes arrive: bulk, chunked uploads in random pieces with pauses, WebSocket stream mode
 * with random message sizes, async calls, through its own node and through a gateway on another node.
 */
class ExactInputTest {
  @TempDir
  Path data;

  @ParameterizedTest
  @ValueSource(strings = {"cluster", "http"})
  void freadSeesExactlyItsInputOnEveryPathInBothModes(String mode) throws Exception {
    var config = "hpcfaas.mode = " + mode + "\n";
    try (var worker = TestNode.start(data.resolve("worker"), config);
         var gateway = TestNode.start(data.resolve("gateway"), config
             + "pekko.cluster.roles = [gateway]\npekko.cluster.seed-nodes = [\"pekko://hpcfaas@" + worker.clusterAddress() + "\"]\n")) {
      await(() -> json(gateway.get("/health")).get("workersReachable").asInt() == 1);
      assertEquals(201, worker.deploy("freadcat", TestModules.testFunction("freadcat"), "").statusCode());
      await(() -> gateway.get("/v1/functions/freadcat").statusCode() == 200);
      var random = new Random(3);
      int[] buffers = {65536, 4096, 100_000, 3};
      for (int round = 0; round < 8; round++) {
        int buffer = buffers[round % buffers.length];
        var via = round % 2 == 0 ? gateway : worker;
        var where = mode + ", round " + round + ", fread(" + buffer + ") via " + (via == gateway ? "the other node" : "its node");
        var query = "?arg=" + buffer;

        var small = bytes(random, 200_000 + random.nextInt(300_000));
        var bulk = via.send(post(via, "/invoke" + query + "&transfer=bulk", HttpRequest.BodyPublishers.ofByteArray(small)));
        assertEquals(200, bulk.statusCode(), () -> text(bulk));
        assertArrayEquals(small, bulk.body(), "bulk, " + where);

        var large = bytes(random, 1 << 20 | random.nextInt(2 << 20));
        long seed = random.nextLong();
        var chunked = via.send(post(via, "/invoke" + query,
            HttpRequest.BodyPublishers.ofInputStream(() -> new ChoppyInputStream(large, seed, 1 + random.nextInt(40_000)))));
        assertEquals(200, chunked.statusCode(), () -> text(chunked));
        assertArrayEquals(large, chunked.body(), "chunked upload in random pieces, " + where);

        assertArrayEquals(large, webSocketStream(via, query, large, random), "WebSocket stream mode, " + where);

        var submitted = via.send(post(via, "/invocations" + query, HttpRequest.BodyPublishers.ofByteArray(small)));
        assertEquals(202, submitted.statusCode(), () -> text(submitted));
        var id = json(submitted).get("id").asText();
        await(() -> !json(via.get("/v1/invocations/" + id)).get("status").asText().equals("running"));
        assertArrayEquals(small, via.get("/v1/invocations/" + id + "/output").body(), "async, " + where);
      }
    }
  }

  private static byte[] bytes(Random random, int size) {
    var b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  private static HttpRequest.Builder post(TestNode node, String path, HttpRequest.BodyPublisher body) {
    return HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/freadcat" + path)).POST(body);
  }

  /** Sends {@code input} as binary messages of random sizes, an empty one to end it; returns what came back. */
  private static byte[] webSocketStream(TestNode node, String query, byte[] input, Random random) throws Exception {
    var output = new ByteArrayOutputStream();
    var closed = new CompletableFuture<Integer>();
    var ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
        URI.create(node.url.replace("http", "ws") + "/v1/functions/freadcat/ws" + query + "&stream=true"),
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            synchronized (output) {
              while (data.hasRemaining()) {
                output.write(data.get());
              }
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            closed.completeExceptionally(new AssertionError("a problem came back: " + data));
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    for (int pos = 0; pos < input.length; ) {
      int n = Math.min(input.length - pos, 1 + random.nextInt(30_000));
      ws.sendBinary(ByteBuffer.wrap(input, pos, n), true).get(10, TimeUnit.SECONDS);
      pos += n;
      if (random.nextInt(20) == 0) {
        Thread.sleep(2);
      }
    }
    ws.sendBinary(ByteBuffer.allocate(0), true).get(10, TimeUnit.SECONDS);
    assertEquals(1000, closed.get(60, TimeUnit.SECONDS));
    synchronized (output) {
      return output.toByteArray();
    }
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void await(Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within 60 s");
      }
      Thread.sleep(100);
    }
  }
}
