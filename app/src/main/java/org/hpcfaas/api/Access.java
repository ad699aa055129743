package org.hpcfaas.api;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.auth.Right;
import org.hpcfaas.core.FunctionSpec;

/**
 * Namespaces and who may do what in them. The default namespace's functions keep their plain names
 * ({@code /v1/functions/x}); others are qualified ({@code /v1/namespaces/ns/functions/x} is {@code ns:x}).
 * What a caller may not see at all is 404, as if it did not exist; what it sees but may not do is 403.
 */
final class Access {
  static final String DEFAULT_NAMESPACE = "default";

  private Access() {}

  static String qualify(String namespace, String name) {
    return namespace.equals(DEFAULT_NAMESPACE) ? name : namespace + ":" + name;
  }

  static String namespaceOf(String qualifiedName) {
    int colon = qualifiedName.indexOf(':');
    return colon < 0 ? DEFAULT_NAMESPACE : qualifiedName.substring(0, colon);
  }

  static boolean inNamespace(FunctionSpec spec, String namespace) {
    return namespaceOf(spec.name()).equals(namespace);
  }

  /** The refusal for {@code right} on a function (null: only to see it, as describing needs), if any. */
  static Optional<HttpResponse> deny(Principal principal, Right right, String namespace, String function,
      JsonResponses responses) {
    if (!principal.sees(namespace)) {
      return Optional.of(responses.problem(notFound(function)));
    }
    if (right != null && !principal.may(right, namespace)) {
      return Optional.of(responses.problem(Problem.of(ProblemType.FORBIDDEN, "this token may not "
          + right.name().toLowerCase() + " in namespace " + namespace)));
    }
    return Optional.empty();
  }

  static Problem notFound(String function) {
    return Problem.of(ProblemType.FUNCTION_NOT_FOUND, "no function named '" + function + "' is deployed");
  }
}
