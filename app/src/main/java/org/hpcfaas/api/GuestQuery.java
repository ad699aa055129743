package org.hpcfaas.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.Uri;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.ModuleKind;

/**
 * What a call's query string hands the guest: every {@code arg}, in order, as its argv after argv[0], and
 * every other parameter as an environment variable, except those that steer the runtime, which never
 * reach a guest. Values are percent-decoded as UTF-8; what cannot be a C string is refused, never altered.
 */
final class GuestQuery {
  static final String ARG = "arg";
  /** Parameters of a call that the runtime reads itself. */
  static final Set<String> STEERING = Set.of(ARG, "transfer", "stream", "access_token");

  private GuestQuery() {}

  /** A query that cannot become the guest's parameters, with the problem to answer. */
  static final class Refused extends RuntimeException {
    private final transient Problem problem;

    Refused(Problem problem) {
      super(problem.detail(), null, false, false);
      this.problem = problem;
    }

    Problem problem() {
      return problem;
    }
  }

  /** The parameters {@code uri}'s query gives a call of {@code spec}; throws {@link Refused} when it cannot. */
  static GuestParameters of(Uri uri, FunctionSpec spec) {
    return of(uri, spec, Set.of());
  }

  /** As {@link #of(Uri, FunctionSpec)}, the parameters named in {@code steering} kept from the guest as well. */
  static GuestParameters of(Uri uri, FunctionSpec spec, Set<String> steering) {
    GuestParameters guest;
    try {
      guest = of(uri, steering);
    } catch (IllegalArgumentException e) {
      throw new Refused(Problem.of(ProblemType.INVALID_REQUEST, e.getMessage()));
    }
    if (spec.kind() == ModuleKind.REACTOR && !guest.args().isEmpty()) {
      throw new Refused(Problem.of(ProblemType.INVALID_REQUEST, spec.name() + " is a reactor: its instances stay"
          + " warm across calls and get their arguments once, from the deploy (?defaultArg=); a call cannot pass ?arg="));
    }
    return guest;
  }

  private static GuestParameters of(Uri uri, Set<String> steering) {
    var args = new ArrayList<String>();
    var env = new LinkedHashMap<String, String>();
    for (var p : parameters(uri.rawQueryString().orElse(""))) {
      if (p.getKey().equals(ARG)) {
        requireCString("an arg", p.getValue());
        args.add(p.getValue());
      } else if (!STEERING.contains(p.getKey()) && !steering.contains(p.getKey())) {
        if (p.getKey().isEmpty() || p.getKey().indexOf('=') >= 0) {
          throw new IllegalArgumentException("'" + p.getKey() + "' cannot be the name of an environment variable");
        }
        requireCString("a parameter name", p.getKey());
        requireCString("the value of " + p.getKey(), p.getValue());
        env.put(p.getKey(), p.getValue());
      }
    }
    return new GuestParameters(args, env);
  }

  /** The parameters of a raw query string, in order, decoded strictly. */
  static List<Map.Entry<String, String>> parameters(String rawQuery) {
    var result = new ArrayList<Map.Entry<String, String>>();
    if (rawQuery.isEmpty()) {
      return result;
    }
    for (var pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      var key = decode(eq < 0 ? pair : pair.substring(0, eq));
      var value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      result.add(new AbstractMap.SimpleImmutableEntry<>(key, value));
    }
    return result;
  }

  private static String decode(String raw) {
    var bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%') {
        if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
          throw new IllegalArgumentException("malformed percent-encoding in the query: '" + raw + "'");
        }
        bytes.write(Integer.parseInt(raw, i + 1, i + 3, 16));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the query is not UTF-8 once decoded: '" + raw + "'");
    }
  }

  private static void requireCString(String what, String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " cannot hold a NUL byte");
    }
  }
}
