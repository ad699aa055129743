package org.hpcfaas.core;

import java.util.concurrent.CompletionStage;

/** Runs the calls functions make of other functions: the gateway's part, used by the worker running the caller. */
public interface FunctionCalls {
  /** Runs {@code name} for the caller {@code parent} (call {@code parentId}) as its child {@code childId}. */
  CompletionStage<ChildResult> invoke(FunctionSpec parent, String parentId, String childId, String name, byte[] input,
      long deadlineNanos);
}
