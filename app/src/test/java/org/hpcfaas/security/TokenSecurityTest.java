package org.hpcfaas.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.hpcfaas.Json;
import org.hpcfaas.testing.RawSockets;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.hpcfaas.auth.Right;
import org.hpcfaas.auth.TokenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens: ids of 128 bits, files readable by their owner only from the moment they exist, a corrupt
 * file skipped (never fatal), and a token in the query accepted on WebSocket upgrades only, where it is
 * taken off the request: it reaches neither the function's environment nor the log.
 */
class TokenSecurityTest {
  @TempDir
  Path data;

  @Test
  void tokensHave128BitIdsAndFilesOnlyTheirOwnerReads() throws Exception {
    var store = new TokenStore(data, Json.mapper());
    var issued = store.issue("alice", Map.of("physics", Set.of(Right.INVOKE)), 0, 0);
    assertTrue(issued.token().id().matches("[0-9a-f]{32}"), issued.token().id());
    assertTrue(issued.bearer().startsWith("hpcfaas_" + issued.token().id() + "_"));
    var file = data.resolve("tokens").resolve(issued.token().id() + ".json");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("tokens"))));
    try (var files = Files.list(data.resolve("tokens"))) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
    assertFalse(Files.readString(file).contains(issued.bearer().substring(issued.bearer().lastIndexOf('_') + 1)),
        "the secret itself is never stored");
    var again = new TokenStore(data, Json.mapper());
    assertTrue(again.authenticate(issued.bearer()).isPresent(), "a restarted store knows the token");
  }

  @Test
  void aCorruptOrForeignTokenFileIsSkippedAndTheNodeStarts() throws Exception {
    var node1 = data.resolve("node");
    var store = new TokenStore(node1, Json.mapper());
    var good = store.issue("admin", Map.of("*", Set.of(Right.ADMIN)), 0, 0);
    Files.writeString(node1.resolve("tokens/0123456789abcdef0123456789abcdef.json"), "{ not json");
    Files.writeString(node1.resolve("tokens/evil.json"), "{\"id\":\"../../x\",\"secretSha256\":\"" + "0".repeat(64)
        + "\",\"tenant\":\"t\",\"grants\":{},\"version\":1}");
    try (var node = TestNode.start(node1, "hpcfaas.auth.enabled = on\n")) {
      var r = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions"))
          .header("Authorization", "Bearer " + good.bearer()).GET());
      assertEquals(200, r.statusCode(), () -> TestNode.text(r));
    }
  }

  @Test
  void theAdminTokenFileIsOwnerOnly() throws Exception {
    try (var node = TestNode.start(data.resolve("n"), "hpcfaas.auth.enabled = on\n")) {
      var file = data.resolve("n/admin.token");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertTrue(Files.readString(file).strip().matches("hpcfaas_[0-9a-f]{32}_.+"));
    }
  }

  @Test
  void aTokenInTheQueryWorksOnWebSocketUpgradesOnlyAndReachesNeitherTheGuestNorTheLog() throws Exception {
    var logged = new ListAppender<ILoggingEvent>();
    logged.start();
    var loggers = java.util.List.of((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME),
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("hpcfaas.invocations"));
    loggers.forEach(l -> l.addAppender(logged));
    try (var node = TestNode.start(data.resolve("n"), "hpcfaas.auth.enabled = on\n")) {
      var admin = Files.readString(data.resolve("n/admin.token")).strip();
      var deploy = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/env"))
          .header("Authorization", "Bearer " + admin).PUT(HttpRequest.BodyPublishers.ofByteArray(TestModules.testFunction("env"))));
      assertEquals(201, deploy.statusCode(), () -> TestNode.text(deploy));

      // not on ordinary routes
      var inQuery = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/env/invoke?access_token=" + admin))
          .POST(HttpRequest.BodyPublishers.ofString("")));
      assertEquals(400, inQuery.statusCode(), () -> TestNode.text(inQuery));
      assertFalse(TestNode.text(inQuery).contains(admin));
      var both = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/env/invoke?access_token=" + admin))
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("")));
      assertEquals(400, both.statusCode(), "the query is refused even next to a valid header");

      // with the header: the guest's environment holds no trace of the token
      var env = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/env/invoke?n=1"))
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("")));
      assertEquals(200, env.statusCode(), () -> TestNode.text(env));
      assertTrue(TestNode.text(env).contains("n=1"), TestNode.text(env));
      assertFalse(TestNode.text(env).contains(admin), TestNode.text(env));

      // on a WebSocket upgrade: accepted, and taken off the request before the guest sees the parameters
      try (var ws = RawSockets.webSocket(node.node.httpPort(), "/v1/functions/env/ws?mode=ws&access_token=" + admin)) {
        ws.getOutputStream().write(RawSockets.frame(0x81, "go".getBytes(StandardCharsets.UTF_8)));
        var reply = RawSockets.readFrame(ws.getInputStream()).text();
        System.out.println("TokenSecurityTest environment over a WebSocket opened with ?access_token=: "
            + reply.replace('\n', ' '));
        assertTrue(reply.contains("mode=ws"), reply);
        assertFalse(reply.contains(admin) || reply.contains("access_token"), reply);
      }
      var refused = RawSockets.connect(node.node.httpPort());
      refused.getOutputStream().write(("GET /v1/functions/env/ws?access_token=hpcfaas_0_wrong HTTP/1.1\r\nHost: x\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertEquals(401, RawSockets.readResponse(refused.getInputStream()).status());
      refused.close();
    } finally {
      loggers.forEach(l -> l.detachAppender(logged));
    }
    var admin = Files.readString(data.resolve("n/admin.token")).strip();
    var secret = admin.substring(admin.lastIndexOf('_') + 1);
    for (var event : logged.list) {
      assertFalse(event.getFormattedMessage().contains(secret), "the token reached the log: " + event.getFormattedMessage());
    }
    assertTrue(logged.list.size() > 0, "the log was captured");
  }
}
