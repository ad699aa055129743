package org.hpcfaas.engine;

/** A module that cannot be deployed: malformed, truncated, unlinkable or over its limits. */
public final class InvalidModuleException extends Exception {
  public InvalidModuleException(String message) {
    super(message);
  }
}
