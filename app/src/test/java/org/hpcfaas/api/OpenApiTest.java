package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document: valid, the same in docs/ as in the jar, served without a token, and describing
 * exactly the routes the server has (probed on a real node with authentication on).
 */
class OpenApiTest {
  private static final Path RESOURCE = Path.of("src/main/resources/openapi.json");
  private static final Path DOCS = Path.of("../docs/openapi.json");
  private static final Path API_SOURCES = Path.of("src/main/java/org/hpcfaas/api");
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  @TempDir
  static Path data;
  static TestNode node;
  static String admin;
  static JsonNode document;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, "hpcfaas.auth.enabled = on");
    admin = Files.readString(data.resolve("admin.token")).trim();
    document = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readAllBytes(RESOURCE));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void documentIsValidOpenApi31() throws Exception {
    var options = new ParseOptions();
    options.setResolve(true);
    var result = new OpenAPIParser().readContents(Files.readString(RESOURCE), null, options);
    assertTrue(result.getMessages() == null || result.getMessages().isEmpty(), () -> String.join("\n", result.getMessages()));
    assertEquals("3.1.0", result.getOpenAPI().getOpenapi());
    assertFalse(result.getOpenAPI().getPaths().isEmpty());
  }

  @Test
  void docsCopyIsTheJarsDocument() throws Exception {
    assertArrayEquals(Files.readAllBytes(RESOURCE), Files.readAllBytes(DOCS),
        "docs/openapi.json differs from app/src/main/resources/openapi.json: copy the resource over it");
  }

  @Test
  void documentIsServedWithoutAToken() throws Exception {
    var r = node.get("/v1/openapi.json");
    assertEquals(200, r.statusCode(), () -> text(r));
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(Files.readAllBytes(RESOURCE), r.body());
  }

  @Test
  void everyProblemTypeIsDocumented() {
    var documented = new TreeSet<String>();
    document.at("/components/schemas/Problem/properties/type/enum").forEach(t -> documented.add(t.asText()));
    var server = Arrays.stream(ProblemType.values()).map(ProblemType::uri).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(server, documented);
    var table = document.at("/components/schemas/Problem/description").asText();
    for (var type : ProblemType.values()) {
      assertTrue(table.contains("| " + type.status() + " | `" + type.uri() + "` |"), () -> type + " is not in the table with its status");
    }
  }

  @Test
  void invocationHeadersAndParametersAreDocumented() {
    var invoke = document.at("/paths/~1v1~1functions~1{name}~1invoke/post");
    var headers = new TreeSet<String>();
    invoke.at("/responses/200/headers").fieldNames().forEachRemaining(headers::add);
    assertEquals(Set.of("Hpcfaas-Invocation-Id", "Hpcfaas-Node", "Hpcfaas-Duration-Ms", "Hpcfaas-Cache"), headers);
    assertEquals(Set.of("arg", "transfer", "environment"), parameterNames(invoke));
    assertEquals(Set.of("memoryMb", "timeoutMs", "concurrency", "idempotent", "cache", "defaultArg", "mount", "runtimeEnv"),
        parameterNames(document.at("/paths/~1v1~1functions~1{name}/put")));
    var function = document.at("/components/schemas/Function/properties");
    for (var field : List.of("mounts", "defaultArgs", "runtimeEnv", "limits", "version", "cached")) {
      assertTrue(function.has(field), field);
    }
  }

  private static Set<String> parameterNames(JsonNode operation) {
    var names = new TreeSet<String>();
    operation.path("parameters").forEach(p -> names.add(parameter(p).path("name").asText()));
    return names;
  }

  private static JsonNode parameter(JsonNode p) {
    return p.has("$ref") ? document.at(p.get("$ref").asText().substring(1)) : p;
  }

  /**
   * Each documented path is probed with a method no route has: the server must answer 405 and name in
   * {@code Allow} exactly the methods the document has for that path (so a method added to a documented
   * path, or one the document invents, fails here).
   */
  @Test
  void everyDocumentedPathHasExactlyItsDocumentedMethods() throws Exception {
    deployProbe();
    var failures = new ArrayList<String>();
    for (var entry : document.get("paths").properties()) {
      var documented = entry.getValue().properties().stream().map(e -> e.getKey())
          .filter(METHODS::contains).map(m -> m.toUpperCase()).collect(Collectors.toCollection(TreeSet::new));
      var r = request("PATCH", concrete(entry.getKey()), new byte[0]);
      var allowed = r.headers().firstValue("Allow").map(a -> Arrays.stream(a.split(",")).map(String::trim)
          .collect(Collectors.toCollection(TreeSet::new))).orElse(new TreeSet<>());
      if (r.statusCode() != 405 || !allowed.equals(documented)) {
        failures.add(entry.getKey() + ": documented " + documented + ", server " + r.statusCode() + " Allow " + allowed);
      }
    }
    assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
  }

  /** Each documented operation reaches a route: never a 404 "no such route" nor a 405. */
  @Test
  void everyDocumentedOperationReachesARoute() throws Exception {
    var failures = new ArrayList<String>();
    for (var entry : document.get("paths").properties()) {
      for (var op : entry.getValue().properties()) {
        if (!METHODS.contains(op.getKey())) {
          continue;
        }
        deployProbe();
        var method = op.getKey().toUpperCase();
        var path = concrete(entry.getKey());
        if (entry.getKey().equals("/v1/tokens/{id}")) {
          var issued = request("POST", "/v1/tokens", "{\"tenant\":\"probe\",\"grants\":{\"default\":[\"invoke\"]}}".getBytes());
          path = "/v1/tokens/" + json(issued).get("id").asText();
        }
        var body = entry.getKey().endsWith("/functions/{name}") ? TestModules.example("echo") : "probe".getBytes();
        var r = request(method, path, body);
        var type = r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")
            ? json(r).path("type").asText() : "";
        if (r.statusCode() == 405 || (r.statusCode() == 404 && type.equals(ProblemType.NOT_FOUND.uri()))) {
          failures.add(method + " " + entry.getKey() + " (" + path + "): " + r.statusCode() + " " + text(r));
        }
        var documented = op.getValue().path("responses");
        if (!documented.has(Integer.toString(r.statusCode()))) {
          failures.add(method + " " + entry.getKey() + ": status " + r.statusCode() + " is not documented: " + text(r));
        }
      }
    }
    assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
  }

  /**
   * Every path segment a route of the api package matches is in some documented path, so a route added
   * under a new name fails here until the document has it. (The probes above cover methods on known paths.)
   */
  @Test
  void everyPathSegmentTheRoutesMatchIsDocumented() throws Exception {
    var documented = new TreeSet<String>();
    document.get("paths").fieldNames().forEachRemaining(p -> documented.addAll(Arrays.asList(p.split("/"))));
    var literal = Pattern.compile(
        "(?:(?<![.\\w])(?:path|pathPrefix|pathSuffix)|PathMatchers\\.segment|\\.slash)\\(\\s*\"([^\"]+)\"");
    var missing = new TreeSet<String>();
    try (var files = Files.list(API_SOURCES)) {
      for (var file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        var m = literal.matcher(Files.readString(file));
        while (m.find()) {
          if (!documented.contains(m.group(1))) {
            missing.add(m.group(1) + " (" + file.getFileName() + ")");
          }
        }
      }
    }
    assertTrue(missing.isEmpty(), () -> "routes match path segments the OpenAPI document does not have: " + missing);
    assertNotEquals(0, documented.size());
  }

  private static void deployProbe() throws Exception {
    if (request("GET", "/v1/functions/probe", new byte[0]).statusCode() != 200) {
      var r = request("PUT", "/v1/functions/probe", TestModules.example("echo"));
      assertEquals(201, r.statusCode(), () -> text(r));
    }
  }

  private static String concrete(String template) {
    return template.replace("{namespace}", "default").replace("{name}", "probe")
        .replace("{id}", "00000000-0000-0000-0000-000000000000").replace("{file}", "app.js");
  }

  private static HttpResponse<byte[]> request(String method, String path, byte[] body) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url + path))
        .header("Authorization", "Bearer " + admin)
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body)));
  }
}
