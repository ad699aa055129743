package org.hpcfaas.gateway;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Address;
import org.hpcfaas.core.Worker;
import org.hpcfaas.core.WorkerUnavailable;

/**
 * Chooses the worker node for each call, on this gateway. A function's calls go to the first k workers
 * in a rendezvous-hash order of its name (so a quiet function stays on one node, with warm instances
 * and one compiled copy), with k = its calls in flight / {@code perNodeTarget}, rounded up: as load
 * grows the function spreads over every worker, and shrinks back as it falls. Among those k the node
 * with the fewest calls in flight from this gateway wins. Calls are tracked per node so that those on
 * a node that is lost fail at once instead of waiting for their time limit.
 */
public final class WorkerPlacement {
  private final int perNodeTarget;
  private volatile List<Worker> workers = List.of();
  private final Map<Address, AtomicInteger> nodeLoad = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> functionLoad = new ConcurrentHashMap<>();
  private final Map<Address, Set<CompletableFuture<?>>> running = new ConcurrentHashMap<>();

  public WorkerPlacement(int perNodeTarget) {
    this.perNodeTarget = Math.max(1, perNodeTarget);
  }

  /** A call in flight on one node; {@link #end()} it exactly once. */
  public final class Ticket {
    private final String function;
    private final Worker worker;
    private final CompletableFuture<?> call;

    private Ticket(String function, Worker worker, CompletableFuture<?> call) {
      this.function = function;
      this.worker = worker;
      this.call = call;
    }

    public Worker worker() {
      return worker;
    }

    public void end() {
      nodeLoad.computeIfAbsent(worker.address(), a -> new AtomicInteger()).decrementAndGet();
      functionLoad.computeIfAbsent(function, f -> new AtomicInteger()).decrementAndGet();
      var calls = running.get(worker.address());
      if (calls != null) {
        calls.remove(call);
      }
    }
  }

  public List<Worker> workers() {
    return workers;
  }

  /**
   * Picks a worker for {@code function} among those that have all its {@code volumes}, other than
   * {@code avoid} (a node that just failed this call, or null) and counts the call on it; {@code call} fails if the node is lost. Synchronized with
   * {@link #update}, so a call is never counted on a node after that node was declared lost.
   */
  public synchronized Ticket begin(String function, Set<String> volumes, CompletableFuture<?> call, Address avoid) {
    var reachable = avoid == null ? workers : workers.stream().filter(w -> !w.address().equals(avoid)).toList();
    if (reachable.isEmpty()) {
      throw new WorkerUnavailable("no worker node is reachable", true);
    }
    var live = reachable.stream().filter(w -> w.volumes().containsAll(volumes)).toList();
    if (live.isEmpty()) {
      throw new WorkerUnavailable("no reachable worker has every volume " + function + " mounts " + new java.util.TreeSet<>(volumes)
          + " (GET /v1/cluster shows which volumes each worker has)", true);
    }
    var fnLoad = functionLoad.computeIfAbsent(function, f -> new AtomicInteger());
    int k = Math.min(live.size(), Math.max(1, (fnLoad.get() + perNodeTarget) / perNodeTarget));
    var candidates = live.stream()
        .sorted(Comparator.comparingLong((Worker w) -> rendezvous(function, w.address())).reversed())
        .limit(k)
        .toList();
    var chosen = candidates.stream()
        .min(Comparator.comparingInt(w -> nodeLoad.computeIfAbsent(w.address(), a -> new AtomicInteger()).get()))
        .orElseThrow();
    fnLoad.incrementAndGet();
    nodeLoad.computeIfAbsent(chosen.address(), a -> new AtomicInteger()).incrementAndGet();
    running.computeIfAbsent(chosen.address(), a -> ConcurrentHashMap.newKeySet()).add(call);
    return new Ticket(function, chosen, call);
  }

  /** Calls in flight from this gateway on each node. */
  public Map<Address, Integer> load() {
    var snapshot = new java.util.TreeMap<Address, Integer>(Comparator.comparing(Address::toString));
    nodeLoad.forEach((a, n) -> snapshot.put(a, n.get()));
    return snapshot;
  }

  /** The live workers now; calls in flight on the {@code lost} nodes fail at once. */
  synchronized void update(List<Worker> live, Set<Address> lost) {
    workers = List.copyOf(live);
    for (var node : lost) {
      var calls = running.remove(node);
      if (calls != null) {
        calls.forEach(c -> c.completeExceptionally(
            new WorkerUnavailable("worker " + node + " was lost while running the call", false)));
      }
    }
  }

  private static long rendezvous(String function, Address node) {
    long h = 1125899906842597L;
    for (char c : (function + "@" + node).toCharArray()) {
      h = 31 * h + c;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
