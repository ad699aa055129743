package org.hpcfaas.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.hpcfaas.core.CborSerializable;

/**
 * A bearer token as every node keeps it: the secret only as its SHA-256, the tenant it acts for, its
 * rights per namespace ("*" for all) and the tenant's quotas. Revoking makes a new version.
 */
public record Token(String id, String secretSha256, String tenant, Map<String, Set<Right>> grants,
    int maxConcurrentInvocations, long maxModuleBytes, Instant created, long version, boolean revoked)
    implements CborSerializable {

  public Token revoke() {
    return new Token(id, secretSha256, tenant, grants, maxConcurrentInvocations, maxModuleBytes, created, version + 1, true);
  }
}
