package org.hpcfaas.transport.http;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * The secret that gateways show workers' internal endpoints in {@code mode = http}, so that only cluster
 * members can run calls there (the endpoint trusts the function spec it is sent). The first node picks
 * one at random; it spreads through Distributed Data and, if two nodes raced, the last writer wins.
 */
final class InternalKey {
  private static final Key<LWWRegister<String>> KEY = LWWRegisterKey.create("hpcfaas-internal-key");

  private volatile String current;

  Optional<String> current() {
    return Optional.ofNullable(current);
  }

  boolean matches(String presented) {
    var key = current;
    return key != null && presented != null && java.security.MessageDigest.isEqual(key.getBytes(), presented.getBytes());
  }

  private sealed interface Command {}

  private record Changed(Replicator.SubscribeResponse<LWWRegister<String>> response) implements Command {}

  private record Fetched(Replicator.GetResponse<LWWRegister<String>> response) implements Command {}

  private record Updated(Replicator.UpdateResponse<LWWRegister<String>> response) implements Command {}

  /** The actor that learns the key (and picks one when the cluster has none); the Guardian spawns it. */
  Behavior<Command> behavior() {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWRegister<String>> replicator) -> {
          var self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          replicator.subscribe(KEY, Changed::new);
          replicator.askGet(replyTo -> new Replicator.Get<>(KEY, new Replicator.ReadMajority(java.time.Duration.ofSeconds(3)),
              replyTo), Fetched::new);
          return Behaviors.receive(Command.class)
              .onMessage(Changed.class, c -> {
                if (c.response() instanceof Replicator.Changed<LWWRegister<String>> changed) {
                  current = changed.get(KEY).getValue();
                }
                return Behaviors.same();
              })
              .onMessage(Fetched.class, f -> {
                if (f.response() instanceof Replicator.GetSuccess<LWWRegister<String>> found) {
                  current = found.get(KEY).getValue();
                } else if (current == null) {
                  var bytes = new byte[32];
                  new SecureRandom().nextBytes(bytes);
                  var fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                  current = fresh;
                  replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWRegister.create(self, fresh),
                      Replicator.writeLocal(), replyTo, register -> register.withValue(self, fresh)), Updated::new);
                }
                return Behaviors.same();
              })
              .onMessage(Updated.class, u -> Behaviors.same())
              .build();
        }));
  }
}
