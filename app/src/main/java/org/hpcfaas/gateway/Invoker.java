package org.hpcfaas.gateway;

import java.util.concurrent.CompletionStage;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.WorkerUnavailable;

/** How a gateway hands an invocation to a worker, whichever transport ({@code hpcfaas.mode}) carries it. */
public interface Invoker {
  /**
   * Runs one invocation somewhere in the cluster. {@code input} is the whole input when known
   * ({@code inputBytes} not null: it can be retried), else a stream. Fails with {@link WorkerUnavailable}
   * when no worker could take it or the one running it was lost.
   */
  CompletionStage<InvocationResult> invoke(FunctionSpec spec, Call call);
}
