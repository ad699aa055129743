package org.hpcfaas.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * The baseline of the invoke overhead: {@code GET /health} of the node, with the same models as
 * {@link InvokeSimulation} ({@code -Drate} open, or {@code -Dusers=N} closed). loadtest/bench compares
 * a no-op function's throughput with this one on the same node.
 */
public class HealthSimulation extends Simulation {

  private final LoadSettings settings = new LoadSettings();

  {
    System.out.println(settings.describe("GET /health"));
    setUp(population())
        .protocols(settings.httpProtocol())
        .assertions(settings.assertions())
        .maxDuration(settings.duration().plusSeconds(60));
  }

  private PopulationBuilder population() {
    ChainBuilder health = exec(http("health").get("/health").check(status().is(200)));
    if (settings.closedModel()) {
      return scenario("health (closed, " + settings.users + " users)")
          .exec(during(settings.duration()).on(health))
          .injectOpen(atOnceUsers(settings.users));
    }
    return scenario("health (open, " + settings.rate + "/s)").exec(health)
        .injectOpen(settings.openInjection(1.0, false));
  }
}
