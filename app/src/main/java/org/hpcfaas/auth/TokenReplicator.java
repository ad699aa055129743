package org.hpcfaas.auth;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.hpcfaas.core.CborSerializable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates tokens to every node through a Distributed Data LWW map ordered by token version; each node
 * stores what it learns durably. The first node started with authentication on and no token at all
 * creates an admin token and writes it to {@code <data-dir>/admin.token} (readable by its owner only).
 */
public final class TokenReplicator {
  private static final Logger log = LoggerFactory.getLogger(TokenReplicator.class);
  private static final Key<LWWMap<String, Token>> KEY = LWWMapKey.create("hpcfaas-tokens");

  public sealed interface Command extends CborSerializable {}

  record Publish(Token token) implements Command {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, Token>> response) implements Command {}

  private record Updated(Replicator.UpdateResponse<LWWMap<String, Token>> response) implements Command {}

  private final ActorRef<Command> self;

  /** Publishes through {@code self}, the actor of {@link #behavior} that the Guardian spawned. */
  public TokenReplicator(ActorRef<Command> self) {
    this.self = self;
  }

  /** Spreads a token issued or revoked on this node. */
  public void publish(Token token) {
    self.tell(new Publish(token));
  }

  /** Creates the first admin token when there is none, so the operator can issue the others. */
  public static void bootstrap(TokenStore store, TokenReplicator replicator, Path dataDir) throws IOException {
    if (!store.isEmpty()) {
      return;
    }
    var issued = store.issue("admin", Map.of("*", Set.of(Right.ADMIN)), 0, 0);
    var file = dataDir.resolve("admin.token");
    TokenStore.writeOwnerOnly(file, (issued.bearer() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    replicator.publish(issued.token());
    log.warn("Authentication is on and there was no token: an admin token was written to {}", file);
  }

  public static Behavior<Command> behavior(TokenStore store) {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, Token>> replicator) -> {
          var self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          replicator.subscribe(KEY, Changed::new);
          java.util.function.Consumer<Token> publish = token -> replicator.askUpdate(
              replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), new Replicator.WriteMajority(Duration.ofSeconds(3)),
                  replyTo, map -> map.put(self, token.id(), token, (current, value) -> value.version())),
              Updated::new);
          store.all().forEach(publish);
          return Behaviors.receive(Command.class)
              .onMessage(Publish.class, p -> {
                publish.accept(p.token());
                return Behaviors.same();
              })
              .onMessage(Changed.class, c -> {
                if (c.response() instanceof Replicator.Changed<LWWMap<String, Token>> changed) {
                  for (var token : changed.get(KEY).getEntries().values()) {
                    try {
                      store.apply(token);
                    } catch (IOException e) {
                      log.error("Cannot store token {}: {}", token.id(), e.getMessage());
                    }
                  }
                }
                return Behaviors.same();
              })
              .onMessage(Updated.class, u -> Behaviors.same())
              .build();
        }));
  }
}
