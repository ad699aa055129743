package org.hpcfaas.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/openapi.json}: the API's OpenAPI 3.1 document, the {@code openapi.json} resource of the jar
 * (docs/openapi.json is the same file). Open to everyone, like {@code /health}: it describes, it tells nothing.
 */
public final class OpenApiRoutes extends AllDirectives {
  static final String RESOURCE = "/openapi.json";

  private final byte[] document;

  public OpenApiRoutes() {
    try (var in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the jar has no " + RESOURCE);
      }
      document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Route route() {
    return path(PathMatchers.segment("v1").slash("openapi.json"),
        () -> get(() -> complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, document))));
  }
}
