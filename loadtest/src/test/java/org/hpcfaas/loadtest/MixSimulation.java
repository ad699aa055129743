package org.hpcfaas.loadtest;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Simulation;

/**
 * (d) A mix, all at once against one node (open model; {@code -Drate} is the total of new users per
 * second, {@code -Dusers} is ignored):
 *
 * <ul>
 *   <li>70%: a small synchronous invocation of {@code echo} (64 B);
 *   <li>10%: a synchronous call of the {@code greet} reactor (a warm instance);
 *   <li>10%: a streamed upload of {@code -DinputKb} KiB (default 1024) to {@code sha256};
 *   <li>10%: a WebSocket connection to {@code upper} with {@code -Dmessages} (default 5) messages.
 * </ul>
 *
 * Each kind also starts one user at once, so that even a short smoke run has one of each.
 */
public class MixSimulation extends Simulation {

  private final LoadSettings settings = new LoadSettings();
  private final int inputKb = LoadSettings.intProperty("inputKb", 1024);
  private final int messages = LoadSettings.intProperty("messages", 5);
  private final byte[] upload = LoadSettings.payload(inputKb * 1024, 7);
  private final String digest = LoadSettings.sha256Hex(upload);
  private final String small = InvokeSimulation.text(64);

  {
    System.out.println(settings.describe("a mix of echo, greet, sha256 uploads of " + inputKb
        + " KiB and WebSocket upper"));
    var invoke = scenario("mix: invoke echo")
        .exec(http("invoke echo").post("/v1/functions/echo/invoke")
            .body(ByteArrayBody(LoadSettings.utf8(small)))
            .check(status().is(200), bodyString().is(small)));
    var greet = scenario("mix: invoke greet")
        .exec(http("invoke greet").post("/v1/functions/greet/invoke")
            .body(ByteArrayBody(LoadSettings.utf8("Ada")))
            .check(status().is(200), bodyString().exists()));
    var stream = scenario("mix: stream upload")
        .exec(http("upload " + inputKb + " KiB").post("/v1/functions/sha256/invoke?transfer=stream")
            .body(ByteArrayBody(upload))
            .check(status().is(200), bodyString().is(digest + "\n")));
    var websocket = scenario("mix: websocket")
        .exec(WebSocketSimulation.connect("upper"), repeat(messages, "i").on(WebSocketSimulation.message()),
            WebSocketSimulation.close());
    setUp(
            invoke.injectOpen(settings.openInjection(0.7, true)),
            greet.injectOpen(settings.openInjection(0.1, true)),
            stream.injectOpen(settings.openInjection(0.1, true)),
            websocket.injectOpen(settings.openInjection(0.1, true)))
        .protocols(settings.httpProtocol())
        .assertions(settings.assertions())
        .maxDuration(settings.duration().plusSeconds(120));
  }
}
