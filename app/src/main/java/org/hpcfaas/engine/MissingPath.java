package org.hpcfaas.engine;

/**
 * Whether a guest's last file-system call failed because a path was not there. GraalWasm's WASI module
 * reports that as EIO; the shim asks here and answers ENOENT, as every C program expects of a missing
 * file. One per Context (a guest runs on one thread at a time).
 */
final class MissingPath {
  private volatile boolean missing;

  void clear() {
    missing = false;
  }

  void mark() {
    missing = true;
  }

  /** Whether the last call found a path missing; asking clears it. */
  boolean take() {
    boolean was = missing;
    missing = false;
    return was;
  }
}
