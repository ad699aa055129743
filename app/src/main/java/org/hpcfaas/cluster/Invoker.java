package org.hpcfaas.cluster;

import java.util.concurrent.CompletionStage;
import org.hpcfaas.registry.FunctionSpec;

/** How a gateway hands an invocation to a worker; chosen by {@code hpcfaas.mode}. */
public interface Invoker {
  /** Completes with the worker's result, or fails when no worker answered in time. */
  CompletionStage<InvocationResult> invoke(FunctionSpec spec, InvocationRequest request);
}
