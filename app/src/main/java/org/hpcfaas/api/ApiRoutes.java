package org.hpcfaas.api;

import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.auth.TokenStore;

/**
 * The whole HTTP API: authentication (bearer tokens, or every caller the operator when it is off), then
 * {@code /v1} with its namespaces ({@code /v1/...} is the default namespace, {@code /v1/namespaces/{ns}/...}
 * any other), then {@code /health} and {@code /metrics}. {@code /health}, the OpenAPI document and the
 * dashboard's files ({@code /ui/}) need no token.
 */
public final class ApiRoutes extends AllDirectives {
  private static final String ACCESS_TOKEN = "access_token";
  private static final java.util.regex.Pattern NAMESPACE = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private final boolean authEnabled;
  private final TokenStore tokens;
  private final JsonResponses responses;
  private final FunctionRoutes functions;
  private final WebSocketRoutes webSockets;
  private final InvocationRoutes invocations;
  private final TokenRoutes tokenRoutes;
  private final NodeRoutes node;
  private final MapRoutes maps;
  private final OpenApiRoutes openApi = new OpenApiRoutes();
  private final UiRoutes ui = new UiRoutes();

  public ApiRoutes(boolean authEnabled, TokenStore tokens, JsonResponses responses, FunctionRoutes functions,
      WebSocketRoutes webSockets, InvocationRoutes invocations, MapRoutes maps, TokenRoutes tokenRoutes, NodeRoutes node) {
    this.maps = maps;
    this.authEnabled = authEnabled;
    this.tokens = tokens;
    this.responses = responses;
    this.functions = functions;
    this.webSockets = webSockets;
    this.invocations = invocations;
    this.tokenRoutes = tokenRoutes;
    this.node = node;
  }

  public Route route() {
    return concat(
        node.health(),
        openApi.route(),
        ui.route(),
        authenticated(principal -> concat(
            pathPrefix("v1", () -> concat(
                pathPrefix(PathMatchers.segment("namespaces").slash(PathMatchers.segment(NAMESPACE)),
                    ns -> namespace(ns, principal)),
                invocations.byId(principal),
                maps.byId(principal),
                tokenRoutes.route(principal),
                node.cluster(),
                namespace(Access.DEFAULT_NAMESPACE, principal))),
            node.metrics(principal))));
  }

  private Route namespace(String ns, Principal principal) {
    return concat(webSockets.route(ns, principal), invocations.route(ns, principal), maps.route(ns, principal),
        functions.route(ns, principal));
  }

  /**
   * The caller: from {@code Authorization: Bearer ...}, or, on a WebSocket upgrade only (browsers cannot set
   * headers there), from {@code ?access_token=}. The parameter is taken off the request before anything
   * else sees it (routes, the guest's environment, logs); on any other request it is refused.
   */
  private Route authenticated(Function<Principal, Route> inner) {
    return extractRequest(request -> {
      var query = request.getUri().query();
      var fromQuery = query.get(ACCESS_TOKEN);
      boolean upgrade = request.getHeader("Upgrade").map(h -> h.value().toLowerCase(java.util.Locale.ROOT))
          .filter(v -> v.contains("websocket")).isPresent();
      if (fromQuery.isPresent() && !upgrade) {
        return complete(responses.problem(Problem.of(ProblemType.INVALID_REQUEST, "access_token is accepted in the"
            + " query of WebSocket upgrades only; send the token as Authorization: Bearer")));
      }
      var stripped = fromQuery.isEmpty() ? request : request.withUri(request.getUri().query(org.apache.pekko.http.javadsl
          .model.Query.create(query.toList().stream().filter(p -> !p.first().equals(ACCESS_TOKEN)).toList())));
      return mapRequest(r -> stripped, () -> {
        if (!authEnabled) {
          return inner.apply(Principal.OPERATOR);
        }
        Optional<String> bearer = request.getHeader("Authorization").map(h -> h.value())
            .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim())
            .or(() -> fromQuery);
        return bearer.flatMap(tokens::authenticate).map(inner).orElseGet(() -> complete(responses.problem(
                Problem.of(ProblemType.UNAUTHORIZED, bearer.isPresent() ? "the bearer token is not valid"
                    : "this node requires a bearer token (Authorization: Bearer hpcfaas_...)"))
            .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "hpc-faas")))));
      });
    });
  }
}
