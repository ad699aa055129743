import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The client half of loadtest/map-vs-calls: N separate calls from one HTTP/1.1 client with keep-alive
 * (one at a time, then IN_FLIGHT at once), and the latency of cache hits against calls that run.
 *
 *   java loadtest/MapVsCalls.java URL FUNCTION CACHED_FUNCTION N IN_FLIGHT
 */
public final class MapVsCalls {
  public static void main(String[] args) throws Exception {
    var url = args[0];
    var function = args[1];
    var cached = args[2];
    int n = Integer.parseInt(args[3]);
    int inFlight = Integer.parseInt(args[4]);
    var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var invoke = URI.create(url + "/v1/functions/" + function + "/invoke");

    warm(http, invoke, 500);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      check(http.send(post(invoke, "record " + i), HttpResponse.BodyHandlers.ofByteArray()));
    }
    report("calls, one at a time", n, System.nanoTime() - t0);

    var slots = new Semaphore(inFlight);
    var all = new ArrayList<CompletableFuture<?>>();
    t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      all.add(http.sendAsync(post(invoke, "record " + i), HttpResponse.BodyHandlers.ofByteArray())
          .thenAccept(MapVsCalls::check).whenComplete((r, e) -> slots.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    report("calls, " + inFlight + " in flight", n, System.nanoTime() - t0);

    var cachedUri = URI.create(url + "/v1/functions/" + cached + "/invoke");
    check(http.send(post(cachedUri, "the same input"), HttpResponse.BodyHandlers.ofByteArray()));
    warm(http, cachedUri, 500);
    int samples = 2000;
    var hit = new long[samples];
    var run = new long[samples];
    for (int i = 0; i < samples; i++) {
      long s = System.nanoTime();
      var r = http.send(post(cachedUri, "the same input"), HttpResponse.BodyHandlers.ofByteArray());
      hit[i] = System.nanoTime() - s;
      check(r);
      if (!"hit".equals(r.headers().firstValue("Hpcfaas-Cache").orElse(""))) {
        throw new IllegalStateException("expected a cache hit");
      }
      s = System.nanoTime();
      check(http.send(post(invoke, "the same input"), HttpResponse.BodyHandlers.ofByteArray()));
      run[i] = System.nanoTime() - s;
    }
    latency("cache hit", hit);
    latency("call (runs)", run);
  }

  private static void warm(HttpClient http, URI uri, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      check(http.send(post(uri, "the same input"), HttpResponse.BodyHandlers.ofByteArray()));
    }
  }

  private static HttpRequest post(URI uri, String body) {
    return HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static void check(HttpResponse<byte[]> r) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
    }
  }

  private static void report(String what, int n, long nanos) {
    System.out.printf("%s: %d records in %.2f s = %.0f records/s%n", what, n, nanos / 1e9, n / (nanos / 1e9));
  }

  private static void latency(String what, long[] nanos) {
    Arrays.sort(nanos);
    System.out.printf("%s: median %.3f ms, p90 %.3f ms, p99 %.3f ms (%d samples)%n", what,
        nanos[nanos.length / 2] / 1e6, nanos[nanos.length * 9 / 10] / 1e6, nanos[nanos.length * 99 / 100] / 1e6,
        nanos.length);
  }
}
