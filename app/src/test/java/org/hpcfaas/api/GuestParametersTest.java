package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** argv from ?arg= and ?defaultArg=, and an environment that is exactly what the caller asked for. */
class GuestParametersTest {
  @TempDir
  static Path data;
  static TestNode node;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, "hpcfaas.auth.enabled = on\nhpcfaas.wasm.ready-instances = 2");
    admin = Files.readString(data.resolve("admin.token")).trim();
    assertEquals(201, deploy("args", TestModules.testFunction("args"), "").statusCode());
    assertEquals(201, deploy("defaults", TestModules.testFunction("args"), "defaultArg=-n&defaultArg=512").statusCode());
    assertEquals(201, deploy("env", TestModules.testFunction("env"), "").statusCode());
    assertEquals(201, deploy("bare", TestModules.testFunction("env"), "runtimeEnv=false").statusCode());
    assertEquals(201, deploy("greet", TestModules.example("greet"), "").statusCode());
    assertEquals(201, deploy("context", TestModules.testFunction("context"), "").statusCode());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static java.net.http.HttpResponse<byte[]> deploy(String name, byte[] module, String query) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/" + name + "?" + query))
        .header("Authorization", "Bearer " + admin).PUT(HttpRequest.BodyPublishers.ofByteArray(module)));
  }

  private static java.net.http.HttpResponse<byte[]> invoke(String name, String query) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/" + name + "/invoke?" + query))
        .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()));
  }

  @Test
  void argsArriveInOrderExactlyAsSentAfterTheFunctionsName() throws Exception {
    var r = invoke("args", "arg=-n&arg=512&arg=&arg=two%20words&arg=a%26b%3Dc&arg=%C3%A9t%C3%A9&arg=%2B%25");
    assertEquals(200, r.statusCode(), () -> text(r));
    assertEquals("8\n[args]\n[-n]\n[512]\n[]\n[two words]\n[a&b=c]\n[été]\n[+%]\n", text(r));
  }

  @Test
  void defaultArgsApplyOnlyWhenACallGivesNone() throws Exception {
    assertEquals("3\n[defaults]\n[-n]\n[512]\n", text(invoke("defaults", "")));
    assertEquals("2\n[defaults]\n[7]\n", text(invoke("defaults", "arg=7")));
    assertEquals("1\n[args]\n", text(invoke("args", "")));
    var spec = json(node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/defaults"))
        .header("Authorization", "Bearer " + admin).GET()));
    assertEquals(List.of("-n", "512"), List.of(spec.at("/defaultArgs/0").asText(), spec.at("/defaultArgs/1").asText()));
  }

  @Test
  void argsThatCannotBeCStringsAreRefusedNotAltered() throws Exception {
    assertProblem(invoke("args", "arg=a%00b"), "invalid-request");
    assertProblem(invoke("args", "arg=%FF"), "invalid-request");
    assertProblem(invoke("greet", "arg=x"), "invalid-request");
  }

  @Test
  void environmentIsTheCallersParametersPlusTheRuntimesOwnAndNoSteeringParameter() throws Exception {
    var r = invoke("env", "alpha=1&beta=two%20words&arg=x&transfer=bulk&stream=false");
    assertEquals(200, r.statusCode(), () -> text(r));
    var lines = text(r).lines().sorted().toList();
    assertEquals(4, lines.size(), text(r));
    assertEquals("HPCFAAS_FUNCTION=env", lines.get(0));
    assertTrue(lines.get(1).startsWith("HPCFAAS_INVOCATION_ID="), lines.get(1));
    assertEquals(List.of("alpha=1", "beta=two words"), lines.subList(2, 4));
  }

  @Test
  void aCommandWhoseInstancesAreMadeAheadGetsEachCallsOwnArgvEnvironmentAndInput() throws Exception {
    var ids = new java.util.HashSet<String>();
    for (int call = 0; call < 30; call++) {
      var r = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/context/invoke?arg=call%20" + call
              + "&arg=&v" + call + "=" + call))
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("input " + call)));
      assertEquals(200, r.statusCode(), () -> text(r));
      var lines = text(r).lines().toList();
      assertEquals(List.of("3", "[context]", "[call " + call + "]", "[]"), lines.subList(0, 4), text(r));
      var env = lines.subList(4, lines.size() - 1).stream().sorted().toList();
      assertEquals(3, env.size(), text(r));
      assertEquals("HPCFAAS_FUNCTION=context", env.get(0));
      assertTrue(env.get(1).startsWith("HPCFAAS_INVOCATION_ID=") && ids.add(env.get(1)), env.get(1));
      assertEquals("v" + call + "=" + call, env.get(2));
      assertEquals("input " + call, lines.get(lines.size() - 1));
      if (call == 0) {
        Await.until(java.time.Duration.ofSeconds(30), "an instance made ahead", () -> metric("hpcfaas_wasm_ready_instances") >= 1);
      }
    }
    assertTrue(metric("hpcfaas_wasm_ready_hits_total") >= 1);
  }

  private static double metric(String name) throws Exception {
    var metrics = text(node.send(HttpRequest.newBuilder(URI.create(node.url + "/metrics"))
        .header("Authorization", "Bearer " + admin).GET()));
    var line = metrics.lines().filter(l -> l.startsWith(name + "{")).findFirst().orElseThrow(() -> new AssertionError(
        name + " is not in /metrics:\n" + metrics));
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  @Test
  void deployedWithoutRuntimeEnvTheEnvironmentIsExactlyTheCallers() throws Exception {
    assertEquals("A=1\nB=\n", sorted(text(invoke("bare", "A=1&B="))));
    assertEquals("", text(invoke("bare", "stream=false&transfer=auto")));
    var spec = json(node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/bare"))
        .header("Authorization", "Bearer " + admin).GET()));
    assertEquals(false, spec.get("runtimeEnv").asBoolean());
  }

  @Test
  void aWebSocketTokenInTheQueryNeverReachesTheGuest() throws Exception {
    var listener = new StreamingContract.Collector();
    var ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
        URI.create(node.url.replace("http", "ws") + "/v1/functions/env/ws?who=me&access_token=" + admin), listener)
        .get(10, TimeUnit.SECONDS);
    ws.sendBinary(ByteBuffer.allocate(0), true).get(5, TimeUnit.SECONDS);
    var env = listener.next();
    assertTrue(env.startsWith("binary:") && env.contains("who=me\n"), env);
    assertTrue(!env.contains(admin) && !env.contains("access_token"), env);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  private static String sorted(String lines) {
    return String.join("", lines.lines().sorted().map(l -> l + "\n").toList());
  }

  private static void assertProblem(java.net.http.HttpResponse<byte[]> r, String type) throws Exception {
    assertEquals(400, r.statusCode(), () -> text(r));
    assertEquals("urn:hpcfaas:problem:" + type, json(r).get("type").asText(), () -> text(r));
  }
}
