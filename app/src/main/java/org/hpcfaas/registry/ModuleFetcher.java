package org.hpcfaas.registry;

import java.io.IOException;
import java.util.Optional;

/** Gets a module this node lacks from somewhere else (a peer node). */
public interface ModuleFetcher {
  Optional<byte[]> fetch(String sha256) throws IOException;
}
