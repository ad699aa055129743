package org.hpcfaas;

import com.typesafe.config.Config;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.api.FunctionRoutes;
import org.hpcfaas.api.HttpServer;
import org.hpcfaas.api.JsonResponses;
import org.hpcfaas.api.NodeRoutes;
import org.hpcfaas.cluster.FunctionActor;
import org.hpcfaas.cluster.FunctionRunner;
import org.hpcfaas.cluster.ShardedInvoker;
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
    var system = ActorSystem.<Void>create(Behaviors.empty(), "hpcfaas", config);
    try {
      var cluster = Cluster.get(system);
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      var address = cluster.selfMember().address().toString();
      log.info("Node {} starting: mode {}, roles {}, data dir {}", address, settings.mode(),
          cluster.selfMember().getRoles(), settings.dataDir());

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
      var store = new FileFunctionStore(settings.dataDir(), json);
      var registry = new FunctionRegistry(store, engine, executor, settings.registry());
      var runner = new FunctionRunner(engine, executor, registry, address, settings.maxOutputBytes());
      FunctionActor.initSharding(system, runner, settings.queue(), "worker");
      var invoker = new ShardedInvoker(ClusterSharding.get(system), settings.queue().maxWait());

      var responses = new JsonResponses(json);
      var functions = new FunctionRoutes(registry, invoker, responses, Materializer.createMaterializer(system),
          settings.maxInputBytes(), settings.bodyTimeout().toMillis());
      var node = new NodeRoutes(system, engine, executor, responses, settings.mode());
      var binding = new HttpServer(responses)
          .start(system, settings.httpHost(), settings.httpPort(), Directives.concat(functions.route(), node.route()))
          .toCompletableFuture()
          .get();
      return new Node(system, binding.localAddress().getPort());
    } catch (Exception | Error e) {
      system.terminate();
      throw e;
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
