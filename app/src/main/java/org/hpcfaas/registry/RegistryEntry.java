package org.hpcfaas.registry;

import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.FunctionSpec;

/**
 * A function name's latest state, as replicated between nodes: a deployed version ({@code spec} set) or
 * a deletion ({@code spec} null). Versions only grow, so a node that missed a change knows it did.
 */
public record RegistryEntry(String name, long version, FunctionSpec spec) implements CborSerializable {
  public boolean deleted() {
    return spec == null;
  }

  static RegistryEntry of(FunctionSpec spec) {
    return new RegistryEntry(spec.name(), spec.version(), spec);
  }

  static RegistryEntry tombstone(String name, long version) {
    return new RegistryEntry(name, version, null);
  }
}
