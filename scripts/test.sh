#!/usr/bin/env bash
# The project's ONE test command (CI runs it through .ci/run).
#
# It installs the test services this suite needs (only when missing, into a cache dir that
# survives runs), starts each on a free port on 127.0.0.1 with its own temp data dir, exports
# their URLs, then runs fmt, clippy and the whole test suite. Every server it starts is stopped
# by PID when the script exits.
#
# Environment:
#   BAKERY_TOOLS_DIR   where installed test tools are cached (default ~/.cache/bakery-tools)
#   CARGO_TARGET_DIR   passed through to cargo if set (.ci/run sets it); not set otherwise
#   BAKERY_SKIP_LINT=1 skip `cargo fmt --check` and `cargo clippy` for a quick local run.
#                      CI never sets it.
#
# Extra arguments are passed to `cargo test`, e.g. `scripts/test.sh -p bakery-core`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TOOLS_DIR="${BAKERY_TOOLS_DIR:-$HOME/.cache/bakery-tools}"
SECANTUS_VERSION="0.7.0b3"
SECANTUS_VENV="$TOOLS_DIR/secantus-venv"

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/bakery-test.XXXXXX")"
SERVICE_PIDS=()

log() { printf '==> %s\n' "$*"; }

cleanup() {
    local status=$?
    local pid
    for pid in "${SERVICE_PIDS[@]+"${SERVICE_PIDS[@]}"}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            # Give it a moment to shut down cleanly, then force it.
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$RUN_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Print a TCP port on 127.0.0.1 that is free right now.
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# wait_for_port NAME PORT PID LOGFILE [TIMEOUT_SECONDS]
# Waits until 127.0.0.1:PORT accepts connections. On timeout, or if PID dies first, prints the
# service log and fails.
wait_for_port() {
    local name=$1 port=$2 pid=$3 logfile=$4 timeout=${5:-15}
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $name exited before opening port $port; its log:" >&2
            cat "$logfile" >&2 || true
            return 1
        fi
        sleep 0.1
    done
    echo "error: $name did not open port $port within ${timeout}s; its log:" >&2
    cat "$logfile" >&2 || true
    return 1
}

# MongoDB-wire-compatible test server (SecantusDB; GPL-2.0 test tooling, run as a separate
# process only). Exports BAKERY_TEST_MONGODB_URI; each test uses its own database name.
install_secantus() {
    if [[ -x "$SECANTUS_VENV/bin/secantusd-py" ]]; then
        return 0
    fi
    log "installing SecantusDB $SECANTUS_VERSION into $SECANTUS_VENV"
    rm -rf "$SECANTUS_VENV"
    mkdir -p "$TOOLS_DIR"
    python3 -m venv "$SECANTUS_VENV"
    "$SECANTUS_VENV/bin/pip" install --quiet --disable-pip-version-check \
        "SecantusDB==$SECANTUS_VERSION"
    if [[ ! -x "$SECANTUS_VENV/bin/secantusd-py" ]]; then
        echo "error: SecantusDB installed but $SECANTUS_VENV/bin/secantusd-py is missing" >&2
        rm -rf "$SECANTUS_VENV"
        return 1
    fi
}

start_mongo() {
    install_secantus
    local port logfile pid
    port=$(free_port)
    logfile="$RUN_DIR/mongo.log"
    mkdir -p "$RUN_DIR/mongo"
    log "starting SecantusDB on 127.0.0.1:$port"
    "$SECANTUS_VENV/bin/secantusd-py" --host 127.0.0.1 --port "$port" \
        --storage-path "$RUN_DIR/mongo" >"$logfile" 2>&1 &
    pid=$!
    SERVICE_PIDS+=("$pid")
    wait_for_port SecantusDB "$port" "$pid" "$logfile"
    # SecantusDB presents itself as a one-node replica set; talk to it directly.
    export BAKERY_TEST_MONGODB_URI="mongodb://127.0.0.1:$port/?directConnection=true"
    log "BAKERY_TEST_MONGODB_URI=$BAKERY_TEST_MONGODB_URI"
}

# Redis: Debian's redis-server, installed when missing. The suite gets one shared server
# (BAKERY_TEST_REDIS_URL; each test uses its own key prefix) and the binary itself
# (BAKERY_REDIS_SERVER), so that a test can start, stop and restart a server of its own.
install_redis() {
    if command -v redis-server >/dev/null 2>&1; then
        return 0
    fi
    log "installing redis-server (Debian package)"
    if [[ $(id -u) -eq 0 ]]; then
        apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq redis-server >/dev/null
    fi
}

start_redis() {
    install_redis
    local port logfile pid
    port=$(free_port)
    logfile="$RUN_DIR/redis.log"
    log "starting redis-server on 127.0.0.1:$port"
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
        --dir "$RUN_DIR" >"$logfile" 2>&1 &
    pid=$!
    SERVICE_PIDS+=("$pid")
    wait_for_port redis-server "$port" "$pid" "$logfile"
    export BAKERY_TEST_REDIS_URL="redis://127.0.0.1:$port"
    BAKERY_REDIS_SERVER="$(command -v redis-server)"
    export BAKERY_REDIS_SERVER
    log "BAKERY_TEST_REDIS_URL=$BAKERY_TEST_REDIS_URL"
}

# S3-compatible test server (s3s-fs, which verifies SigV4 signatures, so presigned upload
# URLs are checked for real), built once into the tools dir. Exports BAKERY_TEST_S3_URL and
# its keys; each test creates a bucket of its own.
S3S_VERSION="0.14.1"
S3S_ROOT="$TOOLS_DIR/s3s-fs"
install_s3s() {
    if [[ -x "$S3S_ROOT/bin/s3s-fs" ]]; then
        return 0
    fi
    log "installing s3s-fs $S3S_VERSION into $S3S_ROOT (a few minutes, once)"
    mkdir -p "$TOOLS_DIR"
    cargo install s3s-fs --version "$S3S_VERSION" --features binary --locked \
        --root "$S3S_ROOT" --quiet
}

start_s3() {
    install_s3s
    local port logfile pid
    port=$(free_port)
    logfile="$RUN_DIR/s3.log"
    mkdir -p "$RUN_DIR/s3"
    export BAKERY_TEST_S3_ACCESS_KEY="bakery-test"
    export BAKERY_TEST_S3_SECRET_KEY="bakery-test-secret-$RANDOM$RANDOM"
    log "starting s3s-fs on 127.0.0.1:$port"
    "$S3S_ROOT/bin/s3s-fs" --host 127.0.0.1 --port "$port" \
        --access-key "$BAKERY_TEST_S3_ACCESS_KEY" --secret-key "$BAKERY_TEST_S3_SECRET_KEY" \
        "$RUN_DIR/s3" >"$logfile" 2>&1 &
    pid=$!
    SERVICE_PIDS+=("$pid")
    wait_for_port s3s-fs "$port" "$pid" "$logfile"
    export BAKERY_TEST_S3_URL="http://127.0.0.1:$port"
    log "BAKERY_TEST_S3_URL=$BAKERY_TEST_S3_URL"
}

log "starting test services"
start_mongo
start_redis
start_s3

if [[ "${BAKERY_SKIP_LINT:-}" == "1" ]]; then
    log "BAKERY_SKIP_LINT=1: skipping cargo fmt and cargo clippy (CI never does this)"
else
    log "cargo fmt --all -- --check"
    cargo fmt --all -- --check

    log "cargo clippy --workspace --all-targets --all-features -- -D warnings"
    cargo clippy --workspace --all-targets --all-features -- -D warnings
fi

# The fleet test runs bakery-server as separate processes: build the binary it starts.
log "cargo build -p bakery-server --bin bakery-server"
cargo build --quiet -p bakery-server --bin bakery-server --all-features
export BAKERY_SERVER_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/bakery-server"

# The e2e suite keeps one real response body per schema and shape for scripts/contract.sh.
export BAKERY_CAPTURE_DIR="$RUN_DIR/captured"
log "cargo test --workspace --all-features $*"
cargo test --workspace --all-features "$@"

log "examples"
cargo run --quiet -p examples --example embedded_shop

# With extra arguments (a partial run) the e2e suite may not have run: lint and generate
# only. The full run (CI) parses the captured responses too.
log "the contract as other teams use it (scripts/contract.sh)"
if [[ $# -eq 0 ]]; then
    bash scripts/contract.sh "$BAKERY_CAPTURE_DIR"
else
    bash scripts/contract.sh
fi

log "schemathesis against the embedded server"
bash scripts/schemathesis.sh

log "all checks passed"
