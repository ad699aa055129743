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
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's tokens: kept in memory for checking requests and durably under {@code <data-dir>/tokens}
 * (one file per token, created readable by its owner only, written to a temporary file, fsynced, renamed
 * and the directory fsynced). Secrets are never stored, only their SHA-256. A token reads
 * {@code hpcfaas_<id>_<secret>}, with a random id of 128 bits. A token file that cannot be read is
 * reported and skipped.
 */
public final class TokenStore {
  private static final Logger log = LoggerFactory.getLogger(TokenStore.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Ids of 128 bits; tokens issued before had 32, and stay valid. */
  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[0-9a-f]{8}|[0-9a-f]{32}");
  static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path dir;
  private final ObjectMapper json;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  /** A freshly issued token and its secret, which is shown once and never again. */
  public record Issued(Token token, String bearer) {}

  public TokenStore(Path dataDir, ObjectMapper json) throws IOException {
    var tokensDir = dataDir.resolve("tokens");
    if (!Files.isDirectory(tokensDir)) {
      Files.createDirectories(dataDir);
      try {
        Files.createDirectory(tokensDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // made meanwhile (a shared data dir)
      }
    }
    this.dir = tokensDir;
    this.json = json;
    try (var files = Files.newDirectoryStream(dir, "*.json")) {
      for (var file : files) {
        try {
          var token = json.readValue(file.toFile(), Token.class);
          check(token);
          tokens.put(token.id(), token);
        } catch (IOException | RuntimeException e) {
          log.error("Skipping unreadable token file {}: {}", file, e.getMessage());
        }
      }
    }
  }

  /** A token as any node must hold it; one from a file or a peer that is not is refused. */
  private static void check(Token token) throws IOException {
    if (token == null || token.id() == null || !ID.matcher(token.id()).matches()) {
      throw new IOException("not a token id: " + (token == null ? null : token.id()));
    }
    if (token.secretSha256() == null || !token.secretSha256().matches("[0-9a-f]{64}") || token.tenant() == null
        || token.grants() == null || token.version() < 1) {
      throw new IOException("token " + token.id() + " is incomplete");
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
    var secretBytes = new byte[32];
    RANDOM.nextBytes(secretBytes);
    var secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes).replace('_', '.');
    while (true) {
      var idBytes = new byte[16];
      RANDOM.nextBytes(idBytes);
      var id = HexFormat.of().formatHex(idBytes);
      var token = new Token(id, sha256(secret), tenant, Map.copyOf(grants), maxConcurrent, maxModuleBytes, Instant.now(), 1,
          false);
      // apply refuses an id already known: a token is never issued over another one
      if (apply(token)) {
        return new Issued(token, "hpcfaas_" + id + "_" + secret);
      }
    }
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
    check(token);
    var current = tokens.get(token.id());
    if (current != null && current.version() >= token.version()) {
      return false;
    }
    writeOwnerOnly(dir.resolve(token.id() + ".json"), json.writeValueAsBytes(token));
    tokens.put(token.id(), token);
    return true;
  }

  /**
   * Writes a file readable by its owner only from its creation (a temporary file made with mode 600,
   * fsynced, renamed over the target, the directory fsynced): never a moment when others may read it.
   */
  static void writeOwnerOnly(Path target, byte[] bytes) throws IOException {
    var tmp = target.resolveSibling("." + target.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    try {
      try (var ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
        var buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (var ch = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static String sha256(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
