package org.hpcfaas.registry;

import org.hpcfaas.core.Mount;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The volumes of {@code hpcfaas.volumes}: which a deploy may mount (checked at the gateway), and which this
 * node has (a worker that lacks one of a function's volumes is never chosen for it).
 */
public final class Volumes {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final int MAX_MOUNTS = 16;
  private static final String SCRATCH = Mount.SCRATCH;

  private final Map<String, Volume> volumes;

  public Volumes(Map<String, Volume> volumes) {
    this.volumes = Map.copyOf(volumes);
  }

  /** Reads {@code hpcfaas.volumes}; a volume that cannot work is a configuration error at startup. */
  public static Volumes from(Config volumes) {
    var result = new TreeMap<String, Volume>();
    for (var name : volumes.root().keySet()) {
      var c = volumes.getConfig(com.typesafe.config.ConfigUtil.quoteString(name));
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("hpcfaas.volumes." + name + ": a volume name is 1-63 characters of A-Z, a-z, 0-9, _ . -");
      }
      var path = c.getString("path");
      if (!path.startsWith("/") || path.contains(",") || path.contains("::")) {
        throw new IllegalArgumentException("hpcfaas.volumes." + name + ".path must be an absolute path without ',' or '::', got " + path);
      }
      result.put(name, new Volume(name, Path.of(path).normalize(),
          c.hasPath("read-only") && c.getBoolean("read-only"),
          c.hasPath("namespaces") ? List.copyOf(c.getStringList("namespaces")) : List.of()));
    }
    return new Volumes(result);
  }

  public Optional<Volume> get(String name) {
    return Optional.ofNullable(volumes.get(name));
  }

  /** The volumes whose directory exists on this node: what it advertises to gateways. */
  public Set<String> present() {
    var present = new java.util.TreeSet<String>();
    volumes.values().forEach(v -> {
      if (Files.isDirectory(v.path())) {
        present.add(v.name());
      }
    });
    return present;
  }

  /**
   * The mounts a deploy in {@code namespace} asks for with {@code ?mount=<volume>:<guest path>[:ro]}, in
   * order; rejects unknown volumes, volumes the namespace may not use, and guest paths that cannot work.
   */
  public List<Mount> mounts(List<String> specs, String namespace) throws DeployRejected {
    if (specs.size() > MAX_MOUNTS) {
      throw new DeployRejected(DeployRejected.Reason.MOUNT, "a function may mount at most " + MAX_MOUNTS + " volumes");
    }
    var mounts = new ArrayList<Mount>();
    var guestPaths = new HashSet<String>();
    for (var spec : specs) {
      var parts = spec.split(":", -1);
      if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw"))) {
        throw new DeployRejected(DeployRejected.Reason.MOUNT, "a mount is <volume>:<guest path> or <volume>:<guest path>:ro, got '"
            + spec + "'");
      }
      var volume = volumes.get(parts[0]);
      if (volume == null) {
        throw new DeployRejected(DeployRejected.Reason.UNKNOWN_VOLUME, "no volume named '" + parts[0]
            + "' is configured (hpcfaas.volumes); known: " + new java.util.TreeSet<>(volumes.keySet()));
      }
      if (!volume.permits(namespace)) {
        throw new DeployRejected(DeployRejected.Reason.VOLUME_NOT_PERMITTED, "volume '" + volume.name()
            + "' may not be used by functions of namespace '" + namespace + "'");
      }
      var guestPath = parts[1];
      checkGuestPath(guestPath, spec);
      if (!guestPaths.add(guestPath)) {
        throw new DeployRejected(DeployRejected.Reason.MOUNT, "two mounts at " + guestPath);
      }
      boolean readOnly = volume.readOnly() || (parts.length == 3 && parts[2].equals("ro"));
      for (var other : mounts) {
        if (other.volume().equals(volume.name()) && other.readOnly() != readOnly) {
          throw new DeployRejected(DeployRejected.Reason.MOUNT, "volume '" + volume.name()
              + "' is mounted both read-only and writable; the host cannot tell the two apart");
        }
      }
      if (volume.readOnly() && parts.length == 3 && parts[2].equals("rw")) {
        throw new DeployRejected(DeployRejected.Reason.MOUNT, "volume '" + volume.name() + "' is read-only");
      }
      mounts.add(new Mount(volume.name(), guestPath, readOnly));
    }
    return mounts;
  }

  private static void checkGuestPath(String path, String spec) throws DeployRejected {
    boolean normal = path.startsWith("/") && (path.equals("/") || !path.endsWith("/"))
        && !path.contains("//") && !path.contains(",") && !path.contains("\0")
        && List.of(path.split("/")).stream().noneMatch(s -> s.equals(".") || s.equals(".."));
    if (!normal) {
      throw new DeployRejected(DeployRejected.Reason.MOUNT, "a guest path is absolute and normalized (no '.', '..', '//' or ','),"
          + " got '" + path + "' in '" + spec + "'");
    }
    if (path.equals(SCRATCH) || path.startsWith(SCRATCH + "/")) {
      throw new DeployRejected(DeployRejected.Reason.MOUNT, SCRATCH + " is every call's private scratch directory;"
          + " mount volumes elsewhere");
    }
  }
}
