# shellcheck shell=bash
# Test servers: installs (once, into a cache dir) and starts wire-compatible stand-ins for
# MongoDB, Elasticsearch, OpenSearch, Kafka and Stripe on free 127.0.0.1 ports, exports
# COMMERCE_TEST_<NAME>_URL for each, and stops them all (by PID) when the shell exits.
#
#   source scripts/test-servers.sh              # in a bash script (set -euo pipefail is fine)
#   bash scripts/test-servers.sh -- CMD ARGS... # CMD runs with the servers up; CMD's status
#   bash scripts/test-servers.sh                # servers up until Ctrl-C; prints the exports
#
# Settings: COMMERCE_TEST_SERVERS_DIR (venv cache, default ~/.cache/commerce-test-servers),
# COMMERCE_TEST_SERVERS_TIMEOUT (seconds a server may take to answer, default 60),
# COMMERCE_TEST_MONGO_PYTHON (a Python >= 3.13 for mongoeco; default pyenv's 3.13.0),
# COMMERCE_TEST_SERVERS_KEEP_LOGS=1 (keep the log dir after a successful run).
# A COMMERCE_TEST_<NAME>_URL already set is kept, and that server is not started.
# Sourcing sets an EXIT trap (an EXIT trap set before is chained and still runs).

_CTS_MONGO_PINS=(mongoeco==4.11.0 pymongo==4.20.1)
_CTS_TOOLS_PINS=(noida-db==0.2.3 osmem-server==0.1.6 localstripe==1.15.10)

# Each server is exec'd through this: PR_SET_PDEATHSIG makes the kernel send it SIGTERM when
# the shell that started it dies, so nothing is left even if the shell is SIGKILLed and its
# EXIT trap never runs. The setting survives exec; argv[1] is the PID the parent must have.
_CTS_PDEATHSIG_EXEC='import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    sys.exit("test-servers: the starting shell is already gone")
os.execvp(sys.argv[2], sys.argv[2:])'

# mongoeco has no command line: serve its proxy until SIGTERM/SIGINT.
_CTS_MONGO_MAIN='import asyncio, signal, sys
from mongoeco.wire import AsyncMongoEcoProxyServer

async def main(host: str, port: int) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with AsyncMongoEcoProxyServer(host=host, port=port) as server:
        print("mongoeco serving", server.address.uri, flush=True)
        await stop.wait()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))'

# localstripe's own entry point binds "::" (every interface) and pickles its whole store to
# /tmp/localstripe.pickle on every write (and reloads it at start unless --from-scratch):
# serve its aiohttp app on the given host instead, with the disk dump switched off.
_CTS_STRIPE_MAIN='import sys
from aiohttp import web
from localstripe import resources, server

resources.Store.dump_to_disk = lambda self: None
web.run_app(server.app, host=sys.argv[1], port=int(sys.argv[2]), print=None)'

# Polls every "name kind port pid" spec until it answers (stdlib only); prints the names that
# did not, or whose process died. kind: http:PATH (200 wanted), mongo (OP_MSG ping), kafka
# (an ApiVersions round trip).
_CTS_WAIT='import socket, struct, sys, time, urllib.request

