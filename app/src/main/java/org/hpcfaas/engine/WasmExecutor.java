package org.hpcfaas.engine;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The dedicated, bounded pool of threads that run WebAssembly; nothing else runs guest code. Waiting
 * work is queued per function and a free thread takes the next call round-robin across functions, so
 * a function with many long calls waiting (a tenant's runaway loops) does not hold back the others:
 * they wait at most for a thread to come free, not for the whole backlog ahead of them.
 *
 * <p>The pool has {@code threads} slots. A guest that waits for other functions (its children) gives up
 * its slot while it waits ({@link #awayFromSlot}): another thread takes the slot, so a fan-out wider than
 * the slots, or a chain deeper than them, never waits for itself. A guest that is done waiting gets a slot
 * back before new work does.
 */
public final class WasmExecutor implements AutoCloseable {
  private final int threads;
  /** Slots no guest holds (written under the lock; read without it for {@link #busy}). */
  private volatile int free;
  /** Threads done waiting away from their slot and waiting for one back (they come before new work). */
  private int returning;
  /** Threads alive, threads away from their slot, threads idle for want of work or a slot. */
  private int alive;
  private int away;
  private int idle;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workWaiting = lock.newCondition();
  /** Functions with waiting work, in round-robin order: a function served moves to the back. */
  private final LinkedHashMap<String, ArrayDeque<Task>> waiting = new LinkedHashMap<>();
  private volatile boolean closed;

  public WasmExecutor(int threads) {
    this.threads = threads;
    this.free = threads;
    lock.lock();
    try {
      for (int i = 0; i < threads; i++) {
        startThread();
      }
    } finally {
      lock.unlock();
    }
  }

  private void startThread() {
    alive++;
    var t = new Thread(this::work, "hpcfaas-wasm-" + alive);
    t.setDaemon(true);
    t.start();
  }

  /** Work refused because the pool shut down (the node is stopping). */
  public static final class ShutDown extends IllegalStateException {
    ShutDown() {
      super("the WASM pool is shut down: the node is stopping");
    }
  }

  /** Waiting work: run it on a WASM thread, or refuse it when the pool shuts down. */
  private record Task(Runnable run, Runnable refuse) {}

  public int threads() {
    return threads;
  }

  /** Slots held by guests right now (a guest waiting for its children holds none). */
  public int busy() {
    return threads - free;
  }

  /** Runs {@code work} on a WASM thread, in turn with the other work of the same {@code function}. */
  public <T> CompletionStage<T> submit(String function, Supplier<T> work) {
    return submit(function, Long.MAX_VALUE, work, work);
  }

  /**
   * As {@link #submit(String, Supplier)}, but a task still waiting at {@code deadlineNanos} (of
   * {@link System#nanoTime}) runs {@code expired} instead: its caller has stopped waiting for it, so its
   * guest code never runs.
   */
  public <T> CompletionStage<T> submit(String function, long deadlineNanos, Supplier<T> work, Supplier<T> expired) {
    var result = new CompletableFuture<T>();
    var task = new Task(() -> {
      try {
        result.complete(System.nanoTime() - deadlineNanos > 0 ? expired.get() : work.get());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, () -> result.completeExceptionally(new ShutDown()));
    lock.lock();
    try {
      if (closed) {
        result.completeExceptionally(new ShutDown());
        return result;
      }
      waiting.computeIfAbsent(function, f -> new ArrayDeque<>()).addLast(task);
      if (idle == 0 && free > returning) {
        startThread();
      }
      workWaiting.signalAll();
    } finally {
      lock.unlock();
    }
    return result;
  }

  private void work() {
    while (true) {
      Task task;
      lock.lock();
      try {
        while ((waiting.isEmpty() || free <= returning) && !closed) {
          if (alive > threads + away) {
            alive--;
            return;
          }
          idle++;
          workWaiting.awaitUninterruptibly();
          idle--;
        }
        if (closed) {
          return;
        }
        var next = waiting.entrySet().iterator().next();
        task = next.getValue().pollFirst();
        waiting.remove(next.getKey());
        if (!next.getValue().isEmpty()) {
          waiting.put(next.getKey(), next.getValue());
        }
        free--;
      } finally {
        lock.unlock();
      }
      try {
        task.run().run();
      } finally {
        // a call stopped at its wall-clock ceiling may leave its interrupt behind; the next call starts clean
        Thread.interrupted();
        lock.lock();
        try {
          free++;
          workWaiting.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * Runs {@code wait} (a guest's wait for other calls) on this WASM thread without its slot: the slot goes
   * to waiting work, on another thread if none is idle; once {@code wait} returns, this thread waits for a
   * slot again, ahead of new work.
   */
  public <T> T awayFromSlot(java.util.concurrent.Callable<T> wait) throws Exception {
    lock.lock();
    try {
      free++;
      away++;
      if (idle == 0 && !waiting.isEmpty()) {
        startThread();
      }
      workWaiting.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      return wait.call();
    } finally {
      lock.lock();
      try {
        away--;
        returning++;
        while (free == 0) {
          workWaiting.awaitUninterruptibly();
        }
        returning--;
        free--;
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      waiting.values().forEach(q -> q.forEach(t -> t.refuse().run()));
      waiting.clear();
      workWaiting.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
