package org.hpcfaas.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command instances made before their calls, off the calls' path (the Proto-Faaslet idea): for each
 * command module and set of mounts that has been called, up to {@code perFunction} instances wait with
 * their Context built and the guest instantiated, so a call only binds its streams and arguments and runs
 * {@code _start}; a used instance is closed on the same background thread. Each holds its module's
 * memory from the node's budget, taken only while at least half of the budget stays free, and given back
 * at once when a call needs the room ({@link MemoryBudget.Evictable}), so they never make a call wait.
 */
final class ReadyCommands implements MemoryBudget.Evictable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReadyCommands.class);
  /** Used instances waiting to be closed beyond which a call closes its own, so that they cannot pile up. */
  private static final int MAX_CLOSING = 64;

  /** How instances are made and closed (the engine's Contexts, scratch directories and budget). */
  interface Maker {
    /** A new ready instance; its module's memory is already reserved. */
    ReadyCommand make(CompiledModule module, List<Preopen> preopens);

    /** Closes an instance and gives its memory back. */
    void close(ReadyCommand instance);
  }

  private record Key(String sha256, int memoryMb, List<Preopen> preopens) {}

  /** The instances ready for one module and set of mounts; {@code retired} once its module was evicted. */
  private record Shelf(CompiledModule module, List<Preopen> preopens, ConcurrentLinkedDeque<ReadyCommand> ready,
      AtomicBoolean filling, AtomicBoolean retired) {}

  private final int perFunction;
  private final MemoryBudget budget;
  private final Maker maker;
  private final Map<Key, Shelf> shelves = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor background;
  private final AtomicInteger closing = new AtomicInteger();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  ReadyCommands(int perFunction, MemoryBudget budget, Maker maker) {
    this.perFunction = perFunction;
    this.budget = budget;
    this.maker = maker;
    this.background = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      var t = new Thread(r, "hpcfaas-ready-instances");
      t.setDaemon(true);
      return t;
    });
    budget.register(this);
  }

  /**
   * A ready instance for a call of {@code module} with these mounts, or null (none is ready, or the module
   * cannot be made ahead); either way the shelf is filled up again in the background.
   */
  ReadyCommand take(CompiledModule module, List<Preopen> preopens) {
    if (perFunction <= 0 || !module.readyAhead()) {
      return null;
    }
    var key = new Key(module.sha256(), module.memoryMb(), List.copyOf(preopens));
    var shelf = shelves.computeIfAbsent(key, k -> new Shelf(module, k.preopens(), new ConcurrentLinkedDeque<>(),
        new AtomicBoolean(), new AtomicBoolean()));
    var instance = shelf.ready().pollFirst();
    if (instance != null && instance.module() != module) {
      retire(instance);
      instance = null;
    }
    (instance == null ? misses : hits).increment();
    fill(shelf);
    return instance;
  }

  /**
   * Closes a used instance in the background (or here, when many are waiting to be closed), then fills its
   * shelf again: the memory it gave back may be what the shelf lacked while its call ran.
   */
  void retire(ReadyCommand instance) {
    if (closing.incrementAndGet() > MAX_CLOSING || background.isShutdown()) {
      closing.decrementAndGet();
      maker.close(instance);
      return;
    }
    try {
      background.execute(() -> {
        closing.decrementAndGet();
        maker.close(instance);
        var shelf = shelves.get(new Key(instance.module().sha256(), instance.module().memoryMb(), instance.preopens()));
        if (shelf != null) {
          fill(shelf);
        }
      });
    } catch (RejectedExecutionException e) {
      closing.decrementAndGet();
      maker.close(instance);
    }
  }

  private void fill(Shelf shelf) {
    if (shelf.ready().size() >= perFunction || !shelf.filling().compareAndSet(false, true)) {
      return;
    }
    try {
      background.execute(() -> {
        try {
          while (shelf.ready().size() < perFunction && !shelf.retired().get() && roomFor(shelf.module())) {
            try {
              shelf.ready().addLast(maker.make(shelf.module(), shelf.preopens()));
              if (shelf.retired().get()) {
                drain(shelf); // evicted while this one was made
              }
            } catch (RuntimeException e) {
              budget.release(shelf.module().memoryMb());
              log.warn("cannot make an instance of {} ahead of its call: {}", shelf.module().sha256(), e.toString());
              return;
            }
          }
        } finally {
          shelf.filling().set(false);
        }
      });
    } catch (RejectedExecutionException e) {
      shelf.filling().set(false);
    }
  }

  /** Reserves the module's memory if at least half of the budget stays free after it. */
  private boolean roomFor(CompiledModule module) {
    return budget.freeMb() - module.memoryMb() >= budget.totalMb() / 2 && budget.tryReserve(module.memoryMb());
  }

  /** Instances ready now, all modules together. */
  int ready() {
    int n = 0;
    for (var shelf : shelves.values()) {
      n += shelf.ready().size();
    }
    return n;
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  /** Drops the shelves of a module that is no longer deployed. */
  void evict(String sha256) {
    shelves.entrySet().removeIf(e -> {
      if (e.getKey().sha256().equals(sha256)) {
        e.getValue().retired().set(true);
        drain(e.getValue());
        return true;
      }
      return false;
    });
  }

  @Override
  public void evictIdle() {
    shelves.values().forEach(this::drain);
  }

  private void drain(Shelf shelf) {
    for (var instance = shelf.ready().pollFirst(); instance != null; instance = shelf.ready().pollFirst()) {
      maker.close(instance);
    }
  }

  @Override
  public void close() {
    budget.unregister(this);
    background.shutdown();
    try {
      background.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    var all = List.copyOf(shelves.values());
    shelves.clear();
    all.forEach(shelf -> {
      shelf.retired().set(true);
      drain(shelf);
    });
  }
}
