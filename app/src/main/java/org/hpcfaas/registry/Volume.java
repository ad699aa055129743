package org.hpcfaas.registry;

import java.nio.file.Path;
import java.util.List;

/**
 * A host directory the operator lets functions mount ({@code hpcfaas.volumes.<name>}); in a cluster the
 * same path on every node (a shared file system). {@code namespaces} empty: every namespace may use it.
 */
public record Volume(String name, Path path, boolean readOnly, List<String> namespaces) {
  public boolean permits(String namespace) {
    return namespaces.isEmpty() || namespaces.contains(namespace);
  }
}
