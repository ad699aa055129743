package org.hpcfaas;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Starts one node in the foreground: {@code ./hpcfaas node [options]}; SIGTERM stops it gracefully. */
public final class Main {
  private static final String USAGE = """
      usage: hpcfaas node [--host ADDR] [--http-port N] [--cluster-port N] [--data-dir DIR]
                          [--seed HOST:PORT]... [--mode cluster|http] [--roles gateway,worker] [--secret DIR]
             hpcfaas secret init DIR
      Every option overrides a key of application.conf; -Dkey=value works for any other key.""";

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("secret")) {
      secret(Arrays.asList(args).subList(1, args.length));
      return;
    }
    Config config;
    try {
      // A node downed by the cluster (or stopped by SIGTERM) ends its process, so a supervisor can restart it.
      config = overrides(Arrays.asList(args))
          .withFallback(ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on"))
          .withFallback(ConfigFactory.load())
          .resolve();
    } catch (IllegalArgumentException e) {
      System.err.println("hpcfaas: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    var node = Node.start(config);
    node.awaitTermination();
  }

  /** {@code secret init DIR}: creates a cluster secret for every node of one cluster to be started with. */
  private static void secret(List<String> args) {
    if (args.size() != 2 || !args.get(0).equals("init")) {
      System.err.println("usage: hpcfaas secret init DIR");
      System.exit(2);
    }
    try {
      var secret = org.hpcfaas.auth.ClusterSecret.create(java.nio.file.Path.of(args.get(1)));
      System.out.println("hpcfaas: created a cluster secret in " + secret.dir() + " (readable by you only);"
          + " start every node of the cluster with --secret " + secret.dir());
    } catch (java.io.IOException e) {
      System.err.println("hpcfaas: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Turns command-line options into config keys, so that one place (application.conf) documents them. */
  static Config overrides(List<String> args) {
    var config = ConfigFactory.empty();
    var seeds = new ArrayList<String>();
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      if (option.equals("--help") || option.equals("-h")) {
        System.out.println(USAGE);
        System.exit(0);
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      String value = args.get(++i);
      config = switch (option) {
        case "--host" -> config.withValue("hpcfaas.http.host", ConfigValueFactory.fromAnyRef(value))
            .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(value));
        case "--http-port" -> config.withValue("hpcfaas.http.port", ConfigValueFactory.fromAnyRef(port(option, value)));
        case "--cluster-port" -> config.withValue("pekko.remote.artery.canonical.port",
            ConfigValueFactory.fromAnyRef(port(option, value)));
        case "--data-dir" -> config.withValue("hpcfaas.data-dir", ConfigValueFactory.fromAnyRef(value));
        case "--secret" -> config.withValue("hpcfaas.cluster.secret-dir", ConfigValueFactory.fromAnyRef(value));
        case "--mode" -> config.withValue("hpcfaas.mode", ConfigValueFactory.fromAnyRef(value));
        case "--roles" -> config.withValue("pekko.cluster.roles",
            ConfigValueFactory.fromIterable(Arrays.stream(value.split(",")).map(String::trim).toList()));
        case "--seed" -> {
          if (!value.matches("[^:]+:\\d+")) {
            throw new IllegalArgumentException("--seed takes HOST:PORT (the seed's cluster port), got " + value);
          }
          seeds.add("pekko://hpcfaas@" + value);
          yield config;
        }
        default -> throw new IllegalArgumentException("unknown option " + option);
      };
    }
    if (!seeds.isEmpty()) {
      config = config.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    }
    return config;
  }

  private static int port(String option, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(option + " takes a port number (0-65535), got " + value);
  }
}
