package org.hpcfaas.engine;

import org.hpcfaas.core.ChildResult;

/** The child calls of whichever call a warm reactor instance is running now (its imports are bound once). */
final class BoundChildCalls implements ChildCalls {
  private volatile ChildCalls current = NONE;

  void bind(ChildCalls calls) {
    current = calls;
  }

  void unbind() {
    current = NONE;
  }

  @Override
  public int spawn(String function, byte[] input) {
    return current.spawn(function, input);
  }

  @Override
  public ChildResult await(int handle) {
    return current.await(handle);
  }
}
