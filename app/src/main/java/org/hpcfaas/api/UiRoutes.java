package org.hpcfaas.api;

import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /ui/}: the web dashboard, static files from the jar's {@code ui/} resources. They are open to
 * everyone (the page asks for a token when the API wants one); the policy keeps the page to this node.
 */
public final class UiRoutes extends AllDirectives {
  private static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; "
          + "style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
          + "base-uri 'none'; form-action 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Cache-Control", "no-cache"));

  public Route route() {
    return pathPrefix("ui", () -> concat(
        pathEnd(() -> get(() -> redirect(org.apache.pekko.http.javadsl.model.Uri.create("ui/"),
            StatusCodes.MOVED_PERMANENTLY))),
        respondWithHeaders(HEADERS, () -> concat(
            pathSingleSlash(() -> getFromResource("ui/index.html")),
            getFromResourceDirectory("ui")))));
  }
}
