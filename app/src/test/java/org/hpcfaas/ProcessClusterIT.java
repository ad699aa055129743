package org.hpcfaas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;

/**
 * Three real node processes, started with the launcher ({@code ./hpcfaas node}) as an operator would, one
 * of them killed with SIGKILL under load and restarted. What a client sees: calls lost with the node fail
 * as 503 problems marked retriable (or are retried by the gateway for an idempotent function), calls go
 * on on the live nodes within seconds, no function is lost, and the restarted node rejoins and runs calls.
 *
 * <p>Runs with {@code mvn verify} (failsafe) on the packaged runtime ({@code app/target}); ports are free
 * ones. Each node logs to a file: printed when the test fails, kept in {@code target/process-cluster-it/MODE/}.
 * A summary of what the clients saw (calls ok and failed per phase, and on which node) goes to stdout.
 * {@code -Dhpcfaas.it.java-opts=...} adds JVM options to the nodes (for example a debug logback file).
 */
class ProcessClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final int CLIENTS = 8;
  /** Each client pauses this long between calls: load stays modest on a small CI machine. */
  private static final long THINK_MILLIS = 25;

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final long t0 = System.nanoTime();

  // --- node processes ------------------------------------------------------------------------------

  private final class NodeProcess {
    final int index;
    final int httpPort;
    final int clusterPort;
    final Path dataDir;
    final Path log;
    Process process;

    NodeProcess(int index, int httpPort, int clusterPort) {
      this.index = index;
      this.httpPort = httpPort;
      this.clusterPort = clusterPort;
      this.dataDir = tmp.resolve("node" + index);
      this.log = tmp.resolve("node" + index + ".log");
    }

    String url() {
      return "http://127.0.0.1:" + httpPort;
    }

    /** As {@code Hpcfaas-Node} and {@code /v1/cluster} name it. */
    String address() {
      return "pekko://hpcfaas@127.0.0.1:" + clusterPort;
    }

    void start(String mode, int seedPort) throws IOException {
      var root = Path.of(System.getProperty("hpcfaas.root", "..")).toAbsolutePath().normalize();
      var builder = new ProcessBuilder(root.resolve("hpcfaas").toString(), "node",
          "--http-port", Integer.toString(httpPort),
          "--cluster-port", Integer.toString(clusterPort),
          "--data-dir", dataDir.toString(),
          "--seed", "127.0.0.1:" + seedPort,
          "--secret", TestNode.sharedSecret().toString(),
          "--mode", mode);
      var env = builder.environment();
      env.put("JAVA_HOME", System.getProperty("java.home"));
      // One WASM slot per node: a function spreads over every worker as soon as two of its calls overlap.
      env.put("JAVA_OPTS", ("-Xmx400m -Dhpcfaas.wasm.threads=1 "
          + System.getProperty("hpcfaas.it.java-opts", "")).strip());
      // The jar Maven just packaged: never rebuild from the node's launcher.
      env.put("HPCFAAS_NO_BUILD", "1");
      env.remove("HPCFAAS_MODE");
      env.remove("HPCFAAS_DATA_DIR");
      env.remove("HPCFAAS_AUTH"); // loopback only: authentication stays off (auto)
      builder.redirectErrorStream(true);
      Files.writeString(log, "==== " + java.time.LocalTime.now() + " (test +" + elapsed() + " ms) starting node " + index
          + ": " + String.join(" ", builder.command()) + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = builder.start();
    }

    JsonNode get(String path) throws IOException, InterruptedException {
      var r = http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    int workersReachable() {
      try {
        var health = get("/health");
        return health == null ? -1 : health.path("workersReachable").asInt(-1);
      } catch (IOException | InterruptedException e) {
        return -1;
      }
    }

    int status(String path) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (IOException | InterruptedException e) {
        return -1;
      }
    }
  }

  // --- the load --------------------------------------------------------------------------------------

  private enum Phase { BEFORE_KILL, AFTER_KILL, AFTER_RESTART }

  /** One call as the client saw it; times in ms since the test started. */
  private record Call(Phase phase, String function, long startMs, long endMs, int status, String node,
      String problemType, boolean retriable, boolean problemJson, String detail) {
    boolean ok() {
      return status == 200 && detail == null;
    }
  }

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private volatile Phase phase = Phase.BEFORE_KILL;
  private final AtomicBoolean loadRunning = new AtomicBoolean(true);

  private long elapsed() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private List<Thread> startLoad(NodeProcess gateway) {
    var threads = new ArrayList<Thread>();
    for (int i = 0; i < CLIENTS; i++) {
      int client = i;
      threads.add(Thread.ofPlatform().name("load-" + i).daemon().start(() -> {
        long n = 0;
        while (loadRunning.get()) {
          // half the clients start with sha256, half with echo; each alternates
          calls.add(call(gateway, (client + n++) % 2 == 0 ? "sha256" : "echo"));
          try {
            Thread.sleep(THINK_MILLIS);
          } catch (InterruptedException e) {
            return;
          }
        }
      }));
    }
    return threads;
  }

  private Call call(NodeProcess gateway, String function) {
    var input = new byte[2048 + ThreadLocalRandom.current().nextInt(2048)];
    ThreadLocalRandom.current().nextBytes(input);
    var callPhase = phase;
    long start = elapsed();
    try {
      var response = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/functions/" + function + "/invoke"))
              .timeout(REQUEST_TIMEOUT)
              .POST(HttpRequest.BodyPublishers.ofByteArray(input))
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
      long end = elapsed();
      String node = response.headers().firstValue("Hpcfaas-Node").orElse(null);
      if (response.statusCode() == 200) {
        byte[] expected = function.equals("echo") ? input : (sha256Hex(input) + "\n").getBytes(StandardCharsets.UTF_8);
        String detail = java.util.Arrays.equals(expected, response.body()) ? null : "wrong output";
        return new Call(callPhase, function, start, end, 200, node, null, false, false, detail);
      }
      boolean problemJson = response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
      String type = null;
      boolean retriable = false;
      String detail = new String(response.body(), StandardCharsets.UTF_8);
      if (problemJson) {
        var problem = JSON.readTree(response.body());
        type = problem.path("type").asText(null);
        retriable = problem.path("retriable").asBoolean(false);
        detail = problem.path("detail").asText(detail);
      }
      return new Call(callPhase, function, start, end, response.statusCode(), node, type, retriable, problemJson, detail);
    } catch (HttpTimeoutException e) {
      return new Call(callPhase, function, start, elapsed(), -1, null, null, false, false, "no answer in " + REQUEST_TIMEOUT);
    } catch (IOException e) {
      return new Call(callPhase, function, start, elapsed(), -2, null, null, false, false, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Call(callPhase, function, start, elapsed(), -3, null, null, false, false, "interrupted");
    }
  }

  private static String sha256Hex(byte[] input) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- the test --------------------------------------------------------------------------------------

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(strings = {"cluster", "http"})
  void killANodeUnderLoadThenRestartIt(String mode) throws Exception {
    int[] ports = freePorts(6);
    var nodes = List.of(new NodeProcess(1, ports[0], ports[1]), new NodeProcess(2, ports[2], ports[3]),
        new NodeProcess(3, ports[4], ports[5]));
    var n1 = nodes.get(0);
    var n2 = nodes.get(1);
    var n3 = nodes.get(2);
    var problems = new ArrayList<String>();
    List<Thread> load = List.of();
    try {
      // node 1 names itself as seed (it forms the cluster); 2 and 3 join through it
      for (var n : nodes) {
        n.start(mode, n1.clusterPort);
      }
      awaitCluster(nodes, Duration.ofSeconds(120));
      log("cluster of 3 up in mode " + mode);

      var deployed = deploy(n1, "sha256", "idempotent=false");
      assertEquals(201, deployed.statusCode(), () -> new String(deployed.body(), StandardCharsets.UTF_8));
      var deployedEcho = deploy(n1, "echo", "idempotent=true");
      assertEquals(201, deployedEcho.statusCode(), () -> new String(deployedEcho.body(), StandardCharsets.UTF_8));
      await("both functions visible on nodes 2 and 3", Duration.ofSeconds(5), () -> List.of(n2, n3).stream()
          .allMatch(n -> n.status("/v1/functions/sha256") == 200 && n.status("/v1/functions/echo") == 200));

      load = startLoad(n2);
      await("every node runs some calls", Duration.ofSeconds(60), () -> nodesSeen(Phase.BEFORE_KILL).size() == 3);
      Thread.sleep(3000);

      // --- kill -9 node 3
      long pid = n3.process.pid();
      var command = n3.process.info().command().orElse("?");
      assertTrue(command.endsWith("/java"), "the launcher execs the JVM, so pid " + pid + " is the node: " + command);
      phase = Phase.AFTER_KILL;
      long killMs = elapsed();
      n3.process.destroyForcibly(); // SIGKILL
      assertTrue(n3.process.waitFor(10, TimeUnit.SECONDS), "node 3 (pid " + pid + ") did not die");
      log("killed node 3 (pid " + pid + ", " + n3.address() + ") at +" + killMs + " ms, exit " + n3.process.exitValue());

      await("nodes 1 and 2 route to 2 workers", Duration.ofSeconds(30),
          () -> n1.workersReachable() == 2 && n2.workersReachable() == 2);
      log("nodes 1 and 2 see 2 workers at +" + (elapsed() - killMs) + " ms after the kill");

      // (c) no function is lost: listed and invocable on both survivors
      for (var n : List.of(n1, n2)) {
        var list = n.get("/v1/functions");
        var names = new ArrayList<String>();
        if (list != null) {
          list.forEach(f -> names.add(f.path("name").asText()));
        }
        check(problems, names.containsAll(List.of("sha256", "echo")), "node " + n.index + " lists " + names);
        for (var fn : List.of("sha256", "echo")) {
          var c = call(n, fn);
          check(problems, c.ok(), "node " + n.index + " invokes " + fn + " after the kill: " + c);
        }
      }

      // let the load run well past the recovery bound
      while (elapsed() < killMs + 20_000) {
        Thread.sleep(200);
      }

      // --- (d) restart node 3: same ports, same data dir; it rejoins and gets calls again
      phase = Phase.AFTER_RESTART;
      long restartMs = elapsed();
      n3.start(mode, n1.clusterPort);
      boolean rejoined = awaitQuietly(Duration.ofSeconds(90),
          () -> nodes.stream().allMatch(n -> n.workersReachable() == 3));
      check(problems, rejoined, "restarted node 3 rejoined: workersReachable "
          + nodes.stream().map(n -> n.index + "=" + n.workersReachable()).toList());
      long rejoinMs = elapsed();
      if (rejoined) {
        log("node 3 rejoined " + (rejoinMs - restartMs) + " ms after its restart");
        boolean runsCalls = awaitQuietly(Duration.ofSeconds(30),
            () -> nodesSeen(Phase.AFTER_RESTART).contains(n3.address()));
        check(problems, runsCalls, "restarted node 3 runs calls again; after the restart calls ran on "
            + nodesSeen(Phase.AFTER_RESTART));
        Thread.sleep(3000);
      }
      loadRunning.set(false);
      for (var t : load) {
        t.join(REQUEST_TIMEOUT.toMillis() + 5000);
      }

      // --- what the clients saw
      var all = new ArrayList<>(calls);
      System.out.println(summary(mode, all, killMs, restartMs, nodes));

      // (a) every failure is a 503 problem marked retriable: no 500, no hang, no wrong output
      var bad = all.stream()
          .filter(c -> !c.ok())
          .filter(c -> !(c.status() == 503 && c.problemJson() && c.retriable()))
          .toList();
      check(problems, bad.isEmpty(), bad.size() + " failed call(s) were not 503 retriable problems, e.g. "
          + bad.stream().limit(5).toList());

      // (b) calls succeed again within 10 s of the kill and keep succeeding: the last failure is < 15 s after it
      var afterKill = all.stream().filter(c -> c.phase() == Phase.AFTER_KILL).toList();
      long firstOk = afterKill.stream().filter(Call::ok).mapToLong(Call::endMs).min().orElse(Long.MAX_VALUE);
      check(problems, firstOk - killMs <= 10_000, "a call succeeded within 10 s after the kill (first at +"
          + (firstOk - killMs) + " ms)");
      var lastFailure = lastFailureBeforeRestart(all);
      check(problems, lastFailure.isEmpty() || lastFailure.getAsLong() - killMs < 15_000,
          "the last failure after the kill came < 15 s after it (at +" + (lastFailure.orElse(killMs) - killMs) + " ms)");
      check(problems, afterKill.stream().anyMatch(c -> c.ok() && c.startMs() > killMs + 15_000),
          "calls kept succeeding after the recovery bound");

      // (e) and a node that rejoins costs no call: it gets calls once it can run them
      var failedAfterRestart = all.stream().filter(c -> c.phase() == Phase.AFTER_RESTART && !c.ok()).toList();
      check(problems, failedAfterRestart.isEmpty(), failedAfterRestart.size() + " call(s) failed after node 3 was"
          + " restarted (no node was lost then), e.g. " + failedAfterRestart.stream().limit(3).toList());

      // (c) again at the end: both functions listed and invocable on nodes 1 and 2
      for (var n : List.of(n1, n2)) {
        for (var fn : List.of("sha256", "echo")) {
          check(problems, n.status("/v1/functions/" + fn) == 200, "node " + n.index + " still lists " + fn);
          var c = call(n, fn);
          check(problems, c.ok(), "node " + n.index + " still invokes " + fn + ": " + c);
        }
      }
      if (!problems.isEmpty()) {
        fail("mode " + mode + ":\n  - " + String.join("\n  - ", problems));
      }
    } catch (Throwable e) {
      loadRunning.set(false);
      printLogs(nodes);
      throw e;
    } finally {
      loadRunning.set(false);
      stopAll(nodes);
      keepLogs(mode, nodes);
    }
  }

  /** SIGTERM to every node (a graceful leave), then SIGKILL to those still running after 30 s. */
  private static void stopAll(List<NodeProcess> nodes) throws InterruptedException {
    var running = nodes.stream().map(n -> n.process).filter(p -> p != null && p.isAlive()).toList();
    running.forEach(Process::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (var p : running) {
      if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Copies the node logs to target/process-cluster-it/MODE/ (kept after the temporary directory is gone). */
  private static void keepLogs(String mode, List<NodeProcess> nodes) {
    try {
      var dir = Path.of("target", "process-cluster-it", mode);
      Files.createDirectories(dir);
      for (var n : nodes) {
        if (Files.exists(n.log)) {
          Files.copy(n.log, dir.resolve(n.log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      System.out.println("ProcessClusterIT: cannot keep the node logs: " + e);
    }
  }

  private HttpResponse<byte[]> deploy(NodeProcess n, String name, String query) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(n.url() + "/v1/functions/" + name + "?" + query))
            .timeout(REQUEST_TIMEOUT)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(TestModules.example(name)))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** When the last call that failed ended, among those started before node 3 was restarted (in flight at the kill too). */
  private static java.util.OptionalLong lastFailureBeforeRestart(List<Call> all) {
    return all.stream().filter(c -> c.phase() != Phase.AFTER_RESTART && !c.ok()).mapToLong(Call::endMs).max();
  }

  private java.util.Set<String> nodesSeen(Phase p) {
    return calls.stream().filter(c -> c.phase() == p && c.ok() && c.node() != null).map(Call::node)
        .collect(Collectors.toSet());
  }

  private void awaitCluster(List<NodeProcess> nodes, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!nodes.stream().allMatch(n -> n.workersReachable() == nodes.size())) {
      for (var n : nodes) {
        if (!n.process.isAlive()) {
          throw new AssertionError("node " + n.index + " exited with " + n.process.exitValue() + " while starting");
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the cluster did not form within " + limit + ": workersReachable "
            + nodes.stream().map(n -> n.index + "=" + n.workersReachable()).toList());
      }
      Thread.sleep(250);
    }
  }

  private static void await(String what, Duration limit, Callable<Boolean> condition) throws Exception {
    Await.until(limit, what, condition);
  }

  private static boolean awaitQuietly(Duration limit, Callable<Boolean> condition) throws Exception {
    return Await.within(limit, condition);
  }

  private void check(List<String> problems, boolean ok, String what) {
    if (!ok) {
      log("FAILED: " + what);
      problems.add(what);
    }
  }

  private void log(String message) {
    System.out.printf("ProcessClusterIT +%6d ms (%s)  %s%n", elapsed(), java.time.LocalTime.now(), message);
  }

  private String summary(String mode, List<Call> all, long killMs, long restartMs, List<NodeProcess> nodes) {
    var byAddress = new TreeMap<String, String>();
    nodes.forEach(n -> byAddress.put(n.address(), "node" + n.index));
    // one line with the numbers (grep CI logs for it), then the details
    var lastFailure = lastFailureBeforeRestart(all);
    var out = new StringBuilder("ProcessClusterIT summary [mode " + mode + "]:");
    for (var p : Phase.values()) {
      var in = all.stream().filter(c -> c.phase() == p).toList();
      long ok = in.stream().filter(Call::ok).count();
      out.append(String.format(" %s ok=%d failed=%d;", p.name().toLowerCase().replace('_', ' '), ok, in.size() - ok));
    }
    out.append(String.format(" last failure %s", lastFailure.isPresent()
        ? (lastFailure.getAsLong() - killMs) + " ms after the kill" : "none"));
    for (var p : Phase.values()) {
      var in = all.stream().filter(c -> c.phase() == p).toList();
      long ok = in.stream().filter(Call::ok).count();
      Map<String, Long> failed = in.stream().filter(c -> !c.ok()).collect(Collectors.groupingBy(
          c -> c.function() + ":" + c.status() + (c.problemType() == null ? "" : " " + c.problemType().replace("urn:hpcfaas:problem:", "")),
          TreeMap::new, Collectors.counting()));
      Map<String, Long> perNode = in.stream().filter(Call::ok).collect(Collectors.groupingBy(
          c -> byAddress.getOrDefault(c.node(), String.valueOf(c.node())), TreeMap::new, Collectors.counting()));
      out.append(String.format("%n  %-13s ok=%d failed=%d %s ran on %s", p.name().toLowerCase(), ok, in.size() - ok,
          failed, perNode));
    }
    out.append(String.format("%n  kill at +%d ms; last failure %s; restart at +%d ms", killMs,
        lastFailure.isPresent() ? "+" + (lastFailure.getAsLong() - killMs) + " ms after the kill" : "none",
        restartMs));
    // the failures themselves, in time order (ms relative to the kill), to compare with the node logs
    all.stream().filter(c -> !c.ok()).sorted(java.util.Comparator.comparingLong(Call::startMs)).limit(30).forEach(c ->
        out.append(String.format("%n    failed %-6s %-13s started %+6d ms, ended %+6d ms after the kill: %d %s %s", c.function(),
            c.phase().name().toLowerCase(), c.startMs() - killMs, c.endMs() - killMs, c.status(),
            c.problemType() == null ? "" : c.problemType().replace("urn:hpcfaas:problem:", ""), c.detail())));
    return out.toString();
  }

  private static void printLogs(List<NodeProcess> nodes) {
    for (var n : nodes) {
      System.out.println("===== " + n.log + " (last 200 lines)");
      try {
        var lines = Files.readAllLines(n.log, StandardCharsets.UTF_8);
        lines.subList(Math.max(0, lines.size() - 200), lines.size()).forEach(System.out::println);
      } catch (IOException e) {
        System.out.println("(cannot read: " + e + ")");
      }
    }
  }

  private static int[] freePorts(int n) throws IOException {
    var sockets = new ArrayList<ServerSocket>();
    try {
      var ports = new int[n];
      for (int i = 0; i < n; i++) {
        var socket = new ServerSocket(0);
        socket.setReuseAddress(true);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (var s : sockets) {
        s.close();
      }
    }
  }
}
