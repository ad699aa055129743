package org.hpcfaas.engine;

import org.hpcfaas.core.ChildResult;

/**
 * How a guest calls other functions (functions-sdk/include/hpcfaas.h, host module {@code hpcfaas}): the
 * runtime's side of the imports {@code call}, {@code spawn} and {@code wait}. One per invocation.
 */
public interface ChildCalls {
  /** Starts a call of {@code function} (of the caller's namespace) with {@code input}: a handle (> 0), or -status. */
  int spawn(String function, byte[] input);

  /** The end of the call with {@code handle}, waited for with the caller's WASM slot given up. */
  ChildResult await(int handle);

  /** For calls that may not call functions (validation, warm-up). */
  ChildCalls NONE = new ChildCalls() {
    @Override
    public int spawn(String function, byte[] input) {
      return -ChildResult.UNAVAILABLE;
    }

    @Override
    public ChildResult await(int handle) {
      return ChildResult.problem(ChildResult.BAD_HANDLE, "no call with handle " + handle);
    }
  };
}
