package org.hpcfaas.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;

/**
 * The key of a cached output: SHA-256 over the module's SHA-256, the deployed version (so a redeploy
 * never serves an older version's output, even of the same module), how the guest is set up, the
 * call's arguments and environment, and the SHA-256 of its stdin. Every part is length-prefixed, so no
 * two different calls share a key by concatenation.
 */
final class CacheKey {
  private CacheKey() {}

  static String of(FunctionSpec spec, Call call) {
    var digest = sha256();
    part(digest, spec.name());
    part(digest, spec.sha256());
    part(digest, Long.toString(spec.version()));
    part(digest, spec.defaultArgs().toString());
    part(digest, spec.runtimeEnv().toString());
    part(digest, spec.mounts().toString());
    digest.update((byte) 'a');
    part(digest, Integer.toString(call.guest().args().size()));
    call.guest().args().forEach(a -> part(digest, a));
    digest.update((byte) 'e');
    var env = new TreeMap<>(call.guest().env());
    part(digest, Integer.toString(env.size()));
    env.forEach((k, v) -> {
      part(digest, k);
      part(digest, v);
    });
    digest.update((byte) 'i');
    digest.update(sha256().digest(call.inputBytes()));
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void part(MessageDigest digest, String value) {
    var bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
