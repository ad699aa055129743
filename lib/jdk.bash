# The one JDK finder of the scripts (sourced by ./hpcfaas, loadtest/bench, loadtest/bench-engine, .ci/run).

# The major version of a java binary: 25 for "25.0.1", 8 for "1.8.0".
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

# A JDK >= 21: JAVA_HOME when new enough, else the newest under /usr/lib/jvm; fails when there is none.
find_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]]; then
    echo "$JAVA_HOME"; return
  fi
  local best="" best_v=0 d v
  for d in /usr/lib/jvm/*/; do
    d="${d%/}"
    [[ -x "$d/bin/java" && -x "$d/bin/javac" ]] || continue
    v="$(java_major "$d/bin/java")"
    if [[ -n "$v" && "$v" -ge 21 && "$v" -gt "$best_v" ]]; then best="$d"; best_v="$v"; fi
  done
  if [[ -z "$best" ]]; then
    echo "no JDK 21 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
    return 1
  fi
  echo "$best"
}

# Puts that JDK first: JAVA_HOME and PATH.
use_java() {
  local jdk
  jdk="$(find_java)" || exit 1
  export JAVA_HOME="$jdk"
  export PATH="$JAVA_HOME/bin:$PATH"
}
