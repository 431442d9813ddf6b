# Shared by the tools/ scripts: finds a JDK 25+ and reads the JVM flags. Source it; do not run it.

SHARDLOOP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARDLOOP_MIN_JDK=25

# Prints the feature version of a java binary (17, 21, 25...), or nothing when it does not run.
java_feature() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1
}

# Prints the home of a JDK 25 or newer: JAVA_HOME, then java on PATH, then /usr/lib/jvm/*.
find_jdk() {
  local candidates=() java v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  java=$(command -v java 2>/dev/null) && candidates+=("$(readlink -f "$java")")
  for java in /usr/lib/jvm/*/bin/java; do [ -x "$java" ] && candidates+=("$java"); done
  for java in "${candidates[@]}"; do
    [ -x "$java" ] || continue
    v=$(java_feature "$java")
    if [ -n "$v" ] && [ "$v" -ge "$SHARDLOOP_MIN_JDK" ] 2>/dev/null && [ -x "$(dirname "$java")/javac" ]; then
      (cd "$(dirname "$java")/.." && pwd)
      return 0
    fi
  done
  return 1
}

require_jdk() {
  if ! JAVA_HOME=$(find_jdk); then
    echo "shardloop: no JDK $SHARDLOOP_MIN_JDK or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm/*); install one or set JAVA_HOME" >&2
    exit 1
  fi
  export JAVA_HOME
  # Maven's own JVM: silence its libraries' sun.misc.Unsafe warnings on new JDKs.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

require_maven() {
  command -v mvn >/dev/null 2>&1 || { echo "shardloop: Maven (mvn) is needed to build; install it (apt-get install maven)" >&2; exit 1; }
}

# The JVM flags of tools/jvm.properties, on one line.
jvm_flags() {
  sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$SHARDLOOP_ROOT/tools/jvm.properties" | sed -n 's/^jvm\.flags=//p'
}

# The product jar, built when missing or older than the sources.
product_jar() {
  local jar
  jar=$(ls "$SHARDLOOP_ROOT"/target/shardloop-*.jar 2>/dev/null | grep -v '/original-' | head -1)
  if [ -z "$jar" ] || [ -n "$(find "$SHARDLOOP_ROOT/src/main" "$SHARDLOOP_ROOT/pom.xml" "$SHARDLOOP_ROOT/tools/jvm.properties" -newer "$jar" -print -quit)" ]; then
    require_maven
    echo "shardloop: building the jar (first run, or the sources changed)..." >&2
    (cd "$SHARDLOOP_ROOT" && mvn -B -q -DskipTests package) >&2 || { echo "shardloop: build failed" >&2; exit 1; }
    jar=$(ls "$SHARDLOOP_ROOT"/target/shardloop-*.jar | grep -v '/original-' | head -1)
  fi
  echo "$jar"
}

# A copy of the jar for one run, that no build touches: `mvn package` rewrites target/*.jar in place,
# and a server running from it would then load classes from a different archive (NoClassDefFoundError,
# at the latest when it shuts down). Copies are named by their content, shared by runs of the same
# build, and removed once no run has used them for a week (an open copy outlives its name on Linux).
run_copy() {
  local jar=$1 dir sum copy
  dir=${SHARDLOOP_RUN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shardloop/jars}
  if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
    dir="$SHARDLOOP_ROOT/target/run"
    mkdir -p "$dir"
  fi
  sum=$(sha256sum "$jar" | cut -c1-16)
  copy="$dir/shardloop-$sum.jar"
  if [ ! -f "$copy" ]; then
    cp "$jar" "$copy.$$.tmp" && mv -f "$copy.$$.tmp" "$copy"
  fi
  touch "$copy"
  find "$dir" -maxdepth 1 -name 'shardloop-*.jar' -mtime +7 -delete 2>/dev/null || true
  echo "$copy"
}
