package org.hpcfaas.transport.artery;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.core.Payload;
import org.hpcfaas.worker.WorkerService;

/**
 * The worker half of {@code mode = cluster}: one function on one worker node as a sharded entity, which
 * hands the calls that gateways of other nodes send it over Artery to the node's {@link WorkerService}.
 *
 * <p>Entities are sharded with the id {@code <function>|<node address>} and the shard id
 * {@code <node address>}; every worker pins its own shard to itself through external shard allocation.
 * So a gateway decides which node runs a call (by load, see the gateway's WorkerPlacement), knows which
 * calls a lost node was running, and sharding still gives each entity its lifecycle and passivation.
 */
public final class FunctionEntity {
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "fn");

  public sealed interface Command extends CborSerializable {}

  public record Invoke(FunctionSpec spec, InvocationRequest request, ActorRef<WorkerReply> replyTo) implements Command {}

  /** Asked by a worker of its own shard at startup, so that the shard is allocated there, not elsewhere. */
  public record Ping(ActorRef<Done> replyTo) implements Command {}

  private FunctionEntity() {}

  /** The entity a worker pings: not a function name (those cannot start with '-'), and stopped at once. */
  public static String pingEntity(String nodeAddress) {
    return entityId("-ready-", nodeAddress);
  }

  public static String entityId(String function, String nodeAddress) {
    return function + "|" + nodeAddress;
  }

  static void initSharding(ActorSystem<?> system, WorkerService worker, Materializer materializer, String node) {
    var sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(KEY, ctx -> create(worker, materializer, node))
        .withRole("worker")
        .withMessageExtractor(new ShardingMessageExtractor<ShardingEnvelope<Command>, Command>() {
          @Override
          public String entityId(ShardingEnvelope<Command> envelope) {
            return envelope.entityId();
          }

          @Override
          public String shardId(String entityId) {
            return entityId.substring(entityId.indexOf('|') + 1);
          }

          @Override
          public Command unwrapMessage(ShardingEnvelope<Command> envelope) {
            return envelope.message();
          }
        })
        .withAllocationStrategy(new ExternalShardAllocationStrategy(system, KEY.name(),
            org.apache.pekko.util.Timeout.create(Duration.ofSeconds(5)))));
    var self = Cluster.get(system).selfMember();
    if (self.hasRole("worker")) {
      ExternalShardAllocation.get(system).getClient(KEY.name())
          .setShardLocation(self.address().toString(), self.address());
    }
  }

  private static Behavior<Command> create(WorkerService worker, Materializer materializer, String node) {
    return Behaviors.receive(Command.class)
        .onMessage(Invoke.class, invoke -> {
          worker.run(invoke.spec(), invoke.request().call()).whenComplete((result, error) -> {
            if (error == null) {
              invoke.replyTo().tell(WorkerReply.of(result, materializer));
            } else if (!(unwrap(error) instanceof TimeoutException)) {
              // a worker that took too long is the gateway's timeout to report, as for any late answer
              invoke.replyTo().tell(new WorkerReply.Completed(node, new Outcome.Broken("worker failed: " + error, ""),
                  new Payload.Inline(new byte[0]), 0, 0));
            }
          });
          return Behaviors.same();
        })
        .onMessage(Ping.class, p -> {
          p.replyTo().tell(Done.getInstance());
          return Behaviors.stopped();
        })
        .build();
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
