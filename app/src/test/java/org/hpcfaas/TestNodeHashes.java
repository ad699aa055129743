package org.hpcfaas;

import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 as the registry names modules. */
public final class TestNodeHashes {
  private TestNodeHashes() {}

  public static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
