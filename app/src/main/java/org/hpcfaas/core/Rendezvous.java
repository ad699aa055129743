package org.hpcfaas.core;

/**
 * Rendezvous (highest random weight) hashing: the score of a node for a key. Every node computes the same
 * scores, so a key's highest-scoring node is agreed on without asking, and moves only when that node leaves.
 */
public final class Rendezvous {
  private Rendezvous() {}

  public static long score(String key, Object node) {
    long h = 1125899906842597L;
    for (char c : (key + "@" + node).toCharArray()) {
      h = 31 * h + c;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
