package org.hpcfaas.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The node's HTTP API through {@link HttpClient}: the token in a header, path segments and queries
 * encoded, error answers turned into {@link CallFailed} with the exit code of their problem type.
 */
final class NodeClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

  private final URI base;
  private final String token;
  private final ObjectMapper json;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(CONNECT_TIMEOUT)
      .build();

  NodeClient(URI base, String token, ObjectMapper json) {
    this.base = base;
    this.token = token;
    this.json = json;
  }

  String token() {
    return token;
  }

  /** {@code base + /a/b/c} with each segment percent-encoded, then the query. */
  URI uri(Query query, String... segments) {
    var path = Arrays.stream(segments).map(Query::encode).collect(Collectors.joining("/", "/", ""));
    return URI.create(base + path + (query == null ? "" : query.toString()));
  }

  /** The segments of a function's path: {@code v1/functions/NAME} or {@code v1/namespaces/NS/functions/NAME}. */
  static String[] functionPath(String namespace, String name, String... more) {
    var head = namespace.equals("default") ? new String[] {"v1", "functions", name}
        : new String[] {"v1", "namespaces", namespace, "functions", name};
    var all = Arrays.copyOf(head, head.length + more.length);
    System.arraycopy(more, 0, all, head.length, more.length);
    return all;
  }

  HttpRequest.Builder request(URI uri) {
    var b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("User-Agent", "hpcfaas-cli");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /** Sends the request; a 2xx answer's JSON body (NullNode when empty), else the failure. */
  JsonNode json(HttpRequest.Builder request, String what) throws CallFailed {
    var body = send(request, what);
    if (body.length == 0) {
      return NullNode.getInstance();
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new CallFailed(ExitCode.NODE_FAILED, what + ": the node answered with something that is not JSON: " + e.getMessage());
    }
  }

  /** Sends the request; a 2xx answer's body as text, else the failure. */
  String text(HttpRequest.Builder request, String what) throws CallFailed {
    return new String(send(request, what), StandardCharsets.UTF_8);
  }

  private byte[] send(HttpRequest.Builder request, String what) throws CallFailed {
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw transportFailure(what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallFailed(ExitCode.UNREACHABLE, what + ": interrupted");
    }
    if (response.statusCode() >= 400) {
      throw failure(what, response.statusCode(), response.body());
    }
    return response.body();
  }

  /** An error answer: its problem document, or its status and text when the body is not one. */
  CallFailed failure(String what, int status, byte[] body) {
    try {
      var problem = json.readTree(body);
      if (problem != null && problem.isObject()) {
        return CallFailed.ofProblem(what, status, problem);
      }
    } catch (IOException notJson) {
      // answered by something else than the API (a proxy, say): report the text
    }
    var text = new String(body, StandardCharsets.UTF_8).strip();
    return new CallFailed(ExitCode.of("", status), what + ": HTTP " + status + (text.isEmpty() ? "" : ": " + text));
  }

  /** No answer: the node could not be reached, or the connection broke. */
  CallFailed transportFailure(String what, IOException e) {
    if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException
        || e.getCause() instanceof ConnectException || e instanceof java.net.UnknownHostException) {
      return new CallFailed(ExitCode.UNREACHABLE, what + ": cannot reach the node at " + base + " (" + describe(e) + ")");
    }
    return new CallFailed(ExitCode.UNREACHABLE, what + ": the connection to " + base + " broke before the node answered ("
        + describe(e) + ")");
  }

  static String describe(Throwable e) {
    var m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
