package org.hpcfaas.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's tokens: kept in memory for checking requests and durably under {@code <data-dir>/tokens}
 * (one file per token, written to a temporary file, fsynced and renamed). Secrets are never stored,
 * only their SHA-256. A token reads {@code hpcfaas_<id>_<secret>}.
 */
public final class TokenStore {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final ObjectMapper json;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  /** A freshly issued token and its secret, which is shown once and never again. */
  public record Issued(Token token, String bearer) {}

  public TokenStore(Path dataDir, ObjectMapper json) throws IOException {
    this.dir = Files.createDirectories(dataDir.resolve("tokens"));
    this.json = json;
    try (var files = Files.newDirectoryStream(dir, "*.json")) {
      for (var file : files) {
        var token = json.readValue(file.toFile(), Token.class);
        tokens.put(token.id(), token);
      }
    }
  }

  public boolean isEmpty() {
    return tokens.isEmpty();
  }

  public Collection<Token> all() {
    return List.copyOf(tokens.values());
  }

  /** The principal a bearer token stands for, if it is one of ours and not revoked. */
  public Optional<Principal> authenticate(String bearer) {
    var parts = bearer.split("_", 3);
    if (parts.length != 3 || !parts[0].equals("hpcfaas")) {
      return Optional.empty();
    }
    var token = tokens.get(parts[1]);
    if (token == null || token.revoked()) {
      return Optional.empty();
    }
    boolean matches = MessageDigest.isEqual(sha256(parts[2]).getBytes(StandardCharsets.US_ASCII),
        token.secretSha256().getBytes(StandardCharsets.US_ASCII));
    return matches ? Optional.of(Principal.of(token)) : Optional.empty();
  }

  public Issued issue(String tenant, Map<String, Set<Right>> grants, int maxConcurrent, long maxModuleBytes)
      throws IOException {
    var idBytes = new byte[4];
    RANDOM.nextBytes(idBytes);
    var secretBytes = new byte[32];
    RANDOM.nextBytes(secretBytes);
    var id = HexFormat.of().formatHex(idBytes);
    var secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes).replace('_', '.');
    var token = new Token(id, sha256(secret), tenant, Map.copyOf(grants), maxConcurrent, maxModuleBytes, Instant.now(), 1,
        false);
    apply(token);
    return new Issued(token, "hpcfaas_" + id + "_" + secret);
  }

  public Optional<Token> revoke(String id) throws IOException {
    var token = tokens.get(id);
    if (token == null || token.revoked()) {
      return Optional.empty();
    }
    var revoked = token.revoke();
    apply(revoked);
    return Optional.of(revoked);
  }

  /** Takes a token (new, or a newer version of one known), storing it durably. */
  public synchronized boolean apply(Token token) throws IOException {
    var current = tokens.get(token.id());
    if (current != null && current.version() >= token.version()) {
      return false;
    }
    var target = dir.resolve(token.id() + ".json");
    var tmp = dir.resolve("." + token.id() + ".json.tmp");
    try (var ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(json.writeValueAsBytes(token)));
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    tokens.put(token.id(), token);
    return true;
  }

  static String sha256(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
