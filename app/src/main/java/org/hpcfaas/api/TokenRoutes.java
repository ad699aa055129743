package org.hpcfaas.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.auth.Right;
import org.hpcfaas.auth.Token;
import org.hpcfaas.auth.TokenReplicator;
import org.hpcfaas.auth.TokenStore;

/**
 * {@code /v1/tokens}, for admins only (others get 404): {@code POST} issues a token from
 * {@code {"tenant": "...", "grants": {"ns": ["invoke", "deploy"]}, "maxConcurrentInvocations": 16,
 * "maxModuleBytes": 104857600}} and shows its secret once; {@code GET} lists tokens without secrets;
 * {@code DELETE /v1/tokens/{id}} revokes one.
 */
public final class TokenRoutes extends AllDirectives {
  private final TokenStore store;
  private final TokenReplicator replicator;
  private final ObjectMapper json;
  private final JsonResponses responses;
  private final Materializer materializer;

  public TokenRoutes(TokenStore store, TokenReplicator replicator, ObjectMapper json, JsonResponses responses,
      Materializer materializer) {
    this.store = store;
    this.replicator = replicator;
    this.json = json;
    this.responses = responses;
    this.materializer = materializer;
  }

  /** A token request is a small JSON document. */
  private static final long MAX_REQUEST_BYTES = 64 * 1024;

  public Route route(Principal principal) {
    return pathPrefix("tokens", () -> {
      if (!principal.isAdmin()) {
        return complete(responses.problem(Problem.of(ProblemType.NOT_FOUND, "no such resource")));
      }
      return concat(
          pathEnd(() -> concat(
              get(() -> complete(responses.json(200, store.all().stream().map(TokenRoutes::view).toList()))),
              post(() -> extractRequestEntity(entity -> completeWithFuture(entity.withSizeLimit(MAX_REQUEST_BYTES)
                  .toStrict(10_000, materializer)
                  .thenApply(strict -> issue(strict.getData().toArray()))
                  .exceptionally(e -> responses.problem(Problems.cause(e)
                      instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException
                      ? Problem.of(ProblemType.INPUT_TOO_LARGE, "a token request may be at most " + MAX_REQUEST_BYTES
                          + " bytes").with("limitBytes", MAX_REQUEST_BYTES)
                      : Problems.ofFailure(e)))))))),
          path(PathMatchers.segment(), id -> delete(() -> complete(revoke(id)))));
    });
  }

  private HttpResponse issue(byte[] body) {
    try {
      var request = json.readTree(body);
      var tenant = request.path("tenant").asText("");
      if (!tenant.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
        return responses.problem(Problem.of(ProblemType.INVALID_REQUEST, "tenant must be a name of letters, digits, '.', '_', '-'"));
      }
      var grants = grants(request.path("grants"));
      if (grants.isEmpty()) {
        return responses.problem(Problem.of(ProblemType.INVALID_REQUEST,
            "grants must map namespaces to rights, e.g. {\"physics\": [\"invoke\", \"deploy\"]}"));
      }
      var issued = store.issue(tenant, grants, request.path("maxConcurrentInvocations").asInt(0),
          request.path("maxModuleBytes").asLong(0));
      replicator.publish(issued.token());
      var answer = view(issued.token());
      answer.put("token", issued.bearer());
      return responses.json(201, answer);
    } catch (IllegalArgumentException | IOException e) {
      return responses.problem(Problem.of(ProblemType.INVALID_REQUEST, e.getMessage()));
    }
  }

  private static Map<String, Set<Right>> grants(JsonNode node) {
    var grants = new HashMap<String, Set<Right>>();
    node.properties().forEach(e -> {
      if (!e.getKey().equals("*") && !e.getKey().matches("[a-z0-9][a-z0-9_-]{0,62}")) {
        throw new IllegalArgumentException("not a namespace name: " + e.getKey());
      }
      var rights = new HashSet<Right>();
      e.getValue().forEach(r -> rights.add(Right.valueOf(r.asText().toUpperCase(Locale.ROOT))));
      grants.put(e.getKey(), rights);
    });
    return grants;
  }

  private HttpResponse revoke(String id) {
    try {
      return store.revoke(id).map(token -> {
        replicator.publish(token);
        return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
      }).orElseGet(() -> responses.problem(Problem.of(ProblemType.NOT_FOUND, "no active token " + id)));
    } catch (IOException e) {
      return responses.problem(Problem.of(ProblemType.RUNTIME_ERROR, "cannot revoke " + id + ": " + e.getMessage()));
    }
  }

  private static Map<String, Object> view(Token token) {
    var view = new LinkedHashMap<String, Object>();
    view.put("id", token.id());
    view.put("tenant", token.tenant());
    view.put("grants", token.grants());
    view.put("maxConcurrentInvocations", token.maxConcurrentInvocations());
    view.put("maxModuleBytes", token.maxModuleBytes());
    view.put("created", token.created());
    view.put("revoked", token.revoked());
    return view;
  }
}
