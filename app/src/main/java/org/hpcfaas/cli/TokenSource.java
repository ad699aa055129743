package org.hpcfaas.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the bearer token comes from: {@code --token-file FILE}, else the node's {@code DIR/admin.token}
 * ({@code --data-dir DIR}), else {@code $HPCFAAS_TOKEN}. Never from an argument's value: every user of a
 * login node sees command lines in {@code ps}.
 */
final class TokenSource {
  /** The data directory the token commands look in when nothing else names a token, as the node's default. */
  static final Path DEFAULT_DATA_DIR = Path.of("hpcfaas-data");

  private TokenSource() {}

  /** The token, or null when none is named; {@code adminDefault} also tries ./hpcfaas-data/admin.token. */
  static String find(Path tokenFile, Path dataDir, Map<String, String> env, boolean adminDefault) throws CallFailed {
    if (tokenFile != null) {
      return read(tokenFile);
    }
    if (dataDir != null) {
      return read(dataDir.resolve("admin.token"));
    }
    var fromEnv = env.get("HPCFAAS_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return checked(fromEnv.trim(), "$HPCFAAS_TOKEN");
    }
    var fallback = DEFAULT_DATA_DIR.resolve("admin.token");
    return adminDefault && Files.isReadable(fallback) ? read(fallback) : null;
  }

  private static String read(Path file) throws CallFailed {
    try {
      return checked(Files.readString(file, StandardCharsets.UTF_8).trim(), file.toString());
    } catch (IOException e) {
      throw new CallFailed(ExitCode.USAGE, "cannot read the token file " + file + ": " + e);
    }
  }

  /** A token goes into a header: printable ASCII, no spaces or line breaks. */
  private static String checked(String token, String from) throws CallFailed {
    if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new CallFailed(ExitCode.USAGE, "the token in " + from + " is empty or holds characters a token never has");
    }
    return token;
  }
}
