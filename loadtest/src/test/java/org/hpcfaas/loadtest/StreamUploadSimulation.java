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
import io.gatling.javaapi.core.Simulation;

/**
 * (b) Streamed uploads of large inputs: {@code POST /v1/functions/sha256/invoke?transfer=stream} with
 * {@code -DinputKb} KiB (default 4096 = 4 MiB) of pseudo-random bytes; the input streams into the
 * function's stdin while it is uploaded, and the digest is checked against the one computed here.
 *
 * <p>{@code -Drate} uploads per second (open model) or {@code -Dusers=N} looping uploaders (closed);
 * {@code -Dfunction} names another deployment of the sha256 example ({@code sha256} unless it is set
 * to something else than the default {@code echo}).
 */
public class StreamUploadSimulation extends Simulation {

  private final LoadSettings settings = new LoadSettings();
  private final int inputKb = LoadSettings.intProperty("inputKb", 4096);
  private final String function = "echo".equals(settings.function) ? "sha256" : settings.function;
  private final byte[] input = LoadSettings.payload(inputKb * 1024, 42);
  private final String digest = LoadSettings.sha256Hex(input);

  {
    System.out.println(settings.describe("streamed upload of " + inputKb + " KiB to " + function));
    setUp(population())
        .protocols(settings.httpProtocol())
        .assertions(settings.assertions())
        .maxDuration(settings.duration().plusSeconds(120));
  }

  private PopulationBuilder population() {
    if (settings.closedModel()) {
      return scenario("stream upload (closed, " + settings.users + " users)")
          .exec(during(settings.duration()).on(upload()))
          .injectOpen(atOnceUsers(settings.users));
    }
    return scenario("stream upload (open, " + settings.rate + "/s)")
        .exec(upload())
        .injectOpen(settings.openInjection(1.0, false));
  }

  private ChainBuilder upload() {
    return exec(http("upload " + inputKb + " KiB")
        .post("/v1/functions/" + function + "/invoke?transfer=stream")
        .body(ByteArrayBody(input))
        .check(status().is(200))
        .check(bodyString().is(digest + "\n")));
  }
}
