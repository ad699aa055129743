package org.hpcfaas.worker;

import java.util.concurrent.CompletionStage;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;

/**
 * The worker side of every call, whichever way it came: the artery transport's sharded entity, the http
 * transport's internal endpoint, and a gateway whose call was placed on its own node all run it here.
 */
public interface WorkerService {
  /** Queues the call under its function's limits and runs it on this node; answered once, as {@link WorkerResult}. */
  CompletionStage<WorkerResult> run(FunctionSpec spec, Call call);
}
