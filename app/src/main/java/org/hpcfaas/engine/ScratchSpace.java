package org.hpcfaas.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A guest's private /tmp: a host directory of its own with a byte quota, empty when the call starts (a
 * command call's is emptied and kept for a later call; a warm reactor's is emptied between its calls).
 */
final class ScratchSpace implements AutoCloseable {
  private final Path dir;
  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();
  private volatile boolean touched;

  ScratchSpace(Path root, long maxBytes) {
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(root);
      this.dir = Files.createTempDirectory(root, "call-").toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch directory under " + root, e);
    }
  }

  Path dir() {
    return dir;
  }

  /** Takes {@code bytes} more of the quota, or fails the write as a full disk would. */
  void grow(long bytes) throws IOException {
    if (used.addAndGet(bytes) > maxBytes) {
      used.addAndGet(-bytes);
      throw new IOException("No space left on device (the scratch directory /tmp holds at most " + maxBytes + " bytes)");
    }
  }

  void shrink(long bytes) {
    used.addAndGet(-Math.min(bytes, used.get()));
  }

  /** The guest is about to change something in the directory (create, write, remove, rename, link). */
  void touch() {
    touched = true;
  }

  /**
   * Empties the directory for the next call (nothing to do when the guest changed nothing); false when
   * something could not be removed, so the directory must not serve another call.
   */
  boolean clear() {
    if (!touched) {
      return true;
    }
    deleteTree(false);
    used.set(0);
    touched = false;
    try (var left = Files.list(dir)) {
      return left.findAny().isEmpty();
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (touched) {
      deleteTree(true);
    } else {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        deleteTree(true);
      }
    }
  }

  private void deleteTree(boolean includingRoot) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).filter(p -> includingRoot || !p.equals(dir)).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a file the guest left open on a warm instance goes with the instance
        }
      });
    } catch (IOException | UncheckedIOException ignored) {
      // already gone
    }
  }
}
