package org.hpcfaas.worker;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;

/** {@link WorkerService} on this node: a message to its {@link WorkerActor}, no envelope, no serialization. */
public final class LocalWorker implements WorkerService {
  private final ActorRef<WorkerActor.Command> worker;
  private final Scheduler scheduler;
  private final FunctionActor.QueueSettings queue;

  public LocalWorker(ActorRef<WorkerActor.Command> worker, Scheduler scheduler, FunctionActor.QueueSettings queue) {
    this.worker = worker;
    this.scheduler = scheduler;
    this.queue = queue;
  }

  @Override
  public CompletionStage<WorkerResult> run(FunctionSpec spec, Call call) {
    return AskPattern.ask(worker, replyTo -> new WorkerActor.Run(new FunctionActor.Invoke(spec, call, replyTo)),
        queue.replyTimeout(spec), scheduler);
  }
}
