package org.hpcfaas.async;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.EveryInstance;
import org.hpcfaas.core.InvocationIds;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Payload;
import org.hpcfaas.core.GuestParameters;

/**
 * Asynchronous invocations accepted by this gateway: run in the background, their records and outputs
 * kept for {@code retention}, at most {@code maxRecords} of them and {@code maxTotalOutput} bytes of
 * output (the oldest go first). Every record (and a finished call's output) is also pushed to every other
 * gateway, so any gateway answers for it after the one that took it is gone; a record still running
 * whose gateway has left the cluster is answered as failed, since its result went with that gateway.
 */
public final class AsyncInvocations {
  /** Retention and memory bounds of the records. */
  public record Settings(Duration retention, int maxRecords, long maxOutputBytes, long maxTotalOutputBytes,
      int inlineOutputBytes) {}

  static final ServiceKey<Command> SERVICE = ServiceKey.create(Command.class, "hpcfaas-async");
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(3);

  sealed interface Command extends CborSerializable {}

  record Find(String id, ActorRef<Found> replyTo) implements Command {}

  record Found(AsyncRecord record) implements CborSerializable {}

  record FetchOutput(String id, ActorRef<OutputReply> replyTo) implements Command {}

  record OutputReply(Payload output) implements CborSerializable {}

  /** A copy of a record (and of its output, once finished) from the gateway that took the call. */
  record Keep(AsyncRecord record, Payload output) implements Command {}

  private record PeersChanged(Receptionist.Listing listing) implements Command {}

  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final Settings settings;
  private final LinkedHashMap<String, AsyncRecord> records = new LinkedHashMap<>();
  private final Map<String, byte[]> outputs = new LinkedHashMap<>();
  private long totalOutput;
  private volatile java.util.Set<ActorRef<Command>> peers = java.util.Set.of();

  public AsyncInvocations(ActorSystem<?> system, Materializer materializer, Settings settings) {
    this.system = system;
    this.materializer = materializer;
    this.settings = settings;
  }

  /** Starts an invocation in the background (through {@code invoke}) and returns its record at once. */
  public AsyncRecord submit(FunctionSpec spec, byte[] input, GuestParameters guest, String gatewayNode,
      java.util.function.Function<Call, CompletionStage<InvocationResult>> invoke) {
    var id = InvocationIds.next();
    var record = new AsyncRecord(id, spec.name(), spec.version(), AsyncRecord.RUNNING, gatewayNode, Instant.now(), null,
        null, null, 0, null);
    put(record, null);
    invoke.apply(new Call(id, input, null, guest, false))
        .thenCompose(result -> switch (result) {
          case InvocationResult.Completed c -> collect(c.output()).thenApply(bytes -> finish(record, c.node(), c.outcome(),
              c.durationMs(), bytes));
          case InvocationResult.Streaming s -> collect(s.output()).thenApply(bytes -> finish(record, s.node(),
              new Outcome.Succeeded(""), null, bytes));
        })
        .exceptionally(e -> finish(record, record.node(), new Outcome.Broken(String.valueOf(e.getMessage()), ""), null, null));
    return record;
  }

  private CompletionStage<byte[]> collect(Source<ByteString, ?> output) {
    return output.limitWeighted(settings.maxOutputBytes(), chunk -> (long) chunk.size())
        .runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
        .thenApply(ByteString::toArray);
  }

  private AsyncRecord finish(AsyncRecord started, String node, Outcome outcome, Long durationMs, byte[] output) {
    var bytes = outcome.succeeded() && output != null ? output : new byte[0];
    var done = new AsyncRecord(started.id(), started.function(), started.version(),
        outcome.succeeded() ? AsyncRecord.SUCCEEDED : AsyncRecord.FAILED, node, started.submitted(), Instant.now(),
        durationMs != null ? durationMs : Duration.between(started.submitted(), Instant.now()).toMillis(), outcome,
        bytes.length, bytes.length <= settings.inlineOutputBytes() ? text(bytes) : null);
    put(done, bytes);
    return done;
  }

  /** Keeps a record here and pushes a copy to every other gateway. */
  private void put(AsyncRecord record, byte[] output) {
    keep(record, output);
    for (var peer : peers) {
      peer.tell(new Keep(record, output == null ? null : Payload.of(output, materializer)));
    }
  }

