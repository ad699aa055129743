package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantTest {
  @TempDir
  static Path data;
  static TestNode node;
  static String admin;
  static String alice;
  static String bob;
  static String aliceInvokeOnly;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, "hpcfaas.auth.enabled = on");
    admin = Files.readString(data.resolve("admin.token")).trim();
    alice = issue("{\"tenant\":\"alice\",\"grants\":{\"alpha\":[\"deploy\",\"invoke\"]},"
        + "\"maxConcurrentInvocations\":1,\"maxModuleBytes\":120000}");
    aliceInvokeOnly = issue("{\"tenant\":\"alice\",\"grants\":{\"alpha\":[\"invoke\"]}}");
    bob = issue("{\"tenant\":\"bob\",\"grants\":{\"beta\":[\"deploy\",\"invoke\"]}}");
    assertEquals(201, send(alice, "PUT", "/v1/namespaces/alpha/functions/upper", TestModules.example("upper")).statusCode());
    assertEquals(201, send(bob, "PUT", "/v1/namespaces/beta/functions/upper", TestModules.example("upper")).statusCode());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String issue(String request) throws Exception {
    var r = send(admin, "POST", "/v1/tokens", request.getBytes());
    assertEquals(201, r.statusCode(), () -> text(r));
    return json(r).get("token").asText();
  }

  private static HttpResponse<byte[]> send(String token, String method, String path, byte[] body) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(node.url + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return node.send(request);
  }

  private static void assertProblem(HttpResponse<byte[]> r, int status, String type) throws Exception {
    assertEquals(status, r.statusCode(), () -> text(r));
    assertEquals("urn:hpcfaas:problem:" + type, json(r).get("type").asText());
  }

  @Test
  void withoutAValidTokenEverythingButHealthIs401() throws Exception {
    assertProblem(send(null, "GET", "/v1/functions", null), 401, "unauthorized");
    assertTrue(send(null, "GET", "/v1/functions", null).headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    assertProblem(send("hpcfaas_0000_nope", "POST", "/v1/namespaces/alpha/functions/upper/invoke", "x".getBytes()), 401,
        "unauthorized");
    assertProblem(send(null, "GET", "/metrics", null), 401, "unauthorized");
    assertEquals(200, send(null, "GET", "/health", null).statusCode());
  }

  @Test
  void aTenantInvokesInItsNamespace() throws Exception {
    var r = send(alice, "POST", "/v1/namespaces/alpha/functions/upper/invoke", "hi alice".getBytes());
    assertEquals("HI ALICE", text(r));
    assertEquals(1, json(send(alice, "GET", "/v1/namespaces/alpha/functions", null)).size());
  }

  @Test
  void aTenantSeesNothingOfAnothersFunctions() throws Exception {
    assertProblem(send(bob, "GET", "/v1/namespaces/alpha/functions", null), 404, "not-found");
    assertProblem(send(bob, "GET", "/v1/namespaces/alpha/functions/upper", null), 404, "function-not-found");
    assertProblem(send(bob, "POST", "/v1/namespaces/alpha/functions/upper/invoke", "x".getBytes()), 404, "function-not-found");
    assertProblem(send(bob, "POST", "/v1/namespaces/alpha/functions/upper/invocations", "x".getBytes()), 404,
        "function-not-found");
    assertProblem(send(bob, "DELETE", "/v1/namespaces/alpha/functions/upper", null), 404, "function-not-found");
    assertProblem(send(bob, "PUT", "/v1/namespaces/alpha/functions/mine", TestModules.example("echo")), 404,
        "function-not-found");
    assertProblem(send(bob, "GET", "/v1/functions", null), 404, "not-found");

    var ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + bob)
        .buildAsync(URI.create(node.url.replace("http", "ws") + "/v1/namespaces/alpha/functions/upper/ws"),
            new java.net.http.WebSocket.Listener() { });
    var failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> ws.get(10, TimeUnit.SECONDS));
    var handshake = org.junit.jupiter.api.Assertions.assertInstanceOf(java.net.http.WebSocketHandshakeException.class,
        failure.getCause());
    assertEquals(404, handshake.getResponse().statusCode());

    var call = send(alice, "POST", "/v1/namespaces/alpha/functions/upper/invoke", "x".getBytes());
    var id = call.headers().firstValue("Hpcfaas-Invocation-Id").orElseThrow();
    assertEquals(200, send(alice, "GET", "/v1/invocations/" + id, null).statusCode());
    assertProblem(send(bob, "GET", "/v1/invocations/" + id, null), 404, "invocation-not-found");
    assertEquals("HI", text(send(alice, "POST", "/v1/namespaces/alpha/functions/upper/invoke", "hi".getBytes())),
        "bob's attempts changed nothing");
  }

  @Test
  void rightsAreEnforcedWithinANamespace() throws Exception {
    assertProblem(send(aliceInvokeOnly, "PUT", "/v1/namespaces/alpha/functions/other", TestModules.example("echo")), 403,
        "forbidden");
    assertProblem(send(aliceInvokeOnly, "DELETE", "/v1/namespaces/alpha/functions/upper", null), 403, "forbidden");
    assertEquals("OK", text(send(aliceInvokeOnly, "POST", "/v1/namespaces/alpha/functions/upper/invoke", "ok".getBytes())));
    assertProblem(send(alice, "GET", "/v1/tokens", null), 404, "not-found");
  }

  @Test
  void moduleBytesAboveTheTenantsQuotaAre429() throws Exception {
    // upper is ~7 KB of alice's 120 KB; greet (~32 KB) fits, matmul (~45 KB) twice more does not
    assertEquals(201, send(alice, "PUT", "/v1/namespaces/alpha/functions/greet", TestModules.example("greet")).statusCode());
    assertEquals(201, send(alice, "PUT", "/v1/namespaces/alpha/functions/m1", TestModules.example("matmul")).statusCode());
    assertProblem(send(alice, "PUT", "/v1/namespaces/alpha/functions/m2", TestModules.example("matmul")), 429,
        "quota-exceeded");
    assertEquals(200, send(alice, "PUT", "/v1/namespaces/alpha/functions/m1", TestModules.example("matmul")).statusCode(),
        "replacing a function counts its new size only");
  }

  @Test
  void concurrentInvocationsAboveTheTenantsQuotaAre429() throws Exception {
    assertEquals(201, send(bob, "PUT", "/v1/namespaces/beta/functions/spin?timeoutMs=1500",
        TestModules.testFunction("loop")).statusCode());
    var carol = issue("{\"tenant\":\"carol\",\"grants\":{\"beta\":[\"invoke\"]},\"maxConcurrentInvocations\":1}");
    var calls = new ArrayList<CompletableFuture<Integer>>();
    for (int i = 0; i < 2; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          return send(carol, "POST", "/v1/namespaces/beta/functions/spin/invoke", new byte[0]).statusCode();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    var statuses = new ArrayList<Integer>();
    for (var c : calls) {
      statuses.add(c.get());
    }
    statuses.sort(Integer::compare);
    assertEquals(List.of(429, 504), statuses, "one runs (to its time limit), the second is over carol's quota of 1");
  }

  @Test
  void aRevokedTokenIsRefused() throws Exception {
    var dave = issue("{\"tenant\":\"dave\",\"grants\":{\"beta\":[\"invoke\"]}}");
    assertEquals(200, send(dave, "GET", "/v1/namespaces/beta/functions", null).statusCode());
    var id = dave.split("_")[1];
    assertEquals(204, send(admin, "DELETE", "/v1/tokens/" + id, null).statusCode());
    assertProblem(send(dave, "GET", "/v1/namespaces/beta/functions", null), 401, "unauthorized");
    assertTrue(text(send(admin, "GET", "/v1/tokens", null)).contains("\"revoked\":true"));
    assertTrue(!text(send(admin, "GET", "/v1/tokens", null)).contains(dave.split("_")[2]), "secrets are never listed");
  }
}
