package org.hpcfaas.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.util.Locale;

/**
 * (c) WebSocket message mode: {@code GET /v1/functions/upper/ws}, where each text message is one
 * invocation and its reply one text message, in order.
 *
 * <p>Open model: {@code -Drate} new connections per second, each sending {@code -Dmessages} (default
 * 10) messages one after the other (the next once the reply came) and closing. Closed model
 * ({@code -Dusers=N}): N connections send message after message for the duration. Each reply is
 * checked (the message in capitals).
 */
public class WebSocketSimulation extends Simulation {

  private final LoadSettings settings = new LoadSettings();
  private final int messages = LoadSettings.intProperty("messages", 10);
  private final String function = "echo".equals(settings.function) ? "upper" : settings.function;

  {
    System.out.println(settings.describe("WebSocket " + function + " (" + messages + " messages per connection)"));
    setUp(population())
        .protocols(settings.httpProtocol())
        .assertions(settings.assertions())
        .maxDuration(settings.duration().plusSeconds(60));
  }

  private PopulationBuilder population() {
    if (settings.closedModel()) {
      return scenario("websocket (closed, " + settings.users + " users)")
          .exec(connect(), during(settings.duration(), "i").on(message()), close())
          .injectOpen(atOnceUsers(settings.users));
    }
    return scenario("websocket (open, " + settings.rate + " connections/s)")
        .exec(connect(), repeat(messages, "i").on(message()), close())
        .injectOpen(settings.openInjection(1.0, false));
  }

  static ChainBuilder connect(String function) {
    return exec(ws("ws connect").connect("/v1/functions/" + function + "/ws"));
  }

  private ChainBuilder connect() {
    return connect(function);
  }

  static ChainBuilder message() {
    return exec(ws("ws message")
        .sendText(WebSocketSimulation::text)
        .await(30)
        .on(ws.checkTextMessage("ws reply").check(
            bodyString().is(session -> text(session).toUpperCase(Locale.ROOT)))));
  }

  static ChainBuilder close() {
    return exec(ws("ws close").close());
  }

  private static String text(Session session) {
    return "hello from user " + session.userId() + ", message " + session.getInt("i");
  }
}
