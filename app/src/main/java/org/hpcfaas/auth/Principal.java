package org.hpcfaas.auth;

import java.util.Map;
import java.util.Set;

/**
 * Who makes a request: a tenant with rights per namespace and quotas. With authentication off every
 * request is the {@link #OPERATOR}, who may do everything (the single-user setup).
 */
public record Principal(String tenant, Map<String, Set<Right>> grants, int maxConcurrentInvocations, long maxModuleBytes) {
  public static final Principal OPERATOR = new Principal("operator", Map.of("*", Set.of(Right.ADMIN)), 0, 0);

  static Principal of(Token token) {
    return new Principal(token.tenant(), token.grants(), token.maxConcurrentInvocations(), token.maxModuleBytes());
  }

  /** May this principal do {@code right} in {@code namespace}? */
  public boolean may(Right right, String namespace) {
    return allows(grants.get(namespace), right) || allows(grants.get("*"), right);
  }

  /** Does this principal see the namespace at all (any right in it)? Others get 404, not 403. */
  public boolean sees(String namespace) {
    return grants.containsKey(namespace) || grants.containsKey("*");
  }

  public boolean isAdmin() {
    return allows(grants.get("*"), Right.ADMIN);
  }

  private static boolean allows(Set<Right> rights, Right right) {
    return rights != null && (rights.contains(right) || rights.contains(Right.ADMIN));
  }
}
