package org.hpcfaas.registry;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Durable storage of modules (by sha256) and function metadata; every write is durable when it returns. */
public interface FunctionStore {
  /** Stores module bytes under their sha256, unless already there. */
  void putModule(String sha256, byte[] module) throws IOException;

  Optional<byte[]> module(String sha256) throws IOException;

  void putSpec(FunctionSpec spec) throws IOException;

  void deleteSpec(String name) throws IOException;

  List<FunctionSpec> specs() throws IOException;
}
