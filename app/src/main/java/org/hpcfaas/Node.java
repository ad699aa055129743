package org.hpcfaas;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.api.ApiRoutes;
import org.hpcfaas.api.FunctionRoutes;
import org.hpcfaas.api.TenantQuotas;
import org.hpcfaas.api.TokenRoutes;
import org.hpcfaas.api.InvocationRoutes;
import org.hpcfaas.api.HttpServer;
import org.hpcfaas.api.JsonResponses;
import org.hpcfaas.api.NodeRoutes;
import org.hpcfaas.api.WebSocketRoutes;
import org.hpcfaas.auth.TokenReplicator;
import org.hpcfaas.auth.TokenStore;
import org.hpcfaas.baseline.HttpInvoker;
import org.hpcfaas.baseline.InternalKey;
import org.hpcfaas.baseline.WorkerRoutes;
import org.hpcfaas.cluster.AsyncInvocations;
import org.hpcfaas.cluster.BulkBudget;
import org.hpcfaas.cluster.ClusterInvoker;
import org.hpcfaas.cluster.ClusterSecret;
import org.hpcfaas.cluster.FunctionActor;
import org.hpcfaas.cluster.FunctionRunner;
import org.hpcfaas.cluster.InvocationLog;
import org.hpcfaas.cluster.Invoker;
import org.hpcfaas.cluster.MembershipWatcher;
import org.hpcfaas.cluster.NodeMetrics;
import org.hpcfaas.cluster.NodeStats;
import org.hpcfaas.cluster.RegistryReplication;
import org.hpcfaas.cluster.Worker;
import org.hpcfaas.cluster.WorkerPlacement;
import org.hpcfaas.registry.FileFunctionStore;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.wasm.WasmEngine;
import org.hpcfaas.wasm.WasmExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One hpc-faas node: a cluster member with the engine, the registry, the function shards and the HTTP API. */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final ActorSystem<Void> system;
  private final int httpPort;

  private Node(ActorSystem<Void> system, int httpPort) {
    this.system = system;
    this.httpPort = httpPort;
  }

  /** Starts a node and returns once its HTTP API is bound. */
  public static Node start(Config config) throws Exception {
    var settings = NodeSettings.from(config);
    if (settings.httpPort() != 0) {
      return start(config, settings, settings.httpPort());
    }
    // Port 0: a free port is picked before the node starts (it is advertised in the roles), and another
    // process may take it meanwhile; then start again with another one.
    for (int attempt = 1; ; attempt++) {
      try {
        return start(config, settings, freePort(settings.httpHost()));
      } catch (java.util.concurrent.ExecutionException e) {
        if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Bind failed")) {
          throw e;
        }
        log.warn("The free port picked for the HTTP API was taken meanwhile; starting again with another");
      }
    }
  }

  private static Node start(Config config, NodeSettings settings, int httpPort) throws Exception {
    // Other nodes learn this node's mode and HTTP endpoint from its roles.
    var roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
    roles.add(Worker.MODE_ROLE_PREFIX + settings.mode());
    roles.add(Worker.HTTP_ROLE_PREFIX + settings.httpHost() + ":" + httpPort);
    config = config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    var secret = clusterSecret(settings);
    if (settings.tls()) {
      config = secret.tlsConfig().withFallback(config);
    }

    var system = ActorSystem.<Void>create(Behaviors.empty(), "hpcfaas", config);
    try {
      var cluster = Cluster.get(system);
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      var address = cluster.selfMember().address().toString();
      log.info("Node {} starting: mode {}, roles {}, data dir {}", address, settings.mode(),
          cluster.selfMember().getRoles(), settings.dataDir());
      if (settings.tls()) {
        log.info("Cluster port: TLS with mutual authentication; only holders of the cluster secret in {} join or are"
            + " heard", secret.dir());
      } else {
        log.warn("Cluster port: plain TCP (hpcfaas.cluster.transport = tcp): anyone who reaches port {} can join this"
            + " cluster; use it only on a fabric no one else reaches", cluster.selfMember().address().getPort().orElse(0));
      }

      var engine = new WasmEngine(settings.engine());
      engine.logRuntime();
      var executor = new WasmExecutor(settings.wasmThreads());
      log.info("WASM pool: {} threads; instance memory budget {} MiB", settings.wasmThreads(), engine.memoryBudgetMb());
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-engine", () -> {
        executor.close();
        engine.close();
        return CompletableFuture.completedFuture(Done.getInstance());
      });

      var json = Json.mapper();
      var materializer = Materializer.createMaterializer(system);
      var registry = new FunctionRegistry(new FileFunctionStore(settings.dataDir(), json), engine, executor,
          settings.registry());
      var replication = new RegistryReplication(system, registry, materializer, settings.sharedDataDir(),
          settings.replicationTimeout(), address);

      var stats = new NodeStats(address, engine, executor);
      system.systemActorOf(stats.behavior(), "node-stats", Props.empty());
      var bulkBudget = new BulkBudget(settings.bulkBudgetBytes());
      log.info("Memory for bulk bodies and outputs: {} MiB", settings.bulkBudgetBytes() >> 20);
      var metrics = new NodeMetrics(system, engine, executor, bulkBudget);
      var invocationLog = new InvocationLog(settings.recentInvocations());
      system.systemActorOf(invocationLog.service(), "invocation-log", Props.empty());
      var runner = new FunctionRunner(engine, executor, registry, materializer, address, settings.maxOutputBytes(),
          settings.inputStall(), stats, metrics, invocationLog, bulkBudget);
      FunctionActor.initSharding(system, runner, settings.queue());
      var sharding = ClusterSharding.get(system);

      var placement = new WorkerPlacement(settings.callsPerNode());
      var membership = system.systemActorOf(MembershipWatcher.create(placement, settings.mode()), "membership",
          Props.empty());
      var internalKey = settings.mode().equals("http") ? new InternalKey(secret.derivedKey("internal key")) : null;
      Invoker invoker = settings.mode().equals("http")
          ? new HttpInvoker(system, placement, internalKey, json, materializer)
          : new ClusterInvoker(placement, sharding, materializer, settings.queue().maxWait());

      var responses = new JsonResponses(json);
      var tokens = new TokenStore(settings.dataDir(), json);
      var tokenReplicator = new TokenReplicator(system, tokens);
      if (settings.authEnabled()) {
        TokenReplicator.bootstrap(tokens, tokenReplicator, settings.dataDir());
      }
      log.info("Authentication {}", settings.authEnabled() ? "on: every /v1 request needs a bearer token"
          : "off: every caller may do everything (the API listens on " + settings.httpHost() + " only)");
      var quotas = new TenantQuotas(bulkBudget);
      var functions = new FunctionRoutes(quotas, registry, replication, invoker, responses, materializer,
          settings.maxInputBytes(), settings.streamThreshold(), settings.bodyTimeout().toMillis());
      var webSockets = new WebSocketRoutes(quotas, registry, invoker, responses, materializer, settings.maxInputBytes(),
          settings.bodyTimeout().toMillis());
      var invocations = new InvocationRoutes(system, invocationLog, quotas, invoker, registry,
          new AsyncInvocations(system, materializer, settings.async()), responses, materializer, settings.maxInputBytes(),
          settings.bodyTimeout().toMillis(), address);
      var node = new NodeRoutes(system, engine, executor, placement, stats, metrics, responses, settings.mode());
      Route routes = new ApiRoutes(settings.authEnabled(), tokens, responses, functions, webSockets, invocations,
          new TokenRoutes(tokens, tokenReplicator, json, responses, materializer), node).route();
      if (settings.mode().equals("http")) {
        var worker = new WorkerRoutes(internalKey, sharding, address, json, materializer, settings.queue().maxWait());
        routes = Directives.concat(worker.route(), routes);
      }
      var binding = new HttpServer(responses)
          .start(system, settings.httpHost(), httpPort, routes)
          .toCompletableFuture()
          .get();
      if (cluster.selfMember().hasRole("worker")) {
        announceReady(system, sharding, address);
        stats.markReady();
        membership.tell(MembershipWatcher.SelfReady.INSTANCE);
      }
      return new Node(system, binding.localAddress().getPort());
    } catch (Exception | Error e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The secret named by hpcfaas.cluster.secret-dir, else the one in the data dir, made there at the first start. */
  private static ClusterSecret clusterSecret(NodeSettings settings) throws java.io.IOException {
    ClusterSecret secret;
    if (settings.secretDir() != null) {
      secret = ClusterSecret.load(settings.secretDir());
    } else {
      var dir = settings.dataDir().resolve("cluster-secret");
      boolean existed = java.nio.file.Files.exists(dir);
      secret = ClusterSecret.loadOrCreate(dir);
      if (!existed) {
        log.warn("No cluster secret given (--secret DIR): created a new one in {}. Nodes that are to join this"
            + " node's cluster must be started with a copy of it (--secret)", dir);
      }
    }
    if (secret.readableByOthers()) {
      log.warn("The cluster secret in {} is readable by other users: anyone who can read it can join the cluster"
          + " (chmod -R go-rwx it, or create a new one)", secret.dir());
    }
    return secret;
  }

  /**
   * Tells gateways this worker can take calls, once its function shard is allocated here (a ping from
   * this node puts it here) and its HTTP API is bound; until then no gateway routes to it.
   */
  private static void announceReady(ActorSystem<?> system, ClusterSharding sharding, String address) throws Exception {
    sharding.entityRefFor(FunctionActor.KEY, FunctionActor.pingEntity(address))
        .<org.apache.pekko.Done>ask(FunctionActor.Ping::new, java.time.Duration.ofSeconds(60))
        .toCompletableFuture().get();
    system.systemActorOf(Behaviors.<Void>setup(ctx -> {
      ctx.getSystem().receptionist().tell(org.apache.pekko.actor.typed.receptionist.Receptionist.register(
          MembershipWatcher.READY, ctx.getSelf()));
      return Behaviors.empty();
    }), "worker-ready", Props.empty());
    log.info("Worker ready: taking calls");
  }

  /** A port free right now: the HTTP port is advertised in the node's roles before the API binds. */
  private static int freePort(String host) throws IOException {
    try (var socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, 0));
      return socket.getLocalPort();
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Leaves the cluster and stops, as SIGTERM does. */
  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
  }

  /** Waits until the node has stopped (after SIGTERM or {@link #close()}). */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
