# Shared by the measurement scripts: builds the reference servers, starts servers pinned to CPUs,
# reads their CPU time. Source it after tools/env.sh.

PEERS_DIR="$SHARDLOOP_ROOT/bench/peers"

peers_jar() {
  local jar="$PEERS_DIR/target/shardloop-peers-0.1.0-SNAPSHOT.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$PEERS_DIR/src" "$PEERS_DIR/pom.xml" -newer "$jar" -print -quit)" ]; then
    echo "building the reference servers (bench/peers)..." >&2
    (cd "$PEERS_DIR" && mvn -B -q -DskipTests package) >&2 || { echo "build of bench/peers failed" >&2; exit 1; }
  fi
  echo "$jar"
}

# Total CPU time (user + system) of a process so far, in microseconds.
cpu_micros() {
  local ticks hz
  hz=$(getconf CLK_TCK)
  # Fields 14 and 15 of /proc/PID/stat, counted after the command name in parentheses.
  ticks=$(sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}')
  echo $(( ticks * 1000000 / hz ))
}

# Waits until something listens on 127.0.0.1:PORT (at most 60 s).
wait_for_port() {
  local i
  for i in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1 after 60 s" >&2
  return 1
}

# Stops a server started in the background and waits until it is gone (at most 30 s).
stop_server() {
  local i
  kill -TERM "$1" 2>/dev/null || true
  for i in $(seq 1 300); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
}

environment_report() {
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- commit: $(git -C "$SHARDLOOP_ROOT" rev-parse --short HEAD)$(git -C "$SHARDLOOP_ROOT" diff --quiet || echo ' (with local changes)')"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, kernel $(uname -r)"
  echo "- JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
}