def recv(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data

def mongo(port):
    def doc(*els):
        body = b"".join(els) + b"\0"
        return struct.pack("<i", len(body) + 4) + body
    ping = doc(b"\x10ping\0" + struct.pack("<i", 1),
               b"\x02$db\0" + struct.pack("<i", 6) + b"admin\0")
    body = struct.pack("<I", 0) + b"\0" + ping
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(struct.pack("<iiii", 16 + len(body), 1, 0, 2013) + body)
        length, _, _, opcode = struct.unpack("<iiii", recv(s, 16))
        reply = recv(s, length - 16)
    return opcode == 2013 and (b"\x01ok\0" + struct.pack("<d", 1.0) in reply
                               or b"\x10ok\0" + struct.pack("<i", 1) in reply)

def kafka(port):
    body = struct.pack(">hhih", 18, 0, 7, 5) + b"probe"  # ApiVersions v0, correlation 7
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        (length,) = struct.unpack(">i", recv(s, 4))
        (correlation,) = struct.unpack(">i", recv(s, length)[:4])
    return correlation == 7

def http(port, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": "Bearer sk_test_probe"})
    with urllib.request.urlopen(req, timeout=2) as resp:
        return resp.status == 200

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False

deadline = time.monotonic() + float(sys.argv[1])
pending = [spec.split() for spec in sys.argv[2:]]
failed = []
while pending:
    for spec in list(pending):
        name, kind, port, pid = spec
        try:
            if kind.startswith("http:"):
                ok = http(int(port), kind[5:])
            else:
                ok = {"mongo": mongo, "kafka": kafka}[kind](int(port))
        except Exception:
            ok = False
        if ok or not alive(int(pid)):
            pending.remove(spec)
            if not ok:
                failed.append(name)
    if pending and time.monotonic() > deadline:
        failed += [spec[0] for spec in pending]
        break
    if pending:
        time.sleep(0.1)
print(*failed)'

_cts_say() { printf 'test-servers: %s\n' "$*" >&2; }

_cts_tail() {
    if [[ -s $1 ]]; then tail -n 30 "$1" | sed 's/^/    /' >&2; else echo "    (empty)" >&2; fi
}

# The Python that mongoeco needs (>= 3.13): pyenv's 3.13.0 unless COMMERCE_TEST_MONGO_PYTHON.
_cts_mongo_python() {
    local py=${COMMERCE_TEST_MONGO_PYTHON:-} root=${PYENV_ROOT:-${HOME:-}/.pyenv}
    if [[ -z $py ]]; then
        if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root) || return 1; fi
        py=$root/versions/3.13.0/bin/python3.13
    fi
    if [[ ! -x $py ]] || ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
        _cts_say "ERROR: mongoeco (the MongoDB stand-in) needs Python >= 3.13, and $py" \
            "is not one: run 'pyenv install 3.13.0' or set COMMERCE_TEST_MONGO_PYTHON"
        return 1
    fi
    printf '%s\n' "$py"
}

# True when VENV's Python runs and has exactly the pinned versions.
_cts_venv_ok() {
    local venv=$1
    shift
    [[ -x $venv/bin/python ]] && "$venv/bin/python" - "$@" 2>/dev/null <<'EOF'
import importlib.metadata as md, sys
sys.exit(any(md.version(n) != v for n, _, v in (p.partition("==") for p in sys.argv[1:])))
EOF
}

# Makes VENV with PYTHON and pip-installs the pins, under a lock (two runs may share the cache).
_cts_install() {
    local venv=$1 py=$2
    shift 2
    (
        flock 9
        _cts_venv_ok "$venv" "$@" && exit 0
        if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c ''; then
            "$py" -m venv --clear "$venv" || exit 1
        fi
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@"
    ) 9>"$venv.lock"
}

# Starts NAME's command in the background through the PDEATHSIG exec, logging to NAME.log.
_cts_spawn() {
    local name=$1 parent=$BASHPID  # here: in "cmd &", cmd's words expand after the fork
    shift
    "$_CTS_TOOLS_PY" -c "$_CTS_PDEATHSIG_EXEC" "$parent" "$@" \
        >"$_CTS_RUN_DIR/logs/$name.log" 2>&1 </dev/null &
    _CTS_PIDS+=("$!")
}

# TERM every server, wait up to 5 s, KILL what is left, reap them and drop the data dirs.
_cts_kill_all() {
    local pid i alive
    for pid in "${_CTS_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 50; i++)); do
        alive=0
        for pid in "${_CTS_PIDS[@]}"; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${_CTS_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true  # reap, and keep bash from reporting "Terminated"
    done
    _CTS_PIDS=()
    rm -rf "$_CTS_RUN_DIR/data"
}

# The EXIT trap: stop the servers, drop the run dir (but keep its logs when the exit status
# is non-zero), then run the EXIT trap it replaced. The exit status is kept.
_cts_stop() {
    local status=$?
    set +e  # the shell is exiting: a failing step here must not skip the rest
    if [[ -n ${_CTS_RUN_DIR:-} ]]; then
        _cts_kill_all
        if [[ $status -eq 0 && -z ${COMMERCE_TEST_SERVERS_KEEP_LOGS:-} ]]; then
            rm -rf "$_CTS_RUN_DIR"
        else
            _cts_say "stopped; logs kept in $_CTS_RUN_DIR/logs"
        fi
        _CTS_RUN_DIR=
    fi
    if [[ -n ${_CTS_PREV_TRAP:-} ]]; then
        (exit "$status")  # the chained trap sees the same $?
        eval "$_CTS_PREV_TRAP" || true
    fi
    return "$status"
}

# Installs what is missing, starts every server not already given by its URL variable,
# waits until each answers and exports the URLs. Non-zero (after saying why) on failure.
_cts_up() {
    if [[ -n ${_CTS_RUN_DIR:-} && -d $_CTS_RUN_DIR ]]; then
        _cts_say "already running in this shell (logs: $_CTS_RUN_DIR/logs)"
        return 0
    fi
    local started=${EPOCHREALTIME/./} cache=${COMMERCE_TEST_SERVERS_DIR:-${HOME:-/tmp}/.cache/commerce-test-servers}
    local timeout=${COMMERCE_TEST_SERVERS_TIMEOUT:-60} want=() name
    for name in mongo elasticsearch opensearch kafka stripe; do
        local var="COMMERCE_TEST_${name^^}_URL"
        if [[ -n ${!var:-} ]]; then
            _cts_say "$name: $var is set, using ${!var}"
        else
            want+=("$name")
        fi
    done
    export COMMERCE_TEST_REDIS_URL="${COMMERCE_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
    export COMMERCE_TEST_POSTGRES_URL="${COMMERCE_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
    ((${#want[@]})) || return 0
    local mongo_py=""
    if [[ " ${want[*]} " == *" mongo "* ]]; then mongo_py=$(_cts_mongo_python) || return 1; fi

    mkdir -p "$cache" || return 1
    _CTS_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/commerce-test-servers.XXXXXX") || return 1
    mkdir -p "$_CTS_RUN_DIR/logs" "$_CTS_RUN_DIR/data" || return 1
    _CTS_PIDS=()
    local prev
    prev=$(trap -p EXIT)  # "trap -- 'CMD' EXIT", CMD quoted for eval
    prev=${prev#"trap -- "}
    eval "prev=${prev%" EXIT"}"
    if [[ $prev != _cts_stop ]]; then _CTS_PREV_TRAP=$prev; fi  # not twice (sourced again)
    trap _cts_stop EXIT

    # Two venvs: mongoeco needs Python >= 3.13; noida-db, osmem-server and localstripe get
    # along in one venv of the python3 on PATH. Both installs run at once when needed.
    local mongo_venv=$cache/mongoeco tools_venv=$cache/tools jobs=() job log
    if [[ -n $mongo_py ]]; then
        if ! _cts_venv_ok "$mongo_venv" "${_CTS_MONGO_PINS[@]}"; then
            # pymongo must be in the server's venv too: without it mongoeco's wire proxy
            # closes every connection silently.
            _cts_say "installing ${_CTS_MONGO_PINS[*]} into $mongo_venv"
            _cts_install "$mongo_venv" "$mongo_py" "${_CTS_MONGO_PINS[@]}" \
                >"$_CTS_RUN_DIR/logs/install-mongoeco.log" 2>&1 &
            jobs+=("$!:install-mongoeco")
        fi
    fi
    if ! _cts_venv_ok "$tools_venv" "${_CTS_TOOLS_PINS[@]}"; then
        _cts_say "installing ${_CTS_TOOLS_PINS[*]} into $tools_venv"
        _cts_install "$tools_venv" python3 "${_CTS_TOOLS_PINS[@]}" \
            >"$_CTS_RUN_DIR/logs/install-tools.log" 2>&1 &
        jobs+=("$!:install-tools")
    fi
    for job in "${jobs[@]}"; do
        log=$_CTS_RUN_DIR/logs/${job#*:}.log
        if ! wait "${job%%:*}"; then
            _cts_say "ERROR: ${job#*:} failed; the end of $log:"
            _cts_tail "$log"
            return 1
        fi
    done
    _CTS_TOOLS_PY=$tools_venv/bin/python
    local site
    site=$("$_CTS_TOOLS_PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') \
        || return 1

    # Free ports: bind all at once (so they differ), then let go. A race with another process
    # grabbing one before the server binds it is possible but rare.
    local ports
    ports=($("$_CTS_TOOLS_PY" -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "${#want[@]}")) || return 1

    local specs=() port i=0 data=$_CTS_RUN_DIR/data
    local -A urls=()
    for name in "${want[@]}"; do
        port=${ports[i]}
        i=$((i + 1))
        case $name in
            mongo)
                _cts_spawn mongo "$mongo_venv/bin/python" -c "$_CTS_MONGO_MAIN" 127.0.0.1 "$port"
                specs+=("mongo mongo $port $!")
                urls[mongo]=mongodb://127.0.0.1:$port/ ;;
            elasticsearch | kafka)
                # The noida-db console script is a Python wrapper that runs the binary with
                # subprocess.call, so killing its PID would orphan the server: run the binary.
                # It prints a harmless "weak version GLIBC_2.39 not found" warning. Each start
                # gets a fresh data dir (noida keeps its state there; Kafka must start clean).
                chmod +x "$site/noida_db/noida-db" || return 1
                mkdir -p "$data/$name" || return 1
                _cts_spawn "$name" "$site/noida_db/noida-db" start --data-dir "$data/$name" \
                    --host 127.0.0.1 --only "$name" "--$name-port" "$port"
                if [[ $name == kafka ]]; then
                    specs+=("kafka kafka $port $!")
                    urls[kafka]=kafka://127.0.0.1:$port
                else
                    specs+=("elasticsearch http:/ $port $!")
                    urls[elasticsearch]=http://127.0.0.1:$port
                fi ;;
            opensearch)
                # stdin is /dev/null and osmem-server exits when stdin closes (its own
                # launcher's way of stopping it) unless -no-stdin-watch.
                _cts_spawn opensearch "$site/osmem_server/bin/osmem-server" \
                    -addr "127.0.0.1:$port" -no-stdin-watch
                specs+=("opensearch http:/ $port $!")
                urls[opensearch]=http://127.0.0.1:$port ;;
            stripe)
                _cts_spawn stripe "$_CTS_TOOLS_PY" -c "$_CTS_STRIPE_MAIN" 127.0.0.1 "$port"
                specs+=("stripe http:/v1/customers $port $!")
                urls[stripe]=http://127.0.0.1:$port ;;
        esac
    done

    local failed
    failed=$("$_CTS_TOOLS_PY" -c "$_CTS_WAIT" "$timeout" "${specs[@]}") || return 1
    if [[ -n $failed ]]; then
        for name in $failed; do
            _cts_say "ERROR: $name did not answer within ${timeout} s (or exited);" \
                "the end of $_CTS_RUN_DIR/logs/$name.log:"
            _cts_tail "$_CTS_RUN_DIR/logs/$name.log"
        done
        return 1
    fi
    for name in "${want[@]}"; do
        local var="COMMERCE_TEST_${name^^}_URL"
        export "$var=${urls[$name]}"
        _cts_say "$name: $var=${urls[$name]}"
    done
    local took=$(((${EPOCHREALTIME/./} - started) / 100000))  # tenths of a second
    _cts_say "up in $((took / 10)).$((took % 10)) s; logs in $_CTS_RUN_DIR/logs"
}

# On failure, stop at once what did start (an interactive shell may live on), keep the logs.
_cts_up_or_stop() {
    _cts_up && return 0
    if [[ -n ${_CTS_RUN_DIR:-} ]]; then
        _cts_kill_all
        _cts_say "logs kept in $_CTS_RUN_DIR/logs"
        _CTS_RUN_DIR=
    fi
    return 1
}

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
    _cts_up_or_stop || return 1
else
    set -uo pipefail
    if [[ $# -gt 0 && $1 != -- ]] || [[ $# -eq 1 ]]; then
        echo "usage: bash $0 [-- CMD ARGS...]   (or: source $0)" >&2
        exit 2
    fi
    _cts_up_or_stop || exit 1
    if [[ $# -eq 0 ]]; then
        env | grep '^COMMERCE_TEST_.*_URL=' | sed 's/^/export /'
        _cts_say "running until Ctrl-C"
        while :; do sleep 3600; done
    fi
    shift
    _cts_status=0
    "$@" || _cts_status=$?
    exit "$_cts_status"
fi
