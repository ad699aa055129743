package org.hpcfaas.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores modules content-addressed ({@code modules/<sha256>.wasm}) and metadata
 * ({@code functions/<name>.json}, a {@link RegistryEntry}: deletions are kept as tombstones so a node
 * that missed one cannot bring the function back) under the data directory. Each file is written to a temporary
 * file, fsynced, renamed into place, and the directory fsynced, so a crash leaves either the old or
 * the new file, never a torn one.
 */
public final class FileFunctionStore implements FunctionStore {
  private static final Logger log = LoggerFactory.getLogger(FileFunctionStore.class);

  private final Path modules;
  private final Path functions;
  private final ObjectMapper json;

  public FileFunctionStore(Path dataDir, ObjectMapper json) throws IOException {
    this.modules = Files.createDirectories(dataDir.resolve("modules"));
    this.functions = Files.createDirectories(dataDir.resolve("functions"));
    this.json = json;
  }

  /** The file of a module: only ever a file directly in modules/, whatever a caller passes. */
  private Path moduleFile(String sha256) throws IOException {
    if (!FunctionRegistry.isSha256(sha256)) {
      throw new IOException("'" + sha256 + "' is not a SHA-256: no such module file");
    }
    return inside(modules, sha256 + ".wasm");
  }

  private Path entryFile(String name) throws IOException {
    if (!FunctionRegistry.isName(name)) {
      throw new IOException("'" + name + "' is not a function name: no such metadata file");
    }
    return inside(functions, name + ".json");
  }

  private static Path inside(Path dir, String fileName) throws IOException {
    var file = dir.resolve(fileName).normalize();
    if (!file.getParent().equals(dir.normalize())) {
      throw new IOException(fileName + " is not a file name in " + dir);
    }
    return file;
  }

  @Override
  public void putModule(String sha256, byte[] module) throws IOException {
    var target = moduleFile(sha256);
    if (!Files.exists(target)) {
      writeDurably(target, module);
    } else {
      // stored again: the grace period before an unreferenced module is removed starts anew
      Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
    }
  }

  @Override
  public java.util.Map<String, java.time.Instant> modules() throws IOException {
    var all = new java.util.HashMap<String, java.time.Instant>();
    try (var files = Files.newDirectoryStream(modules, "*.wasm")) {
      for (var file : files) {
        var name = file.getFileName().toString();
        var sha = name.substring(0, name.length() - ".wasm".length());
        if (FunctionRegistry.isSha256(sha)) {
          try {
            all.put(sha, Files.getLastModifiedTime(file).toInstant());
          } catch (NoSuchFileException e) {
            // removed meanwhile
          }
        }
      }
    }
    return all;
  }

  @Override
  public void deleteModule(String sha256) throws IOException {
    Files.deleteIfExists(moduleFile(sha256));
  }

  @Override
  public Optional<byte[]> module(String sha256) throws IOException {
    if (!FunctionRegistry.isSha256(sha256)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(moduleFile(sha256)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean hasModule(String sha256) {
    try {
      return FunctionRegistry.isSha256(sha256) && Files.exists(moduleFile(sha256));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void putEntry(RegistryEntry entry) throws IOException {
    writeDurably(entryFile(entry.name()), json.writeValueAsBytes(entry));
  }

  @Override
  public List<RegistryEntry> entries() throws IOException {
    var specs = new ArrayList<RegistryEntry>();
    try (var files = Files.newDirectoryStream(functions, "*.json")) {
      for (var file : files) {
        try {
          specs.add(json.readValue(file.toFile(), RegistryEntry.class));
        } catch (IOException e) {
          log.error("Skipping unreadable function metadata {}: {}", file, e.getMessage());
        }
      }
    }
    return specs;
  }

  private static void writeDurably(Path target, byte[] bytes) throws IOException {
    var tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try (var ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      var buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(target.getParent());
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
