package org.hpcfaas.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hpcfaas.Node;

/** A real node on ephemeral loopback ports, and a real HTTP client to talk to it. */
public final class TestNode implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final Node node;
  public final String url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(Node node) {
    this.node = node;
    this.url = "http://127.0.0.1:" + node.httpPort();
  }

  /** This node's cluster address, as other nodes name it in --seed (HOST:PORT). */
  public String clusterAddress() {
    var a = node.system().address();
    return a.getHost().get() + ":" + a.getPort().get();
  }

  /** One cluster secret for every node the tests start, so that nodes started apart join one cluster. */
  public static synchronized Path sharedSecret() throws IOException {
    if (sharedSecret == null) {
      var dir = java.nio.file.Files.createTempDirectory("hpcfaas-test-secret").resolve("secret");
      org.hpcfaas.auth.ClusterSecret.create(dir);
      sharedSecret = dir;
    }
    return sharedSecret;
  }

  private static Path sharedSecret;

  /**
   * Starts a node with its data in {@code dataDir}; {@code extraConfig} (HOCON) overrides application.conf.
   * Nodes share {@link #sharedSecret()} unless {@code extraConfig} names another.
   */
  public static TestNode start(Path dataDir, String extraConfig) throws Exception {
    var config = ConfigFactory.parseString(extraConfig)
        .withFallback(ConfigFactory.parseString("""
            hpcfaas.http.port = 0
            # the suite deploys hundreds of modules; their warm-ups would only compete with the tests (WarmUpTest covers it)
            hpcfaas.wasm.warm-up.calls = 0
            # instances made ahead hold budget memory, which tests that wait for a quiet node's budget to be all
            # free would not see come back (ReadyCommandsTest and GuestParametersTest turn them on)
            hpcfaas.wasm.ready-instances = 0
            pekko.remote.artery.canonical.port = 0
            hpcfaas.data-dir = "%s"
            hpcfaas.cluster.secret-dir = "%s"
            """.formatted(dataDir.toString().replace("\\", "/"), sharedSecret().toString().replace("\\", "/"))))
        .withFallback(ConfigFactory.load())
        .resolve();
    var node = Node.start(config);
    var t = new TestNode(node);
    t.awaitHealthy();
    return t;
  }

  private void awaitHealthy() throws Exception {
    Await.until(Duration.ofSeconds(30), "node healthy", () -> Await.quietly(() -> get("/health").statusCode() == 200));
  }

  /**
   * Starts {@code size} nodes in {@code data/n1..}, the first forming the cluster and the others joining it,
   * and waits until each reaches every worker; {@code extraConfig} (HOCON) applies to all.
   */
  public static List<TestNode> startCluster(Path data, int size, String extraConfig) throws Exception {
    var first = start(data.resolve("n1"), extraConfig);
    var nodes = new ArrayList<TestNode>(List.of(first));
    try {
      var seed = "\npekko.cluster.seed-nodes = [\"pekko://hpcfaas@" + first.clusterAddress() + "\"]\n";
      for (int i = 2; i <= size; i++) {
        nodes.add(start(data.resolve("n" + i), extraConfig + seed));
      }
      Await.until(Duration.ofSeconds(60), size + " members, each reaching " + size + " workers", () -> nodes.stream()
          .allMatch(n -> Await.quietly(() -> json(n.get("/health")).get("workersReachable").asInt() == size)));
      return nodes;
    } catch (Exception | Error e) {
      nodes.forEach(TestNode::close);
      throw e;
    }
  }

  public HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
  }

  public HttpResponse<byte[]> deploy(String name, byte[] module, String query) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url + "/v1/functions/" + name + (query.isEmpty() ? "" : "?" + query)))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(module)));
  }

  public HttpResponse<byte[]> invoke(String name, byte[] input, String query) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url + "/v1/functions/" + name + "/invoke" + (query.isEmpty() ? "" : "?" + query)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(input)));
  }

  public HttpResponse<byte[]> invoke(String name, String input) throws IOException, InterruptedException {
    return invoke(name, input.getBytes(java.nio.charset.StandardCharsets.UTF_8), "");
  }

  public HttpResponse<byte[]> delete(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url + path)).DELETE());
  }

  public static JsonNode json(HttpResponse<byte[]> response) throws IOException {
    return JSON.readTree(response.body());
  }

  public static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Stops the node. An actor system that has not terminated within Node.close's bound is reported and left
   * to finish in the background (RELIABILITY.md, "Known and not yet explained"); tests that assert on a
   * node's stop wait for its termination themselves.
   */
  @Override
  public void close() {
    try {
      node.close();
    } catch (java.util.concurrent.CompletionException e) {
      if (!(e.getCause() instanceof java.util.concurrent.TimeoutException)) {
        throw e;
      }
      System.err.println("TestNode: " + node.system().address() + " had not terminated within Node.close's bound;"
          + " left to finish in the background");
    }
  }
}
