package org.hpcfaas.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The settings every simulation reads from system properties ({@code mvn gatling:test -Dkey=value}
 * passes them to the Gatling JVM):
 *
 * <ul>
 *   <li>{@code baseUrl}: the node to load (default {@code http://127.0.0.1:8080}); WebSocket
 *       connections go to the same host and port;
 *   <li>{@code rate}: the offered load of the open model, in new users per second (for the invoke
 *       simulation one user is one request; default 10);
 *   <li>{@code duration}: seconds of load (default 30);
 *   <li>{@code users}: when above 0, a closed model instead: that many users loop for
 *       {@code duration} seconds, each sending its next request when the last one was answered
 *       (the saturation throughput); default 0 (open model);
 *   <li>{@code function}: the function the invoke simulation calls (default {@code echo});
 *   <li>{@code maxP95Ms}: the assertion on the 95th percentile of response times, ms (default 60000:
 *       generous, so that it records the p95 in the assertion report without failing a slow machine);
 *   <li>{@code shareConnections}: {@code true} to let all users share one pool of keep-alive
 *       connections (like a proxy or an API gateway in front of the node) instead of each user opening
 *       its own (default {@code false}: every user of the open model is a new client, a new connection).
 * </ul>
 *
 * Every simulation asserts that no request failed.
 */
final class LoadSettings {

  final String baseUrl = stripSlash(System.getProperty("baseUrl", "http://127.0.0.1:8080"));
  final double rate = Double.parseDouble(System.getProperty("rate", "10"));
  final int durationSeconds = Integer.parseInt(System.getProperty("duration", "30"));
  final int users = Integer.parseInt(System.getProperty("users", "0"));
  final String function = System.getProperty("function", "echo");
  final int maxP95Ms = Integer.parseInt(System.getProperty("maxP95Ms", "60000"));
  final boolean shareConnections = Boolean.parseBoolean(System.getProperty("shareConnections", "false"));

  LoadSettings() {
    if (rate <= 0 && users <= 0) {
      throw new IllegalArgumentException("-Drate must be > 0 (or -Dusers > 0 for the closed model)");
    }
    if (durationSeconds <= 0) {
      throw new IllegalArgumentException("-Dduration must be > 0 seconds");
    }
  }

  Duration duration() {
    return Duration.ofSeconds(durationSeconds);
  }

  boolean closedModel() {
    return users > 0;
  }

  /** The WebSocket base URL of the same node: http -> ws, https -> wss. */
  String wsBaseUrl() {
    return baseUrl.replaceFirst("^http", "ws");
  }

  HttpProtocolBuilder httpProtocol() {
    HttpProtocolBuilder protocol = http.baseUrl(baseUrl)
        .wsBaseUrl(wsBaseUrl())
        .acceptHeader("*/*")
        .contentTypeHeader("application/octet-stream")
        .userAgentHeader("hpcfaas-loadtest (Gatling)")
        .disableCaching()
        .warmUp(baseUrl + "/health");
    return shareConnections ? protocol.shareConnections() : protocol;
  }

  /**
   * {@code fraction} of the offered rate for the whole duration; with {@code atLeastOne} also one user
   * at the start, so that a short, slow run (a smoke test) still has one of each kind.
   */
  List<OpenInjectionStep> openInjection(double fraction, boolean atLeastOne) {
    List<OpenInjectionStep> steps = new ArrayList<>();
    if (atLeastOne) {
      steps.add(atOnceUsers(1));
    }
    double r = rate * fraction;
    if (r > 0) {
      steps.add(constantUsersPerSec(r).during(duration()));
    }
    return steps;
  }

  /** No failed request; the p95 of response times below maxP95Ms (which puts it in the report). */
  List<Assertion> assertions() {
    return List.of(
        global().failedRequests().count().is(0L),
        global().responseTime().percentile(95.0).lt(maxP95Ms));
  }

  String describe(String what) {
    return "hpcfaas-loadtest: " + what + " against " + baseUrl + ": "
        + (closedModel() ? users + " looping users" : rate + " users/s") + " for " + durationSeconds + " s"
        + (shareConnections ? " (shared connections)" : "");
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  static int intProperty(String name, int dflt) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(dflt)));
  }

  /** {@code size} pseudo-random bytes, the same on every run. */
  static byte[] payload(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
