# Real SPARQL servers for the backend integration tests: Oxigraph server and Virtuoso Open Source 7.
#
# Sourced by .ci/run (bash). Both servers listen on 127.0.0.1 only, on free ports, each with a
# database directory of its own under $PACTGRAPH_SERVERS_DIR; Virtuoso gets a password this
# script generates. Use:
#
#   source .ci/servers.sh
#   servers_install            # oxigraph into $VENV (PyPI), virtuoso-opensource (Debian)
#   trap servers_stop EXIT     # stopped at the end, also when a later step fails
#   servers_start              # start both, wait until they answer, export the test variables
#
# servers_start exports what tests/backends.py reads:
#   PACTGRAPH_TEST_OXIGRAPH_URL   store spec of the Oxigraph server
#   PACTGRAPH_TEST_VIRTUOSO_URL   store spec of Virtuoso, plus PACTGRAPH_TEST_VIRTUOSO_USER,
#                                 _PASSWORD and _AUTH (digest) for its update and GSP endpoints

VENV=${VENV:-.venv}
VIRTUOSO_SHARE=/usr/share/virtuoso-opensource-7

_servers_log() { printf 'servers: %s\n' "$*" >&2; }

_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait until a command succeeds; fail with the server's log after $2 seconds.
_wait_until() {
  local what=$1 seconds=$2 log=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      _servers_log "$what did not become ready in ${seconds}s; its log:"
      tail -n 40 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

servers_install() {
  oxigraph_install && virtuoso_install
}

oxigraph_install() {
  if [ -x "$VENV/bin/oxigraph" ]; then return 0; fi
  _servers_log "installing oxigraph (PyPI) into $VENV"
  "$VENV/bin/pip" install --quiet 'oxigraph>=0.5,<0.6'
}

# Non-interactive: the debconf DBA password is preset (the packaged instance is never used: each
# run creates its own database with its own password). Another apt run may hold the dpkg lock;
# apt waits for it instead of failing.
virtuoso_install() {
  if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then return 0; fi
  _servers_log "installing virtuoso-opensource (Debian)"
  local preset
  preset=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  printf '%s\n' \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password $preset" \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password $preset" |
    _as_root debconf-set-selections
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq update
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq \
    install -y --no-install-recommends virtuoso-opensource >/dev/null
}

servers_start() {
  PACTGRAPH_SERVERS_DIR=${PACTGRAPH_SERVERS_DIR:-$(mktemp -d -t pactgraph-servers.XXXXXX)}
  export PACTGRAPH_SERVERS_DIR
  oxigraph_start && virtuoso_start
}

oxigraph_start() {
  local dir="$PACTGRAPH_SERVERS_DIR/oxigraph" port
  mkdir -p "$dir/data"
  port=$(_free_port)
  "$VENV/bin/oxigraph" serve --location "$dir/data" --bind "127.0.0.1:$port" >"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  _wait_until "oxigraph serve" 60 "$dir/log" \
    curl -fsS -o /dev/null "http://127.0.0.1:$port/query?query=ASK%7B%7D" || return 1
  export PACTGRAPH_TEST_OXIGRAPH_URL="sparql+http://127.0.0.1:$port/query?update=/update&gsp=/store"
  _servers_log "oxigraph serve on 127.0.0.1:$port (pid $(cat "$dir/pid"))"
}

_virtuoso_ini() {
  local dir=$1 sql_port=$2 http_port=$3
  cat <<EOF
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$sql_port
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., $dir
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 1G
ThreadsPerQuery = 2
DefaultIsolation = 4

[HTTPServer]
ServerPort = 127.0.0.1:$http_port
ServerRoot = $dir/vsp
MaxClientConnections = 10
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
EOF
}

_virtuoso_sql() {
  isql-vt "127.0.0.1:$VIRTUOSO_SQL_PORT" dba "$1" "exec=$2" >/dev/null
}

virtuoso_start() {
  local dir="$PACTGRAPH_SERVERS_DIR/virtuoso" password
  mkdir -p "$dir/vsp"
  VIRTUOSO_SQL_PORT=$(_free_port)
  VIRTUOSO_HTTP_PORT=$(_free_port)
  _virtuoso_ini "$dir" "$VIRTUOSO_SQL_PORT" "$VIRTUOSO_HTTP_PORT" >"$dir/virtuoso.ini"
  (cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground) >"$dir/stdout" 2>&1 &
  echo $! >"$dir/pid"
  # A new database starts with the well-known password 'dba'; replace it at once.
  _wait_until "virtuoso (SQL)" 180 "$dir/virtuoso.log" _virtuoso_sql dba "status();" || return 1
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  _virtuoso_sql dba "user_set_password('dba', '$password');"
  # isql exits 0 even when a statement fails: prove the new password works instead.
  if ! _virtuoso_sql "$password" "status();"; then
    _servers_log "could not set the Virtuoso DBA password"
    return 1
  fi
  _wait_until "virtuoso (HTTP)" 60 "$dir/virtuoso.log" \
    curl -fsS -o /dev/null -H 'Accept: application/sparql-results+json' \
    "http://127.0.0.1:$VIRTUOSO_HTTP_PORT/sparql?query=ASK%7B%7D" || return 1
  export PACTGRAPH_TEST_VIRTUOSO_URL="sparql+http://127.0.0.1:$VIRTUOSO_HTTP_PORT/sparql?update=/sparql-auth&gsp=/sparql-graph-crud-auth&engine=virtuoso"
  export PACTGRAPH_TEST_VIRTUOSO_USER=dba
  export PACTGRAPH_TEST_VIRTUOSO_PASSWORD=$password
  export PACTGRAPH_TEST_VIRTUOSO_AUTH=digest
  _servers_log "virtuoso on 127.0.0.1:$VIRTUOSO_HTTP_PORT (SQL $VIRTUOSO_SQL_PORT, pid $(cat "$dir/pid"))"
}

# Stop what servers_start started (by the pids it recorded) and remove the databases.
servers_stop() {
  local status=$? name pid
  [ -n "${PACTGRAPH_SERVERS_DIR:-}" ] || return "$status"
  for name in oxigraph virtuoso; do
    [ -f "$PACTGRAPH_SERVERS_DIR/$name/pid" ] || continue
    pid=$(cat "$PACTGRAPH_SERVERS_DIR/$name/pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true # reap it when this shell started it
    fi
  done
  rm -rf "$PACTGRAPH_SERVERS_DIR"
  unset PACTGRAPH_SERVERS_DIR
  return "$status"
}
