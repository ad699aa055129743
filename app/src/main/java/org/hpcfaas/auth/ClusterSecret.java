package org.hpcfaas.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every node of a cluster holds: one self-signed key pair (EC P-256) in a PKCS12 key store, its
 * certificate alone in a PKCS12 trust store, and their random password, in a directory only its owner may
 * read. Artery's {@code tls-tcp} transport presents the key and trusts only that certificate in both
 * directions (mutual TLS), so a process without the secret can neither join nor send a message that is
 * accepted; the http mode's internal key is derived from the same private key. Files are created with
 * mode 600 (the directory 700) and the directory is renamed into place whole, so no one ever sees a half
 * written or world-readable secret.
 */
public final class ClusterSecret {
  static final String KEY_STORE = "cluster.p12";
  static final String TRUST_STORE = "trust.p12";
  static final String PASSWORD = "password";
  private static final String ALIAS = "hpcfaas-cluster";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path dir;
  private final String password;
  private final PrivateKey key;

  private ClusterSecret(Path dir, String password, PrivateKey key) {
    this.dir = dir;
    this.password = password;
    this.key = key;
  }

  public Path dir() {
    return dir;
  }

  /** Creates a new secret in {@code dir}, which must not exist yet. */
  public static ClusterSecret create(Path dir) throws IOException {
    dir = dir.toAbsolutePath();
    if (Files.exists(dir)) {
      throw new FileAlreadyExistsException(dir + " already exists (a secret is created once; remove it to make another)");
    }
    Files.createDirectories(dir.getParent());
    var tmp = dir.resolveSibling("." + dir.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.createDirectory(tmp, OWNER_ONLY_DIR);
    try {
      var password = Base64.getUrlEncoder().withoutPadding().encodeToString(random(24));
      var pair = keyPair();
      var cert = selfSigned(pair);
      var keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(ALIAS, pair.getPrivate(), password.toCharArray(), new Certificate[] {cert});
      var trustStore = KeyStore.getInstance("PKCS12");
      trustStore.load(null, null);
      trustStore.setCertificateEntry(ALIAS, cert);
      writeOwnerOnly(tmp.resolve(KEY_STORE), store(keyStore, password));
      writeOwnerOnly(tmp.resolve(TRUST_STORE), store(trustStore, password));
      writeOwnerOnly(tmp.resolve(PASSWORD), (password + "\n").getBytes(StandardCharsets.US_ASCII));
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      return new ClusterSecret(dir, password, pair.getPrivate());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot generate the cluster secret: " + e.getMessage(), e);
    } finally {
      if (Files.exists(tmp)) {
        try (var files = Files.list(tmp)) {
          for (var f : files.toList()) {
            Files.deleteIfExists(f);
          }
        }
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Reads the secret in {@code dir}. */
  public static ClusterSecret load(Path dir) throws IOException {
    dir = dir.toAbsolutePath();
    for (var name : new String[] {KEY_STORE, TRUST_STORE, PASSWORD}) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        throw new IOException(dir + " is not a cluster secret: " + name + " is missing (create one with ./hpcfaas secret init DIR)");
      }
    }
    var password = Files.readString(dir.resolve(PASSWORD), StandardCharsets.US_ASCII).trim();
    try (var in = Files.newInputStream(dir.resolve(KEY_STORE))) {
      var keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(in, password.toCharArray());
      var key = (PrivateKey) keyStore.getKey(ALIAS, password.toCharArray());
      if (key == null) {
        throw new IOException(dir.resolve(KEY_STORE) + " holds no key named " + ALIAS);
      }
      return new ClusterSecret(dir, password, key);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the cluster secret in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The secret in {@code dir}, created there first if there is none (two nodes racing end up with one). */
  public static ClusterSecret loadOrCreate(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      try {
        return create(dir);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        // another node sharing this directory made it meanwhile
      }
    }
    return load(dir);
  }

  /** Is anything in the secret readable by others than its owner? */
  public boolean readableByOthers() throws IOException {
    try {
      for (var path : new Path[] {dir, dir.resolve(KEY_STORE), dir.resolve(TRUST_STORE), dir.resolve(PASSWORD)}) {
        var perms = Files.getPosixFilePermissions(path);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
          return true;
        }
      }
      return false;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  /** Artery over TLS with mutual authentication, presenting and trusting only this secret's certificate. */
  public Config tlsConfig() {
    var ssl = "pekko.remote.artery.ssl.config-ssl-engine.";
    return ConfigFactory.empty()
        .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue(ssl + "key-store", ConfigValueFactory.fromAnyRef(dir.resolve(KEY_STORE).toString()))
        .withValue(ssl + "key-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(ssl + "key-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(ssl + "trust-store", ConfigValueFactory.fromAnyRef(dir.resolve(TRUST_STORE).toString()))
        .withValue(ssl + "trust-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(ssl + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true))
        .withValue(ssl + "protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"));
  }

  /** A key derived from the private key for {@code purpose}: the same on every node that holds the secret. */
  public String derivedKey(String purpose) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          mac.doFinal(("hpcfaas " + purpose).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.security.KeyPair keyPair() throws GeneralSecurityException {
    var generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  /** A minimal X.509 v3 certificate signed by its own key (DER written by hand: the JDK has no public API). */
  private static X509Certificate selfSigned(java.security.KeyPair pair) throws GeneralSecurityException {
    var algorithm = der(0x30, der(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02}));
    var cn = der(0x06, new byte[] {0x55, 0x04, 0x03});
    var name = der(0x30, der(0x31, der(0x30, cn, der(0x0c, "hpcfaas cluster".getBytes(StandardCharsets.UTF_8)))));
    var now = ZonedDateTime.now(ZoneOffset.UTC).minusDays(1);
    var notBefore = der(0x17, now.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    var notAfter = der(0x18, "99991231235959Z".getBytes(StandardCharsets.US_ASCII));
    var serial = der(0x02, new BigInteger(1, random(16)).setBit(127).toByteArray());
    var version = der(0xa0, der(0x02, new byte[] {2}));
    var tbs = der(0x30, version, serial, algorithm, name, der(0x30, notBefore, notAfter), name,
        pair.getPublic().getEncoded());
    var signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(pair.getPrivate());
    signer.update(tbs);
    var signature = signer.sign();
    var bits = new byte[signature.length + 1];
    System.arraycopy(signature, 0, bits, 1, signature.length);
    var cert = der(0x30, tbs, algorithm, der(0x03, bits));
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(cert));
  }

  /** One DER element: tag, definite length, the concatenated contents. */
  private static byte[] der(int tag, byte[]... contents) {
    var body = new ByteArrayOutputStream();
    for (var c : contents) {
      body.writeBytes(c);
    }
    var out = new ByteArrayOutputStream();
    out.write(tag);
    int len = body.size();
    if (len < 128) {
      out.write(len);
    } else {
      var bytes = BigInteger.valueOf(len).toByteArray();
      int skip = bytes[0] == 0 ? 1 : 0;
      out.write(0x80 | (bytes.length - skip));
      out.write(bytes, skip, bytes.length - skip);
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[] store(KeyStore store, String password) throws IOException, GeneralSecurityException {
    var out = new ByteArrayOutputStream();
    store.store(out, password.toCharArray());
    return out.toByteArray();
  }

  private static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
    try (var ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY_FILE)) {
      var buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  private static byte[] random(int n) {
    var bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
