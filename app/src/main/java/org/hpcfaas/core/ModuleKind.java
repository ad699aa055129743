package org.hpcfaas.core;

/** How a module is run: a fresh instance per call, or a warm instance reused across calls. */
public enum ModuleKind {
  /** Exports {@code _start}: a fresh instance per invocation, the exit code decides success. */
  COMMAND,
  /** Exports {@code hpcfaas_handle}: warm instances are pooled, its return value decides success. */
  REACTOR
}
