package org.hpcfaas.engine;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * WASI's poll_oneoff, which GraalWasm's builtin module lacks (ENOSYS; wasi-libc's sleep and nanosleep
 * are made of it): clock subscriptions wait until their time, fd_write and file fd_read subscriptions
 * are ready at once, stdin is ready when it can be read without waiting. Sleeping counts as the
 * call's time; waiting for stdin alone does not.
 */
final class PollOneoff implements ProxyExecutable {
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final int SUBSCRIPTION_BYTES = 48;
  private static final int EVENT_BYTES = 32;
  private static final int CLOCK = 0;
  private static final int FD_READ = 1;
  private static final int FD_WRITE = 2;
  private static final int REALTIME = 0;
  private static final int ABSTIME = 1;
  private static final int SUCCESS = 0;
  private static final int INVAL = 28;
  private static final int NOTSUP = 58;

  private record Subscription(long userdata, int type, int fd, int clock, long deadlineNanos) {}

  private final StdinReadiness stdin;
  private Value memory;

  PollOneoff(StdinReadiness stdin) {
    this.stdin = stdin;
  }

  /** The guest's memory, known once its shim is instantiated (before the guest can call this). */
  void memory(Value memory) {
    this.memory = memory;
  }

  @Override
  public Object execute(Value... args) {
    int in = args[0].asInt();
    int out = args[1].asInt();
    int count = args[2].asInt();
    int neventsPtr = args[3].asInt();
    if (count <= 0) {
      return INVAL;
    }
    var subs = new ArrayList<Subscription>(count);
    for (int i = 0; i < count; i++) {
      subs.add(read(in + (long) i * SUBSCRIPTION_BYTES));
    }
    try {
      int events = waitForEvents(subs, out);
      memory.writeBufferInt(LE, Integer.toUnsignedLong(neventsPtr), events);
      return SUCCESS;
    } catch (IOException e) {
      memory.writeBufferInt(LE, Integer.toUnsignedLong(neventsPtr), 0);
      return 29; // EIO: stdin broke while waiting
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      memory.writeBufferInt(LE, Integer.toUnsignedLong(neventsPtr), 0);
      return 27; // EINTR: the call is being stopped
    }
  }

  private Subscription read(long at) {
    long userdata = memory.readBufferLong(LE, at);
    int type = memory.readBufferByte(at + 8);
    if (type == CLOCK) {
      int clock = memory.readBufferInt(LE, at + 16);
      long timeout = memory.readBufferLong(LE, at + 24);
      int flags = memory.readBufferShort(LE, at + 40);
      long now = System.nanoTime();
      long deadline;
      if ((flags & ABSTIME) == 0) {
        deadline = now + Math.min(timeout, Long.MAX_VALUE / 4);
      } else if (clock == REALTIME) {
        deadline = now + (timeout - realtimeNanos());
      } else {
        deadline = timeout; // the monotonic clock is System.nanoTime(), as clock_time_get reports it
      }
      return new Subscription(userdata, type, -1, clock, deadline);
    }
    return new Subscription(userdata, type, memory.readBufferInt(LE, at + 16), -1, 0);
  }

  private int waitForEvents(List<Subscription> subs, int out) throws IOException, InterruptedException {
    boolean hasClock = subs.stream().anyMatch(s -> s.type() == CLOCK);
    long pause = 200_000;
    while (true) {
      long now = System.nanoTime();
      int events = 0;
      for (var s : subs) {
        boolean ready = switch (s.type()) {
          case CLOCK -> now - s.deadlineNanos() >= 0;
          case FD_READ -> s.fd() != 0 || stdin.readyNow();
          case FD_WRITE -> true;
          default -> true;
        };
        if (ready) {
          write(out + (long) events * EVENT_BYTES, s, known(s) ? SUCCESS : NOTSUP);
          events++;
        }
      }
      if (events > 0) {
        return events;
      }
      if (!hasClock) {
        stdin.awaitReady();
        continue;
      }
      long next = subs.stream().filter(s -> s.type() == CLOCK).mapToLong(s -> s.deadlineNanos() - now).min().orElse(0);
      long sleep = Math.max(0, Math.min(next, pause));
      Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
      pause = Math.min(pause * 2, 10_000_000);
    }
  }

  private static boolean known(Subscription s) {
    return s.type() == CLOCK || s.type() == FD_READ || s.type() == FD_WRITE;
  }

  private void write(long at, Subscription s, int error) {
    memory.writeBufferLong(LE, at, s.userdata());
    memory.writeBufferShort(LE, at + 8, (short) error);
    memory.writeBufferByte(at + 10, (byte) s.type());
    memory.writeBufferByte(at + 11, (byte) 0);
    memory.writeBufferInt(LE, at + 12, 0);
    memory.writeBufferLong(LE, at + 16, 0);
    memory.writeBufferLong(LE, at + 24, 0);
  }

  private static long realtimeNanos() {
    var now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
