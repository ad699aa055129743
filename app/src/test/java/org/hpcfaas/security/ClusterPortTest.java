package org.hpcfaas.security;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.hpcfaas.Node;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.hpcfaas.auth.ClusterSecret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster port is authenticated and encrypted (Artery over mutual TLS keyed by the cluster secret): a
 * node started with another secret, or with plain TCP, never becomes a member and changes nothing on the
 * cluster; bytes that are not TLS from the secret's holders are dropped without harm.
 */
class ClusterPortTest {
  @TempDir
  Path data;
  private final List<TestNode> members = new ArrayList<>();
  private TestNode n1;
  private TestNode n2;

  @BeforeEach
  void startCluster() throws Exception {
    n1 = TestNode.start(data.resolve("n1"), "");
    members.add(n1);
    n2 = TestNode.start(data.resolve("n2"), "pekko.cluster.seed-nodes = [\"pekko://hpcfaas@" + n1.clusterAddress() + "\"]\n");
    members.add(n2);
    await(Duration.ofSeconds(60), "two members", () -> json(n1.get("/health")).get("workersReachable").asInt() == 2
        && json(n2.get("/health")).get("workersReachable").asInt() == 2);
    assertEquals(201, n1.deploy("echo", TestModules.example("echo"), "").statusCode());
    await(Duration.ofSeconds(30), "echo on n2", () -> n2.get("/v1/functions/echo").statusCode() == 200);
  }

  @AfterEach
  void stop() {
    members.forEach(TestNode::close);
  }

  private static void await(Duration limit, String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + limit);
      }
      Thread.sleep(200);
    }
  }

  /** A node that tries to join through n1 with {@code extra} config; a gateway only, so it starts without a shard. */
  private Node intruder(String name, String extra) throws Exception {
    var config = ConfigFactory.parseString(extra + """
            hpcfaas.http.port = 0
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.roles = ["gateway"]
            hpcfaas.data-dir = "%s"
            pekko.cluster.seed-nodes = ["pekko://hpcfaas@%s"]
            """.formatted(data.resolve(name), n1.clusterAddress()))
        .withFallback(ConfigFactory.load()).resolve();
    return Node.start(config);
  }

  private void assertTheClusterIsUnchanged(String after) throws Exception {
    for (var n : List.of(n1, n2)) {
      var cluster = json(n.get("/v1/cluster"));
      assertEquals(2, cluster.get("members").size(), () -> after + ": members seen by " + n.url + ": " + cluster);
      var functions = json(n.get("/v1/functions"));
      assertEquals(1, functions.size(), () -> after + ": functions on " + n.url + ": " + functions);
      assertEquals(200, n.get("/health").statusCode());
      assertEquals("still ours", text(n.invoke("echo", "still ours")));
    }
  }

  private void assertNeverJoins(Node intruder, String what) throws Exception {
    var self = Cluster.get(intruder.system());
    // what an intruder would try once in: deploy a function (it is stored on the intruder alone)
    var http = java.net.http.HttpClient.newHttpClient();
    var deploy = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + intruder.httpPort()
            + "/v1/functions/planted")).PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(TestModules.example("echo")))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    // Artery retries the handshake for as long as the intruder runs: watch for a generous while.
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      assertNotEquals(MemberStatus.up(), self.selfMember().status(), what + " became a member");
      assertEquals(2, json(n1.get("/v1/cluster")).get("members").size(), what + " appears among n1's members");
      Thread.sleep(500);
    }
    System.out.println("ClusterPortTest " + what + ": own status " + self.selfMember().status() + " after 20 s; deploy"
        + " through it: " + deploy.statusCode() + "; members of the cluster: 2");
    assertTheClusterIsUnchanged(what);
  }

  @Test
  void aNodeWithAnotherSecretNeverBecomesAMemberAndChangesNothing() throws Exception {
    var other = ClusterSecret.create(data.resolve("other-secret"));
    try (var intruder = intruder("intruder", "hpcfaas.cluster.secret-dir = \"" + other.dir() + "\"\n")) {
      assertNeverJoins(intruder, "a node with another secret");
    }
  }

  @Test
  void aNodeSpeakingPlainTcpNeverBecomesAMemberAndChangesNothing() throws Exception {
    try (var intruder = intruder("plain", "hpcfaas.cluster.transport = tcp\n")) {
      assertNeverJoins(intruder, "a plain TCP node");
    }
  }

  @Test
  void garbageBytesOnTheClusterPortAreDroppedWithoutHarm() throws Exception {
    var address = n1.clusterAddress().split(":");
    var random = new Random(11);
    var results = new ArrayList<String>();
    for (int i = 0; i < 5; i++) {
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress(address[0], Integer.parseInt(address[1])), 5000);
        socket.setSoTimeout(30_000);
        var junk = new byte[64 * 1024];
        random.nextBytes(junk);
        // Artery's plain TCP greeting first, as a node without TLS would open, then noise
        if (i == 0) {
          junk[0] = 'A';
          junk[1] = 'K';
          junk[2] = 'K';
          junk[3] = 'A';
        }
        String outcome;
        try {
          socket.getOutputStream().write(junk);
          socket.getOutputStream().flush();
          int read = socket.getInputStream().read(new byte[1024]);
          while (read >= 0) {
            read = socket.getInputStream().read(new byte[1024]);
          }
          outcome = "closed by the node";
        } catch (java.net.SocketException e) {
          outcome = "reset by the node (" + e.getMessage() + ")";
        }
        results.add(outcome);
      }
    }
    System.out.println("ClusterPortTest garbage on the cluster port: " + results);
    assertTrue(results.stream().allMatch(r -> r.startsWith("closed") || r.startsWith("reset")), results::toString);
    assertTheClusterIsUnchanged("garbage on the cluster port");
  }
}
