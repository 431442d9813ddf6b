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

# A server is alive while its /proc entry exists and is not a zombie (a child that has exited but
# not been reaped still answers kill -0).
server_alive() {
  [ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}

# Waits until PID listens on 127.0.0.1:PORT (at most 60 s); fails at once when PID has exited,
# which is how a server that cannot run on a transport says so.
wait_for_server() {
  local i
  for i in $(seq 1 600); do
    server_alive "$1" || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $2 after 60 s" >&2
  return 1
}

# Fails, saying so, when something already listens on 127.0.0.1:PORT: a server left over from
# another run would otherwise answer in place of the one being measured.
require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "something already listens on 127.0.0.1:$1; stop it first" >&2
    exit 1
  fi
}

# Why a server exited at start: the last non-blank line of its log, fit for a Markdown cell.
start_failure() {
  local line
  line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -1 | tr -d '\r' | sed 's/|/\\|/g')
  echo "${line:-exited without a word}"
}

# A process and its direct children (nginx's workers), one pid a line.
tree_pids() {
  echo "$1"
  pgrep -P "$1" || true
}

# CPU time of a server and of its children, in microseconds.
tree_cpu_micros() {
  local total=0 p
  for p in $(tree_pids "$1"); do
    total=$((total + $(cpu_micros "$p")))
  done
  echo "$total"
}

# The transports shardloop is measured on: TRANSPORTS, where "default" means passing no
# --transport flag and letting the server choose.
shardloop_transports() {
  echo "${TRANSPORTS:-nio epoll io_uring}"
}

# The serve flag for one transport word: nothing for "default".
transport_flag() {
  [ "$1" = default ] || echo "--transport $1"
}

# How a row names shardloop on one transport word.
shardloop_label() {
  if [ "$1" = default ]; then echo shardloop; else echo "shardloop $1"; fi
}

# The hand-written C epoll server (bench/c/epoll_server.c), built with gcc when missing or older
# than its source. Prints its path; fails, saying why on stderr, when it cannot be built.
c_peer() {
  local src="$SHARDLOOP_ROOT/bench/c/epoll_server.c" bin="$SHARDLOOP_ROOT/bench/c/target/epoll_server"
  if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    command -v gcc >/dev/null 2>&1 || { echo "gcc is needed to build bench/c/epoll_server.c (apt-get install gcc)" >&2; return 1; }
    mkdir -p "$(dirname "$bin")"
    if ! gcc -O2 -Wall -o "$bin.$$" "$src" >&2; then
      rm -f "$bin.$$"
      echo "build of bench/c/epoll_server.c failed" >&2
      return 1
    fi
    mv -f "$bin.$$" "$bin"
  fi
  echo "$bin"
}

# System calls per request come from a second, short run under strace: strace stops the traced
# thread at every call, so it slows the server several times over and no rate is ever taken from
# that run. STRACE_SECONDS (default 2) is its length; STRACE=none leaves the column empty.
STRACE_PID=
STRACE_LOG=
syscall_count_ready() {
  [ "${STRACE:-}" != none ] && command -v strace >/dev/null 2>&1
}

# Counts the system calls of the given processes (every thread, and what they start) while a
# command runs: syscall_count OUT PID... -- COMMAND...
# The command's stdout goes to OUT; the total number of calls is left in SYSCALLS. Without strace,
# or when it cannot attach, the command is not run, OUT is empty and so is SYSCALLS. Runs in the
# caller's shell so that a trap can stop strace.
syscall_count() {
  local out=$1 p t i attached log
  shift
  local pids=()
  while [ "$1" != -- ]; do pids+=("$1"); shift; done
  shift
  SYSCALLS=
  if ! syscall_count_ready; then
    : >"$out"
    return 0
  fi
  log=$(mktemp /tmp/strace-count.XXXXXX)
  STRACE_LOG=$log
  local args=()
  for p in "${pids[@]}"; do args+=(-p "$p"); done
  strace -c -f -o "$log" "${args[@]}" 2>"$log.err" &
  STRACE_PID=$!
  # Attached when every thread of every process names a tracer; at most 10 s.
  for i in $(seq 1 200); do
    attached=1
    for p in "${pids[@]}"; do
      for t in /proc/"$p"/task/*; do
        [ "$(awk '/^TracerPid:/ {print $2}' "$t/status" 2>/dev/null)" = 0 ] && attached=0
      done
    done
    [ "$attached" = 1 ] && break
    kill -0 "$STRACE_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [ "$attached" = 1 ] && kill -0 "$STRACE_PID" 2>/dev/null; then
    "$@" >"$out" || true
    kill -INT "$STRACE_PID" 2>/dev/null || true
    wait "$STRACE_PID" 2>/dev/null || true
    SYSCALLS=$(awk '$NF == "total" { print $4 }' "$log")
  else
    echo "strace could not attach: $(tail -1 "$log.err")" >&2
    kill -INT "$STRACE_PID" 2>/dev/null || true
    wait "$STRACE_PID" 2>/dev/null || true
    : >"$out"
  fi
  STRACE_PID=
  rm -f "$log" "$log.err"
  STRACE_LOG=
}

# Stops a strace that an interrupted run left attached, and removes its files.
stop_strace() {
  if [ -n "${STRACE_PID:-}" ]; then
    kill -INT "$STRACE_PID" 2>/dev/null || true
    wait "$STRACE_PID" 2>/dev/null || true
    STRACE_PID=
  fi
  if [ -n "${STRACE_LOG:-}" ]; then
    rm -f "$STRACE_LOG" "$STRACE_LOG.err"
    STRACE_LOG=
  fi
}

# calls / requests with two decimals, or n/a.
per_request() {
  awk -v c="${1:-}" -v n="${2:-0}" 'BEGIN { if (c != "" && n > 0) printf "%.2f", c / n; else print "n/a" }'
}

# a / b with two decimals, or n/a when either is missing.
ratio_of() {
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && a != "n/a" && b != "" && b != "n/a" && b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# Lines for environment_report about the tools the transport comparison uses.
transport_report() {
  echo "- shardloop transports: $(shardloop_transports) (\"default\": no --transport flag)"
  if syscall_count_ready; then
    echo "- system calls per request: strace $(strace -V 2>/dev/null | head -1 | awk '{print $NF}'), strace -c -f attached to the server for a separate ${STRACE_SECONDS:-2} s run of the same load after the measured one (never used for rates); all threads' calls over the requests that run completed; on io_uring the operations one io_uring_enter submits count as that one call"
  else
    echo "- system calls per request: not measured (strace missing or STRACE=none)"
  fi
}

# The line for environment_report about the C epoll server.
c_peer_report() {
  if command -v gcc >/dev/null 2>&1; then
    echo "- C epoll server: bench/c/epoll_server.c, $(gcc --version | head -1), -O2, one thread, level-triggered epoll"
  else
    echo "- C epoll server: not built (gcc missing)"
  fi
}
