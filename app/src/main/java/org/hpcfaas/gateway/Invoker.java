package org.hpcfaas.gateway;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;

/** How a gateway hands an invocation to a worker; chosen by {@code hpcfaas.mode} (cluster or http). */
public interface Invoker {
  /**
   * Runs one invocation somewhere in the cluster. {@code input} is the whole input when known
   * ({@code inputBytes} not null: it can be retried), else a stream. Fails with {@link WorkerUnavailable}
   * when no worker could take it or the one running it was lost.
   */
  CompletionStage<InvocationResult> invoke(FunctionSpec spec, Call call);

  /** One call as the gateway received it. */
  record Call(String id, byte[] inputBytes, Source<ByteString, ?> inputStream, java.util.Map<String, String> env,
      boolean streamOutput) {}
}
