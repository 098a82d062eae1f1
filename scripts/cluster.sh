#!/usr/bin/env bash
# compose.yaml's topology from real processes on 127.0.0.1, for tests, benchmarks and machines
# without Docker: PostgreSQL (Debian's postgresql), a Dask scheduler and workers, API servers and
# nginx (Debian's nginx) in front of them.
#
#   scripts/cluster.sh [up] [--port PORT]
#
# Runs in the foreground: starts everything on free loopback ports in a new temporary folder, waits
# until each part is healthy, prints the addresses and then "ready". Ctrl-C or TERM stops every
# process it started (TERM, then KILL after STOP_SECONDS) and removes the folder.
#
# Environment: API_SERVERS (2), DASK_WORKERS (2), STOP_SECONDS (10), NNVIZ_PYTHON (.venv/bin/python:
# a Python with nnviz installed), KEEP_CLUSTER_DIR=1 keeps the folder and its logs. Other NNVIZ_*
# settings pass through to the API servers.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${NNVIZ_PYTHON:-$ROOT/.venv/bin/python}
API_SERVERS=${API_SERVERS:-2}
DASK_WORKERS=${DASK_WORKERS:-2}
STOP_SECONDS=${STOP_SECONDS:-10}
START_SECONDS=120 # each part is healthy within this long, or the start fails
NGINX_PORT=0

usage() { awk 'NR >= 6 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 6 { exit }' "${BASH_SOURCE[0]}"; }
die() { echo "cluster.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        up) ;;
        --port) NGINX_PORT=${2:?--port needs a number}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

# --- what it needs, and where each comes from ---------------------------------------------------
[ -x "$PY" ] || die "no Python at $PY: make the virtual environment (python3 -m venv .venv && .venv/bin/pip install -e .) or set NNVIZ_PYTHON"
"$PY" -c "import app, distributed" 2>/dev/null \
    || die "$PY lacks nnviz or Dask's distributed: pip install -e . (nnviz's dependencies include distributed)"
DASK=$(dirname "$PY")/dask
[ -x "$DASK" ] || die "no $DASK: pip install distributed"
PG_BIN=$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)
[ -x "${PG_BIN:-/nonexistent}/initdb" ] || die "PostgreSQL is not installed: apt-get install postgresql"
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; } || die "nginx is not installed: apt-get install nginx"

# --- the processes ------------------------------------------------------------------------------
DIR=$(mktemp -d "${TMPDIR:-/tmp}/nnviz-cluster.XXXXXX")
chmod 711 "$DIR" # PostgreSQL's user and nginx's workers reach their own folders inside
NAMES=()          # what each started process is, by its pid
PIDS=()
PG_DATA=$DIR/postgres/data
AS_POSTGRES=()
if [ "$(id -u)" -eq 0 ]; then AS_POSTGRES=(runuser -u postgres --); fi # PostgreSQL refuses to run as root

# Starts a process in a session of its own, so that Ctrl-C reaches only this script (which stops
# everything in order) and a stop can reach the processes it forks (worker pools, Dask's nannies).
spawn() {
    local name=$1 log=$DIR/$1.log
    shift
    setsid "$@" >"$log" 2>&1 </dev/null &
    NAMES+=("$name")
    PIDS+=($!)
}

# Stops the processes named NAME or NAME-<n>: TERM, then KILL to whatever is left of their sessions
# after STOP_SECONDS.
stop() {
    local i pids=() deadline=$((SECONDS + STOP_SECONDS))
    for i in "${!NAMES[@]}"; do
        case ${NAMES[i]} in "$1" | "$1"-*) pids+=("${PIDS[i]}") ;; esac
    done
    for i in "${pids[@]}"; do kill -TERM "$i" 2>/dev/null || true; done
    for i in "${pids[@]}"; do
        while kill -0 "$i" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
        kill -KILL -- "-$i" 2>/dev/null || true
        wait "$i" 2>/dev/null || true
    done
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    echo "stopping the cluster" >&2
    # The reverse of the start: nothing loses what it is still talking to while it stops.
    stop nginx
    stop api
    stop worker
    stop scheduler
    if [ -f "$PG_DATA/postmaster.pid" ]; then
        "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -t "$STOP_SECONDS" stop >/dev/null 2>&1 \
            || "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ "${KEEP_CLUSTER_DIR:-}" = 1 ]; then echo "logs kept in $DIR" >&2; else rm -rf "$DIR"; fi
    echo "stopped" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 0' INT TERM # the way to stop it: a clean stop

free_ports() { # N free TCP ports on 127.0.0.1
    "$PY" - "$1" <<'EOF'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for sock in sockets:
    sock.bind(("127.0.0.1", 0))
print(" ".join(str(sock.getsockname()[1]) for sock in sockets))
EOF
}

# Waits until an HTTP GET of URL answers 200 (and, with a third argument, until that Python
# expression of the JSON answer `body` holds) while the process named NAME is alive.
wait_http() {
    local name=$1 url=$2 check=${3:-True} pid=${PIDS[-1]} i
    for i in "${!NAMES[@]}"; do [ "${NAMES[i]}" = "$name" ] && pid=${PIDS[i]}; done
    "$PY" - "$url" "$check" "$pid" "$START_SECONDS" <<'EOF' || die "$name did not become healthy; its log: $DIR/$name.log
$(tail -n 20 "$DIR/$name.log" 2>/dev/null)"
import json, os, sys, time, urllib.request
url, check, pid, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            raw = answer.read()
        if check == "True" or eval(check, {"body": json.loads(raw)}):
            sys.exit(0)
    except (OSError, ValueError):
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
}

