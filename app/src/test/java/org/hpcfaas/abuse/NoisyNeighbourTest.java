package org.hpcfaas.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with two WASM threads, two functions that use everything they are given (a loop that only its time
 * limit stops, a memory bomb that only its memory cap stops) called at full concurrency from eight clients, and a
 * victim, echo, called one call after another meanwhile: every victim call must succeed with the right output.
 * Its latency is recorded and printed, not asserted: it waits for a WASM thread behind the noisy calls.
 */
class NoisyNeighbourTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration HAMMER = Duration.ofSeconds(15);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final int NOISY_CLIENTS = 8;

  @TempDir
  Path data;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private HttpResponse<byte[]> invoke(TestNode node, String name, String input) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/" + name + "/invoke"))
        .timeout(REQUEST_TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofString(input))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** "200", or the problem type's last part, e.g. "504 function-timeout". */
  private static String outcome(HttpResponse<byte[]> r) {
    if (r.statusCode() == 200) {
      return "200";
    }
    try {
      var type = JSON.readTree(r.body()).path("type").asText();
      return r.statusCode() + " " + type.substring(type.lastIndexOf(':') + 1);
    } catch (Exception e) {
      return r.statusCode() + " (no problem body)";
    }
  }

  @Test
  void loopsAndMemoryBombsAtFullConcurrencyDoNotStopAnotherFunction() throws Exception {
    try (var node = TestNode.start(data, "hpcfaas.wasm.threads = 2\n")) {
      assertEquals(201, node.deploy("loop", TestModules.testFunction("loop"), "timeoutMs=2000&concurrency=4").statusCode());
      assertEquals(201, node.deploy("membomb", TestModules.testFunction("membomb"), "memoryMb=64&concurrency=4").statusCode());
      assertEquals(201, node.deploy("echo", TestModules.example("echo"), "memoryMb=16").statusCode());
      assertEquals("warm", TestNode.text(node.invoke("echo", "warm")));
      int threads = TestNode.json(node.get("/health")).get("wasmSlots").asInt();
      assertEquals(2, threads);

      var stop = new AtomicBoolean();
      Map<String, Map<String, Integer>> noisy = new ConcurrentHashMap<>();
      var pool = Executors.newFixedThreadPool(NOISY_CLIENTS + 1);
      try {
        var clients = new ArrayList<Future<?>>();
        for (int c = 0; c < NOISY_CLIENTS; c++) {
          String fn = c % 2 == 0 ? "loop" : "membomb";
          clients.add(pool.submit(() -> {
            while (!stop.get()) {
              String result;
              try {
                result = outcome(invoke(node, fn, ""));
              } catch (Exception e) {
                result = e.getClass().getSimpleName();
              }
              noisy.computeIfAbsent(fn, f -> new ConcurrentHashMap<>()).merge(result, 1, Integer::sum);
            }
            return null;
          }));
        }
        // the victim: one call after the other for as long as the noise lasts
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        var victimFailures = Collections.synchronizedList(new ArrayList<String>());
        var victim = pool.submit(() -> {
          long end = System.nanoTime() + HAMMER.toNanos();
          int i = 0;
          while (System.nanoTime() < end) {
            String input = "victim call " + i++;
            long t0 = System.nanoTime();
            try {
              var r = invoke(node, "echo", input);
              latencies.add((System.nanoTime() - t0) / 1_000_000);
              if (r.statusCode() != 200 || !TestNode.text(r).equals(input)) {
                victimFailures.add(input + ": " + r.statusCode() + " " + TestNode.text(r));
              }
            } catch (Exception e) {
              latencies.add((System.nanoTime() - t0) / 1_000_000);
              victimFailures.add(input + ": " + e);
            }
          }
          return null;
        });
        victim.get(HAMMER.toSeconds() + 120, TimeUnit.SECONDS);
        stop.set(true);
        for (var c : clients) {
          c.get(120, TimeUnit.SECONDS);
        }

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long max = sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1);
        long p50 = sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
        int noisyCalls = noisy.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
        System.out.printf("NoisyNeighbourTest wasmThreads=%d noisyClients=%d noisyCalls=%d %s victimCalls=%d"
                + " victimFailures=%d victimLatencyP50Ms=%d victimLatencyMaxMs=%d%n", threads, NOISY_CLIENTS, noisyCalls,
            noisy, sorted.size(), victimFailures.size(), p50, max);
        victimFailures.stream().limit(10).forEach(f -> System.out.println("  VICTIM FAILURE " + f));

        assertTrue(sorted.size() > 0, "the victim made calls");
        assertEquals(List.of(), victimFailures, "every echo call succeeded with its own input as output");
        assertTrue(noisy.get("loop").containsKey("504 function-timeout"), noisy::toString);
        assertTrue(noisy.get("membomb").containsKey("500 function-memory-limit"), noisy::toString);
        assertTrue(noisy.values().stream().flatMap(m -> m.keySet().stream())
            .allMatch(k -> k.equals("504 function-timeout") || k.equals("500 function-memory-limit")
                || k.equals("429 function-overloaded")), () -> "the noisy calls fail only as themselves: " + noisy);
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      // after the noise: nothing left running, all instance memory free again
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      var member = TestNode.json(node.get("/v1/cluster")).at("/members/0");
      while ((member.get("inFlight").asInt() != 0 || member.get("memoryFreeMb").asInt() != member.get("memoryBudgetMb").asInt())
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
        member = TestNode.json(node.get("/v1/cluster")).at("/members/0");
      }
      assertEquals(0, member.get("inFlight").asInt(), member::toString);
      assertEquals(member.get("memoryBudgetMb").asInt(), member.get("memoryFreeMb").asInt(), member::toString);
      assertEquals("quiet again", TestNode.text(node.invoke("echo", "quiet again")));
    }
  }
}
