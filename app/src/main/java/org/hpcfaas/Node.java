package org.hpcfaas;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.api.ApiRoutes;
import org.hpcfaas.api.FunctionRoutes;
import org.hpcfaas.api.HttpServer;
import org.hpcfaas.api.InvocationRoutes;
import org.hpcfaas.api.JsonResponses;
import org.hpcfaas.api.MapRoutes;
import org.hpcfaas.api.NodeRoutes;
import org.hpcfaas.api.TokenRoutes;
import org.hpcfaas.api.WebSocketRoutes;
import org.hpcfaas.async.AsyncInvocations;
import org.hpcfaas.auth.ClusterSecret;
import org.hpcfaas.auth.TokenReplicator;
import org.hpcfaas.auth.TokenStore;
import org.hpcfaas.batch.MapJobs;
import org.hpcfaas.cache.CachingInvoker;
import org.hpcfaas.cache.ResultCache;
import org.hpcfaas.core.BulkBudget;
import org.hpcfaas.core.Worker;
import org.hpcfaas.engine.WasmEngine;
import org.hpcfaas.engine.WasmExecutor;
import org.hpcfaas.gateway.ChildInvoker;
import org.hpcfaas.gateway.Invoker;
import org.hpcfaas.gateway.MembershipWatcher;
import org.hpcfaas.gateway.PlacedInvoker;
import org.hpcfaas.gateway.TenantQuotas;
import org.hpcfaas.gateway.WorkerPlacement;
import org.hpcfaas.observe.InvocationLog;
import org.hpcfaas.observe.NodeMetrics;
import org.hpcfaas.observe.NodeStats;
import org.hpcfaas.registry.FileFunctionStore;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.registry.RegistryReplication;
import org.hpcfaas.transport.Transport;
import org.hpcfaas.worker.EngineCompiler;
import org.hpcfaas.worker.FunctionRunner;
import org.hpcfaas.worker.LocalWorker;
import org.hpcfaas.worker.WorkerActor;
import org.hpcfaas.worker.WorkerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One hpc-faas node: a cluster member with the engine, the registry, the function shards and the HTTP API. */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final ActorSystem<Guardian.Command> system;
  private final int httpPort;

  private Node(ActorSystem<Guardian.Command> system, int httpPort) {
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
    settings.volumes().present().forEach(v -> roles.add(Worker.VOLUME_ROLE_PREFIX + v));
    roles.add(Worker.SLOTS_ROLE_PREFIX + settings.wasmThreads());
    if (settings.drainsAtMs() > 0) {
      roles.add(Worker.DRAINS_ROLE_PREFIX + settings.drainsAtMs());
      log.info("This node drains at {} (its allocation's end, hpcfaas.drain): it takes no call that could outlast it",
          java.time.Instant.ofEpochMilli(settings.drainsAtMs()));
    }
    config = config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    var secret = clusterSecret(settings);
    if (settings.tls()) {
      config = secret.tlsConfig().withFallback(config);
    }

    var system = ActorSystem.create(Guardian.create(settings.faultInjection()), "hpcfaas", config);
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
      var registry = new FunctionRegistry(new FileFunctionStore(settings.dataDir(), json),
          new EngineCompiler(engine, executor), settings.registry());
      var replication = new RegistryReplication(system, registry, materializer, settings.sharedDataDir(),
          settings.replicationTimeout());

      var stats = new NodeStats(address, engine, executor);
      var bulkBudget = new BulkBudget(settings.bulkBudgetBytes());
      log.info("Memory for bulk bodies and outputs: {} MiB", settings.bulkBudgetBytes() >> 20);
      var metrics = new NodeMetrics(system, engine, executor, bulkBudget);
      var invocationLog = new InvocationLog(settings.recentInvocations());
      registry.onDelete(name -> {
        metrics.forget(name);
        invocationLog.forget(name);
      });
      var children = new ChildInvoker(registry, materializer, settings.maxCallDepth(), settings.maxOutputBytes());
      var runner = new FunctionRunner(engine, executor, registry, materializer, address, settings.maxOutputBytes(),
          settings.inputStall(), settings.streamHold(), stats, metrics, invocationLog, settings.volumes(), bulkBudget,
          children);
      var placement = new WorkerPlacement();
      var tokens = new TokenStore(settings.dataDir(), json);
      var async = new AsyncInvocations(system, materializer, settings.async());

      var transport = Transport.of(settings.mode(), new Transport.Parts(system, materializer, json, settings.queue(),
          settings.bodyTimeout(), address, secret.derivedKey("internal key")));
      var actors = AskPattern.<Guardian.Command, Guardian.Started>ask(system, replyTo -> new Guardian.Start(
              new Guardian.Actors(stats.behavior(), invocationLog.service(), async.lookup(),
                  MembershipWatcher.create(placement, settings.mode().toString()), MembershipWatcher.announcer(),
                  replication.replicator(address), TokenReplicator.behavior(tokens),
                  WorkerActor.create(runner, settings.queue(), settings.idleTimeout()),
                  ResultCache.create(settings.dataDir().resolve("cache"), settings.cache().maxBytes()),
                  transport.actors()),
              replyTo), java.time.Duration.ofSeconds(10), system.scheduler())
          .toCompletableFuture().get();
      replication.publishThrough(actors.registryReplicator());
      var sweep = settings.moduleGrace().dividedBy(10);
      sweep = sweep.compareTo(java.time.Duration.ofMinutes(1)) > 0 ? java.time.Duration.ofMinutes(1) : sweep;
      system.scheduler().scheduleWithFixedDelay(sweep, sweep, () -> {
        try {
          registry.removeUnreferencedModules(settings.moduleGrace());
        } catch (java.io.IOException | RuntimeException e) {
          log.warn("Cannot remove unreferenced modules: {}", e.getMessage());
        }
      }, system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
      WorkerService worker = new LocalWorker(actors.worker(), system.scheduler(), settings.queue());
      transport.start(worker, cluster.selfMember().hasRole("worker")).toCompletableFuture().get(60, TimeUnit.SECONDS);
      Invoker invoker = new CachingInvoker(new PlacedInvoker(placement, cluster.selfMember().address(), worker, transport),
          actors.resultCache(), system.scheduler(), materializer, settings.cache(),
          metrics.counter("hpcfaas_cache_hits", "Calls of cached functions answered from the result cache"),
          metrics.counter("hpcfaas_cache_misses", "Calls of cached functions that found no output in the cache and ran"));
      children.through(invoker);

      var responses = new JsonResponses(json);
      var tokenReplicator = new TokenReplicator(actors.tokenReplicator());
      if (settings.authEnabled()) {
        TokenReplicator.bootstrap(tokens, tokenReplicator, settings.dataDir());
      }
      log.info("Authentication {}", settings.authEnabled() ? "on: every /v1 request needs a bearer token"
          : "off: every caller may do everything (the API listens on " + settings.httpHost() + " only)");
      var quotas = new TenantQuotas(bulkBudget);
      var functions = new FunctionRoutes(quotas, registry, replication, invoker, responses, materializer,
          settings.maxInputBytes(), settings.streamThreshold(), settings.bodyTimeout().toMillis(), settings.volumes());
      var webSockets = new WebSocketRoutes(quotas, registry, invoker, responses, materializer, settings.maxInputBytes(),
          settings.bodyTimeout().toMillis());
      var invocations = new InvocationRoutes(system, invocationLog, quotas, invoker, registry, async, responses,
          materializer, settings.maxInputBytes(), settings.bodyTimeout().toMillis(), address);
      var maps = new MapRoutes(registry, quotas, invoker, placement, new MapJobs(settings.map().jobs(), materializer),
          settings.map(), responses, json, materializer, settings.maxInputBytes(), settings.bodyTimeout().toMillis());
      var node = new NodeRoutes(system, placement, stats, metrics, responses, settings.mode().toString());
      Route api = new ApiRoutes(settings.authEnabled(), tokens, responses, functions, webSockets, invocations, maps,
          new TokenRoutes(tokens, tokenReplicator, json, responses, materializer), node).route();
      Route routes = transport.workerRoutes().map(internal -> Directives.concat(internal, api)).orElse(api);
      var binding = new HttpServer(responses)
          .start(system, settings.httpHost(), httpPort, routes)
          .toCompletableFuture()
          .get();
      if (cluster.selfMember().hasRole("worker")) {
        // Gateways route to this worker once its transport is open and its HTTP API is bound.
        actors.workerReady().tell(MembershipWatcher.SelfReady.INSTANCE);
        stats.markReady();
        actors.membership().tell(MembershipWatcher.SelfReady.INSTANCE);
        log.info("Worker ready: taking calls");
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

  public ActorSystem<Guardian.Command> system() {
    return system;
  }

  /**
   * Leaves the cluster and stops, as SIGTERM does. Under load the actor system has been seen to take more
   * than 30 s to terminate after its last shutdown phase (cause not found yet); a node process exits at the
   * end of its phases anyway (exit-jvm), so only nodes inside another JVM (the tests') wait for it here.
   */
  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
  }

  /** Waits until the node has stopped (after SIGTERM or {@link #close()}). */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