read -r PG_PORT SCHEDULER_PORT DASHBOARD_PORT API_PORTS <<<"$(free_ports $((3 + API_SERVERS)))"
read -ra API_PORTS <<<"$API_PORTS"
if [ "$NGINX_PORT" = 0 ]; then NGINX_PORT=$(free_ports 1); fi
SCHEDULER=tcp://127.0.0.1:$SCHEDULER_PORT

# The scheduler starts first: it is ready long before the database is.
# No dashboard pages; its address still answers /health and the worker count.
spawn scheduler "$DASK" scheduler --host 127.0.0.1 --port "$SCHEDULER_PORT" --no-dashboard \
    --dashboard-address "127.0.0.1:$DASHBOARD_PORT"

# PostgreSQL: a new cluster, password-protected, on loopback only. fsync is off: the data goes
# with the folder when the cluster stops.
mkdir -p "$DIR/postgres"
PG_PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
echo "$PG_PASSWORD" >"$DIR/postgres/password"
if [ ${#AS_POSTGRES[@]} -gt 0 ]; then chown -R postgres "$DIR/postgres"; fi
# UTF8 whatever the locale here: under LANG=C initdb would pick SQL_ASCII, whose text the app cannot read.
"${AS_POSTGRES[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U nnviz --auth=scram-sha-256 --encoding=UTF8 --locale=C \
    --pwfile="$DIR/postgres/password" --no-sync >"$DIR/initdb.log" 2>&1 \
    || die "initdb failed; its log: $DIR/initdb.log"
"${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$DIR/postgres/log" -w -t "$START_SECONDS" \
    -o "-p $PG_PORT -k $DIR/postgres -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
    start >/dev/null || die "PostgreSQL did not start; its log: $DIR/postgres/log
$(tail -n 20 "$DIR/postgres/log" 2>/dev/null)"
PGPASSWORD=$PG_PASSWORD "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U nnviz nnviz
DATABASE_URL=postgresql://nnviz:$PG_PASSWORD@127.0.0.1:$PG_PORT/nnviz
# The schema, once, before the API servers start (they would each try at once).
NNVIZ_DATABASE_URL=$DATABASE_URL "$PY" -m app migrate >"$DIR/migrate.log" 2>&1 \
    || die "python -m app migrate failed; its log: $DIR/migrate.log"

wait_http scheduler "http://127.0.0.1:$DASHBOARD_PORT/health"
for ((i = 1; i <= DASK_WORKERS; i++)); do
    mkdir -p "$DIR/worker-$i"
    spawn "worker-$i" "$DASK" worker "$SCHEDULER" --nthreads 1 --name "worker-$i" --host 127.0.0.1 \
        --no-dashboard --dashboard-address 127.0.0.1:0 --local-directory "$DIR/worker-$i"
done

SECRET_KEY=${NNVIZ_SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_hex(32))')}
for ((i = 1; i <= API_SERVERS; i++)); do
    mkdir -p "$DIR/api-$i"
    spawn "api-$i" env NNVIZ_DATABASE_URL="$DATABASE_URL" NNVIZ_DASK_SCHEDULER="$SCHEDULER" \
        NNVIZ_SECRET_KEY="$SECRET_KEY" NNVIZ_DATA_DIR="$DIR/api-$i" \
        "$PY" -m app --host 127.0.0.1 --port "${API_PORTS[i - 1]}"
done

wait_http scheduler "http://127.0.0.1:$DASHBOARD_PORT/json/counts.json" "body['workers'] == $DASK_WORKERS"
for ((i = 1; i <= API_SERVERS; i++)); do wait_http "api-$i" "http://127.0.0.1:${API_PORTS[i - 1]}/api/health"; done

# nginx: the configuration of deploy/nginx/nginx.conf with these addresses, and every file it
# writes inside the folder. It includes deploy/nginx/proxy.conf as it is.
mkdir -p "$DIR/nginx"
{
    echo "pid $DIR/nginx/nginx.pid;"
    echo "worker_processes 1;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "    access_log $DIR/nginx/access.log;"
    for temp in client_body proxy fastcgi uwsgi scgi; do echo "    ${temp}_temp_path $DIR/nginx/$temp;"; done
    echo "    upstream nnviz {"
    grep -E '^\s*(hash|keepalive) ' "$ROOT/deploy/nginx/nginx.conf"
    for port in "${API_PORTS[@]}"; do echo "        server 127.0.0.1:$port;"; done
    echo "    }"
    echo "    server {"
    echo "        listen 127.0.0.1:$NGINX_PORT;"
    echo "        location / { include $ROOT/deploy/nginx/proxy.conf; }"
    echo "    }"
    echo "}"
} >"$DIR/nginx/nginx.conf"
spawn nginx "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" -g "daemon off;"
wait_http nginx "http://127.0.0.1:$NGINX_PORT/api/health"

echo "url        http://127.0.0.1:$NGINX_PORT"
for ((i = 1; i <= API_SERVERS; i++)); do echo "api-$i      http://127.0.0.1:${API_PORTS[i - 1]}"; done
echo "scheduler  $SCHEDULER"
echo "database   $DATABASE_URL"
echo "logs       $DIR"
echo "ready"

# Until Ctrl-C or TERM; a part that stops by itself stops the cluster.
wait -n "${PIDS[@]}" || true
for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[i]}" 2>/dev/null || die "${NAMES[i]} stopped; its log: $DIR/${NAMES[i]}.log"
done
