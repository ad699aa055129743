package org.hpcfaas.registry;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Durable storage of modules (by sha256) and registry entries; every write is durable when it returns. */
public interface FunctionStore {
  /** Stores module bytes under their sha256, unless already there. */
  void putModule(String sha256, byte[] module) throws IOException;

  Optional<byte[]> module(String sha256) throws IOException;

  boolean hasModule(String sha256);

  /** Stores a function's latest entry (a version, or its deletion), replacing the previous one. */
  void putEntry(RegistryEntry entry) throws IOException;

  List<RegistryEntry> entries() throws IOException;

  /** The sha256 of every stored module, with the time it was last stored. */
  java.util.Map<String, java.time.Instant> modules() throws IOException;

  /** Removes a module's bytes (no entry refers to it any more). */
  void deleteModule(String sha256) throws IOException;
}