  private synchronized void keep(AsyncRecord record, byte[] output) {
    var known = records.get(record.id());
    if (known != null && known.finishedRunning() && !record.finishedRunning()) {
      return;
    }
    var replaced = outputs.remove(record.id());
    totalOutput -= replaced == null ? 0 : replaced.length;
    records.remove(record.id());
    records.put(record.id(), record);
    if (output != null) {
      outputs.put(record.id(), output);
      totalOutput += output.length;
    }
    var expired = Instant.now().minus(settings.retention());
    for (Iterator<AsyncRecord> it = records.values().iterator(); it.hasNext(); ) {
      var r = it.next();
      boolean tooMany = records.size() > settings.maxRecords();
      if (!tooMany && !r.submitted().isBefore(expired)) {
        break;
      }
      it.remove();
      var gone = outputs.remove(r.id());
      totalOutput -= gone == null ? 0 : gone.length;
    }
    for (Iterator<Map.Entry<String, byte[]>> it = outputs.entrySet().iterator();
        it.hasNext() && totalOutput > settings.maxTotalOutputBytes(); ) {
      var e = it.next();
      totalOutput -= e.getValue().length;
      it.remove();
      records.remove(e.getKey());
    }
  }

  private synchronized Optional<AsyncRecord> local(String id) {
    return Optional.ofNullable(records.get(id)).map(this::unlessGatewayLost);
  }

  /** A running record whose gateway is no longer an up member: its result is lost, so it is reported failed. */
  private AsyncRecord unlessGatewayLost(AsyncRecord r) {
    if (r.finishedRunning()) {
      return r;
    }
    var cluster = org.apache.pekko.cluster.typed.Cluster.get(system);
    if (cluster.selfMember().address().toString().equals(r.node())) {
      return r;
    }
    for (var m : cluster.state().getMembers()) {
      if (m.address().toString().equals(r.node()) && m.status() == org.apache.pekko.cluster.MemberStatus.up()
          && !cluster.state().getUnreachable().contains(m)) {
        return r;
      }
    }
    return new AsyncRecord(r.id(), r.function(), r.version(), AsyncRecord.FAILED, r.node(), r.submitted(), null, null,
        new Outcome.Broken("the gateway that took this call (" + r.node() + ") was lost before it finished;"
            + " the call may or may not have run", ""), 0, null);
  }

  private synchronized Optional<byte[]> localOutput(String id) {
    return Optional.ofNullable(outputs.get(id));
  }

  /** The record, from this gateway or any other. */
  public CompletionStage<Optional<AsyncRecord>> find(String id) {
    var here = local(id);
    if (here.isPresent()) {
      return CompletableFuture.completedFuture(here);
    }
    return EveryInstance.<Command, Found>ask(system, SERVICE, replyTo -> new Find(id, replyTo), LOOKUP_TIMEOUT)
        .thenApply(all -> all.stream().map(Found::record).filter(java.util.Objects::nonNull).findFirst());
  }

  /** The output of a finished invocation, from this gateway or any other. */
  public CompletionStage<Optional<Source<ByteString, ?>>> output(String id) {
    var here = localOutput(id);
    if (here.isPresent()) {
      return CompletableFuture.completedFuture(Optional.of(Source.single(ByteString.fromArrayUnsafe(here.get()))));
    }
    return EveryInstance.<Command, OutputReply>ask(system, SERVICE, replyTo -> new FetchOutput(id, replyTo),
            LOOKUP_TIMEOUT)
        .thenApply(all -> all.stream().map(OutputReply::output).filter(java.util.Objects::nonNull).findFirst()
            .map(Payload::source));
  }

  /** The actor through which other gateways find this one's records; the Guardian spawns it. */
  public Behavior<Command> lookup() {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE, ctx.getSelf()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(SERVICE,
          ctx.messageAdapter(Receptionist.Listing.class, PeersChanged::new)));
      return Behaviors.receive(Command.class)
          .onMessage(PeersChanged.class, p -> {
            var others = new java.util.HashSet<>(p.listing().getServiceInstances(SERVICE));
            others.removeIf(ref -> ref.path().address().hasLocalScope());
            peers = java.util.Set.copyOf(others);
            return Behaviors.same();
          })
          .onMessage(Keep.class, k -> {
            if (k.output() == null) {
              keep(k.record(), null);
            } else {
              collect(k.output().source()).whenComplete((bytes, error) -> keep(k.record(), error == null ? bytes : null));
            }
            return Behaviors.same();
          })
          .onMessage(Find.class, f -> {
            f.replyTo().tell(new Found(local(f.id()).orElse(null)));
            return Behaviors.same();
          })
          .onMessage(FetchOutput.class, f -> {
            f.replyTo().tell(new OutputReply(localOutput(f.id()).map(b -> Payload.of(b, materializer)).orElse(null)));
            return Behaviors.same();
          })
          .build();
    });
  }

  private static String text(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
