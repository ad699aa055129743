package org.hpcfaas.loadtest;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.Locale;

/**
 * (a) Synchronous invocations of a small function: {@code POST /v1/functions/{function}/invoke} with a
 * small body ({@code -DinputBytes}, default 64), answered whole (bulk).
 *
 * <p>Open model ({@code -Drate} requests per second for {@code -Dduration} seconds, each from a new
 * user) for the latency at a given offered load, or closed model ({@code -Dusers=N}: N users loop for
 * the duration) for the throughput at saturation. The output is checked for {@code echo} (the input
 * back) and {@code upper} (the input in capitals); for any other function only the status (200).
 */
public class InvokeSimulation extends Simulation {

  private final LoadSettings settings = new LoadSettings();
  private final int inputBytes = LoadSettings.intProperty("inputBytes", 64);
  private final String input = text(inputBytes);

  {
    System.out.println(settings.describe("invoke " + settings.function + " (" + inputBytes + " B in)"));
    setUp(population())
        .protocols(settings.httpProtocol())
        .assertions(settings.assertions())
        .maxDuration(settings.duration().plusSeconds(60));
  }

  private PopulationBuilder population() {
    if (settings.closedModel()) {
      ScenarioBuilder loop = scenario("invoke " + settings.function + " (closed, " + settings.users + " users)")
          .exec(during(settings.duration()).on(call()));
      return loop.injectOpen(atOnceUsers(settings.users));
    }
    ScenarioBuilder open = scenario("invoke " + settings.function + " (open, " + settings.rate + "/s)").exec(call());
    return open.injectOpen(settings.openInjection(1.0, false));
  }

  private ChainBuilder call() {
    HttpRequestActionBuilder request = http("invoke " + settings.function)
        .post("/v1/functions/" + settings.function + "/invoke")
        .body(ByteArrayBody(LoadSettings.utf8(input)))
        .check(status().is(200));
    switch (settings.function) {
      case "echo" -> request = request.check(bodyString().is(input));
      case "upper" -> request = request.check(bodyString().is(input.toUpperCase(Locale.ROOT)));
      default -> { }
    }
    return exec(request);
  }

  /** size bytes of readable ASCII text. */
  static String text(int size) {
    String words = "the quick brown fox jumps over the lazy dog ";
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      b.append(words);
    }
    return b.substring(0, size);
  }
}
