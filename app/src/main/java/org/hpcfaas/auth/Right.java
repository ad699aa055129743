package org.hpcfaas.auth;

/** What a token may do in a namespace. {@code ADMIN} implies the others; on namespace "*" it manages tokens. */
public enum Right {
  INVOKE, DEPLOY, ADMIN
}
