#!/usr/bin/env bash
# The benchmark: one command, one run, every number as a ratio to a yardstick measured in the
# same run (on a 2-core machine the load generator shares the cores, so absolute req/s move
# between runs while ratios hold).
#
#   bash scripts/bench.sh
#
# It installs what it needs when missing (wrk and redis-server from Debian, SecantusDB from
# PyPI into the same cache as scripts/test.sh), builds release binaries outside the clone,
# starts on free loopback ports, each with its own temp data:
#   - bakery-server on the embedded store (demo data, an admin to place orders),
#   - bakery-server on MongoDB (SecantusDB) + Redis (demo data),
#   - the yardstick (examples/yardstick.rs): a bare poem handler answering with the exact
#     bytes of the embedded server's `GET /api/v1/products?limit=20`,
#   - examples/login_pressure.rs, last: its own embedded server, /healthz and the cached
#     listing probed alone and then under 32 concurrent password logins,
# runs each scenario with wrk (after a short warm-up that is not counted), prints a markdown
# table and writes it, with the machine and the targets, to bench/results.md. Everything it
# started is stopped by PID when it exits.
#
# Environment:
#   BENCH_SECONDS      measured seconds per scenario (default 10)
#   BENCH_WARMUP       warm-up seconds per scenario, not counted (default 2)
#   BENCH_SETTLE_MAX   before each scenario, at most this many seconds are spent waiting for
#                      the servers' background work to finish (default 20)
#   BENCH_CONNECTIONS  wrk connections (default 64)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_RESULTS      where the results go (default bench/results.md)
#   BAKERY_TOOLS_DIR   installed tools cache, shared with scripts/test.sh (~/.cache/bakery-tools)
#   CARGO_TARGET_DIR   release build directory (default ~/.cache/bakery-target-release)
#
# Performance claims live in bench/results.md, never in timed test assertions.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO="$PWD"

SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
WARMUP="${BENCH_WARMUP:-2}"
SETTLE_MAX="${BENCH_SETTLE_MAX:-20}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
RESULTS="${BENCH_RESULTS:-bench/results.md}"
TOOLS_DIR="${BAKERY_TOOLS_DIR:-$HOME/.cache/bakery-tools}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bakery-target-release}"
SECANTUS_VERSION="0.7.0b3"
SECANTUS_VENV="$TOOLS_DIR/secantus-venv"

# The page every listing scenario asks for, and what the orders contain.
LISTING="/api/v1/products?limit=20"
ADMIN_PHONE="+33600000042"
ADMIN_PASSWORD="bench-password-42"

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/bakery-bench.XXXXXX")"
SERVICE_PIDS=()

log() { printf '==> %s\n' "$*" >&2; }

cleanup() {
    local status=$?
    local pid
    for pid in "${SERVICE_PIDS[@]+"${SERVICE_PIDS[@]}"}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
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

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# wait_for_url NAME URL PID LOGFILE [TIMEOUT_SECONDS]: until URL answers 2xx.
wait_for_url() {
    local name=$1 url=$2 pid=$3 logfile=$4 timeout=${5:-30}
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if curl -sf -o /dev/null "$url"; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $name exited before answering $url; its log:" >&2
            cat "$logfile" >&2 || true
            return 1
        fi
        sleep 0.1
    done
    echo "error: $name did not answer $url within ${timeout}s; its log:" >&2
    cat "$logfile" >&2 || true
    return 1
}

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

apt_install() {
    log "installing $* (Debian packages)"
    if [[ $(id -u) -eq 0 ]]; then
        apt-get install -y -qq "$@" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }
    else
        sudo apt-get install -y -qq "$@" >/dev/null || { sudo apt-get update -qq && sudo apt-get install -y -qq "$@" >/dev/null; }
    fi
}

install_tools() {
    command -v wrk >/dev/null 2>&1 || apt_install wrk
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    if [[ ! -x "$SECANTUS_VENV/bin/secantusd-py" ]]; then
        log "installing SecantusDB $SECANTUS_VERSION into $SECANTUS_VENV"
        rm -rf "$SECANTUS_VENV"
        mkdir -p "$TOOLS_DIR"
        python3 -m venv "$SECANTUS_VENV"
        "$SECANTUS_VENV/bin/pip" install --quiet --disable-pip-version-check \
            "SecantusDB==$SECANTUS_VERSION"
    fi
}

# The servers see only what this script sets: no store or cache from the caller's
# environment, and no `.env` (they run in the temp dir). Generous sign-in limits: the
# setup signs in, and nothing here measures the limiter.
SERVER_ENV=(env -C "$RUN_DIR" -u MONGODB_URI -u MONGODB_DATABASE -u REDIS_URL -u REDIS_PREFIX
    -u BAKERY_ENV -u JWT_SECRET -u OTP_SECRET -u RUST_LOG -u PORT -u BAKERY_DATA_DIR
    AUTH_RATE_LIMIT=100000/1m OTP_RATE_LIMIT=100000/1m JWT_EXPIRES_IN=1h)

# start_server NAME PORT [VAR=VALUE...]: demo data and an admin, then the server in the
# background. Sets SERVER_PID.
start_server() {
    local name=$1 port=$2
    shift 2
    local data="$RUN_DIR/$name-data" logfile="$RUN_DIR/$name.log"
    mkdir -p "$data"
    local cmd=("${SERVER_ENV[@]}" BAKERY_DATA_DIR="$data" PORT="$port" "$@" "$SERVER")
    "${cmd[@]}" demo-data --unrestricted >"$logfile" 2>&1 || { cat "$logfile" >&2; return 1; }
    "${cmd[@]}" create-admin --name Bench --phone "$ADMIN_PHONE" --password "$ADMIN_PASSWORD" \
        >>"$logfile" 2>&1 || { cat "$logfile" >&2; return 1; }
    log "starting bakery-server ($name) on 127.0.0.1:$port"
    "${cmd[@]}" >>"$logfile" 2>&1 &
    SERVER_PID=$!
    SERVICE_PIDS+=("$SERVER_PID")
    wait_for_url "bakery-server ($name)" "http://127.0.0.1:$port/readyz" "$SERVER_PID" "$logfile"
}

rss_mib() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# --- Scenarios -------------------------------------------------------------------------------

declare -A RPS P50 P99 ERRORS NOTES EXTRA OTHERS BAKERY_CPU
ORDER=()

# run NAME URL LUA [NOTE]: warm-up, then the measured run; the script's BENCH line is kept.
run() {
    local name=$1 url=$2 lua=$3 note=${4:-}
    local out="$RUN_DIR/wrk-$(echo "$name" | tr -c 'a-z0-9' '-').txt"
    log "scenario: $name (${WARMUP}s warm-up, ${SECONDS_PER_RUN}s measured)"
    local cpu_before
    settle
    if ((WARMUP > 0)); then
        BENCH_RUN_ID="w$RANDOM" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" \
            -s "$lua" "$url" >/dev/null
    fi
    cpu_before=$(cpu_sample)
    BENCH_RUN_ID="m$RANDOM" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" \
        --latency -s "$lua" "$url" >"$out"
    local line
    line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; return 1; }
    local requests=0 seconds=1 p50=0 p99=0 errors=0 kv extra=""
    for kv in ${line#BENCH }; do
        case "$kv" in
            requests=*) requests=${kv#*=} ;;
            seconds=*) seconds=${kv#*=} ;;
            p50_us=*) p50=${kv#*=} ;;
            p99_us=*) p99=${kv#*=} ;;
            errors=*) errors=${kv#*=} ;;
            status_errors=*) ;;
            *) extra+="$kv " ;;
        esac
    done
    ORDER+=("$name")
    RPS[$name]=$(awk -v r="$requests" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }')
    P50[$name]=$(awk -v u="$p50" 'BEGIN { printf "%.2f", u / 1000 }')
    P99[$name]=$(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')
    ERRORS[$name]=$errors
    NOTES[$name]=$note${SETTLED:+${note:+; }$SETTLED}
    local cpu_after
    cpu_after=$(cpu_sample)
    OTHERS[$name]=$(others_pct "$cpu_before" "$cpu_after")
    BAKERY_CPU[$name]=$(bakery_pct "$cpu_before" "$cpu_after")
    EXTRA[$name]=${extra% }
    log "  ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, errors $errors ${EXTRA[$name]}"
}

# with_report SCENARIO: the scenario's Lua with bench/report.lua appended.
with_report() {
    cat "bench/$1.lua" bench/report.lua >"$RUN_DIR/$1.lua"
    echo "$RUN_DIR/$1.lua"
}

add_note() { # add_note SCENARIO TEXT: TEXT first in the scenario's notes
    NOTES[$1]="$2${NOTES[$1]:+; ${NOTES[$1]}}"
}

extra_of() { # extra_of SCENARIO KEY
    local kv
    for kv in ${EXTRA[$1]}; do
        [[ "$kv" == "$2="* ]] && { echo "${kv#*=}"; return; }
    done
    echo 0
}

# --- Setup ---------------------------------------------------------------------------------

install_tools

LOAD_BEFORE_BUILD=$(cut -d' ' -f1-3 /proc/loadavg)
log "cargo build --release (target dir $CARGO_TARGET_DIR)"
cargo build --release --quiet -p bakery-server -p examples --bin bakery-server --example yardstick \
    --example login_pressure
SERVER="$CARGO_TARGET_DIR/release/bakery-server"
YARDSTICK="$CARGO_TARGET_DIR/release/examples/yardstick"
LOGIN_PRESSURE="$CARGO_TARGET_DIR/release/examples/login_pressure"

# What else uses the machine (other builds and tests): the CPU time the whole machine spent
# busy, minus what this script, its wrk runs and the servers it started spent, as a share of
# all cores. Also what the two bakery servers spent, to see their background work while
# the yardstick runs. Prints "machine_busy machine_total ours bakery" in clock ticks.
cpu_sample() {
    local pid ours=0 bakery=0 t
    for pid in $$ "${SERVICE_PIDS[@]+"${SERVICE_PIDS[@]}"}"; do
        # utime stime cutime cstime: fields 14-17, after the command name in parentheses.
        t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }')
        ours=$((ours + ${t:-0}))
        if [[ "$pid" == "${EMBEDDED_PID:-}" || "$pid" == "${FLEET_PID:-}" ]]; then
            bakery=$((bakery + ${t:-0}))
        fi
    done
    awk -v ours="$ours" -v bakery="$bakery" '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9
        print busy, busy + $5 + $6, ours, bakery }' /proc/stat
}
bakery_pct() { # bakery_pct "SAMPLE_BEFORE" "SAMPLE_AFTER"
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y); total = y[2] - x[2]
        printf "%.0f", (total > 0 ? 100 * (y[4] - x[4]) / total : 0) }'
}

# settle: waits (up to SETTLE_MAX seconds) until the bakery servers are idle, i.e. their
# background work after the previous scenario (the outbox after orders, ...) is done, so
# that it does not run during the next one. Sets SETTLED to a note, empty when they were.
settle() {
    local start=$SECONDS before after pct
    SETTLED=""
    while :; do
        before=$(cpu_sample)
        sleep 0.5
        after=$(cpu_sample)
        pct=$(bakery_pct "$before" "$after")
        ((pct < 3)) && break
        if ((SECONDS - start >= SETTLE_MAX)); then
            SETTLED="the servers were still busy ($pct % CPU) after ${SETTLE_MAX} s of waiting"
            return
        fi
    done
    if ((SECONDS - start >= 2)); then
        SETTLED="started after ~$((SECONDS - start)) s waiting for the servers' background work"
    fi
}
others_pct() { # others_pct "SAMPLE_BEFORE" "SAMPLE_AFTER"
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y); total = y[2] - x[2]
        others = (y[1] - x[1]) - (y[3] - x[3]); if (others < 0) others = 0
        printf "%.0f", (total > 0 ? 100 * others / total : 0) }'
}
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# Embedded store.
EMBEDDED_PORT=$(free_port)
start_server embedded "$EMBEDDED_PORT"
EMBEDDED_PID=$SERVER_PID
EMBEDDED="http://127.0.0.1:$EMBEDDED_PORT"

# MongoDB (SecantusDB) + Redis, each of its own.
MONGO_PORT=$(free_port)
mkdir -p "$RUN_DIR/mongo"
log "starting SecantusDB on 127.0.0.1:$MONGO_PORT"
"$SECANTUS_VENV/bin/secantusd-py" --host 127.0.0.1 --port "$MONGO_PORT" \
    --storage-path "$RUN_DIR/mongo" >"$RUN_DIR/secantus.log" 2>&1 &
SERVICE_PIDS+=("$!")
wait_for_port SecantusDB "$MONGO_PORT" "$!" "$RUN_DIR/secantus.log"
REDIS_PORT=$(free_port)
log "starting redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$RUN_DIR" >"$RUN_DIR/redis.log" 2>&1 &
SERVICE_PIDS+=("$!")
wait_for_port redis-server "$REDIS_PORT" "$!" "$RUN_DIR/redis.log"
FLEET_PORT=$(free_port)
start_server mongo-redis "$FLEET_PORT" \
    MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/?directConnection=true" \
    MONGODB_DATABASE=bakery_bench REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
FLEET_PID=$SERVER_PID
FLEET="http://127.0.0.1:$FLEET_PORT"

# The yardstick answers with the embedded server's exact listing bytes.
curl -sf -D "$RUN_DIR/listing.headers" -o "$RUN_DIR/listing.json" "$EMBEDDED$LISTING"
LISTING_BYTES=$(wc -c <"$RUN_DIR/listing.json")
YARDSTICK_PORT=$(free_port)
log "starting the yardstick on 127.0.0.1:$YARDSTICK_PORT ($LISTING_BYTES bytes)"
"$YARDSTICK" --port "$YARDSTICK_PORT" --file "$RUN_DIR/listing.json" \
    >"$RUN_DIR/yardstick.log" 2>&1 &
YARDSTICK_PID=$!
SERVICE_PIDS+=("$YARDSTICK_PID")
wait_for_port yardstick "$YARDSTICK_PORT" "$YARDSTICK_PID" "$RUN_DIR/yardstick.log"
cmp -s "$RUN_DIR/listing.json" <(curl -sf "http://127.0.0.1:$YARDSTICK_PORT$LISTING") ||
    { echo "error: the yardstick does not answer the listing's bytes" >&2; exit 1; }

# Orders: the admin signs in once; the cart holds two products without limited stock
# (nor a required option, such as the birthday cake's size).
TOKEN=$(curl -sf -X POST "$EMBEDDED/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"phone\": \"$ADMIN_PHONE\", \"password\": \"$ADMIN_PASSWORD\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])')
read -r PRODUCT_A PRODUCT_B < <(python3 -c '
import json, sys
items = json.load(open(sys.argv[1]))["items"]
ids = [p["id"] for p in items if p.get("stock") is None and p.get("isAvailable")
       and all(g["minChoices"] == 0 for g in p.get("optionGroups", []))]
if len(ids) < 2:
    sys.exit("fewer than two products without limited stock in the listing")
print(ids[0], ids[1])' "$RUN_DIR/listing.json")
export BENCH_TOKEN="$TOKEN"
export BENCH_PRODUCT_PATH="/api/v1/products/$PRODUCT_A"
export BENCH_ORDER_BODY="{\"items\": [{\"product\": \"$PRODUCT_A\", \"quantity\": 2}, {\"product\": \"$PRODUCT_B\", \"quantity\": 1}], \"deliveryAddress\": {\"address\": \"221B Baker Street\", \"city\": \"London\", \"state\": \"London\", \"zipCode\": \"NW1 6XE\"}, \"paymentDetails\": {\"method\": \"cash\"}}"
ORDER_STATUS=$(curl -s -o "$RUN_DIR/order.json" -w '%{http_code}' -X POST "$EMBEDDED/api/v1/orders" \
    -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$BENCH_ORDER_BODY")
[[ "$ORDER_STATUS" == 201 ]] ||
    { echo "error: a test order answered $ORDER_STATUS: $(cat "$RUN_DIR/order.json")" >&2; exit 1; }
# The uncached scenario's premise: an allergen nobody has leaves the same listing.
cmp -s "$RUN_DIR/listing.json" <(curl -sf "$EMBEDDED$LISTING&excludeAllergen=bench-check") ||
    { echo "error: excludeAllergen=<unknown> changes the listing; bench/uncached.lua needs another key" >&2; exit 1; }
if grep -qi '^x-cache:' "$RUN_DIR/listing.headers" ||
    curl -sf -D - -o /dev/null "$EMBEDDED$LISTING" | grep -qi '^x-cache:'; then
    HAS_X_CACHE=1
else
    HAS_X_CACHE=0
fi

# --- Runs ----------------------------------------------------------------------------------

REPORT=bench/report.lua
run "bare poem handler (yardstick)" "http://127.0.0.1:$YARDSTICK_PORT$LISTING" "$REPORT"
add_note "bare poem handler (yardstick)" "same bytes, no middleware; RSS $(rss_mib "$YARDSTICK_PID") MiB"
run "cached listing, embedded" "$EMBEDDED$LISTING" "$REPORT"
EMBEDDED_RSS=$(rss_mib "$EMBEDDED_PID")
add_note "cached listing, embedded" "RSS $EMBEDDED_RSS MiB after the run"
run "cached listing, MongoDB + Redis" "$FLEET$LISTING" "$REPORT"
FLEET_RSS=$(rss_mib "$FLEET_PID")
add_note "cached listing, MongoDB + Redis" "RSS $FLEET_RSS MiB after the run"
run "uncached listing, embedded" "$EMBEDDED" "$(with_report uncached)" \
    "same 20 products, a distinct key per request"
run "mixed 95 % reads / 5 % orders, embedded" "$EMBEDDED" "$(with_report mixed)"
MIXED="mixed 95 % reads / 5 % orders, embedded"
if ((HAS_X_CACHE)); then
    hits=$(extra_of "$MIXED" hits)
    misses=$(extra_of "$MIXED" misses)
    HIT_RATE=$(awk -v h="$hits" -v m="$misses" 'BEGIN { if (h + m > 0) printf "%.1f %%", 100 * h / (h + m); else print "n/a" }')
else
    HIT_RATE="n/a (no X-Cache header)"
fi
add_note "$MIXED" "hit rate $HIT_RATE; $(extra_of "$MIXED" reads) reads, $(extra_of "$MIXED" orders) orders"
run "order placement, embedded" "$EMBEDDED/api/v1/orders" "$(with_report orders)" \
    "POST /api/v1/orders, 2 lines, cash"
# The yardstick once more: if the machine got busier or quieter during the run, the ratios
# above are skewed, and this says by how much.
run "bare poem handler, again at the end" "http://127.0.0.1:$YARDSTICK_PORT$LISTING" "$REPORT" \
    "drift check: the ratios use the first run"

# Password logins against everything else: examples/login_pressure.rs runs its own embedded
# server and measures /healthz and the cached listing alone, then under 32 concurrent
# password logins, in one process (no wrk: the logins need their own loop).
settle
log "scenario: /healthz and cached listing under 32 password logins (${SECONDS_PER_RUN}s per phase)"
LOGIN_TABLE=$("$LOGIN_PRESSURE" --seconds "$SECONDS_PER_RUN" --logins 32)
echo "$LOGIN_TABLE" >&2

# --- Report --------------------------------------------------------------------------------

BARE_RPS=${RPS["bare poem handler (yardstick)"]}
BARE_END_RPS=${RPS["bare poem handler, again at the end"]}
OTHERS_ALL=$(for name in "${ORDER[@]}"; do echo "${OTHERS[$name]}"; done |
    awk '{ sum += $1 } END { printf "%.0f", NR ? sum / NR : 0 }')
DRIFT=$(awk -v a="$BARE_RPS" -v b="$BARE_END_RPS" 'BEGIN { printf "%+.1f", 100 * (b - a) / a }')
pct() { awk -v r="$1" -v b="$BARE_RPS" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * r / b; else print "n/a" }'; }
yes_no() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }

table() {
    echo "| scenario | req/s | % of bare | p50 ms | p99 ms | errors | notes |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    local name
    for name in "${ORDER[@]}"; do
        local note=${NOTES[$name]} others=${OTHERS[$name]}
        if ((others >= 5)); then
            note+="${note:+; }other processes used $others % of the CPU"
        fi
        if [[ "$name" == bare* ]] && ((${BAKERY_CPU[$name]} >= 5)); then
            note+="; the idle bakery servers used ${BAKERY_CPU[$name]} % of the CPU meanwhile"
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "${RPS[$name]}" \
            "$(pct "${RPS[$name]}")" "${P50[$name]}" "${P99[$name]}" "${ERRORS[$name]}" "$note"
    done
}

target_row() { # target_row TARGET MEASURED CONDITION
    printf '| %s | %s | %s |\n' "$1" "$2" "$(yes_no "$3")"
}

targets() {
    local c="cached listing, embedded" f="cached listing, MongoDB + Redis"
    local u="uncached listing, embedded" o="order placement, embedded"
    local share_c share_f share_u
    share_c=$(awk -v r="${RPS[$c]}" -v b="$BARE_RPS" 'BEGIN { printf "%.1f", 100 * r / b }')
    share_f=$(awk -v r="${RPS[$f]}" -v b="$BARE_RPS" 'BEGIN { printf "%.1f", 100 * r / b }')
    share_u=$(awk -v r="${RPS[$u]}" -v b="$BARE_RPS" 'BEGIN { printf "%.1f", 100 * r / b }')
    echo "| target | measured | |"
    echo "|---|---|---|"
    target_row "cached listing, embedded: ≥ 80 % of bare req/s" "$share_c %" "$share_c >= 80"
    target_row "cached listing, embedded: p99 < 3 ms" "${P99[$c]} ms" "${P99[$c]} < 3"
    target_row "cached listing, embedded: RSS < 30 MiB" "$EMBEDDED_RSS MiB" "$EMBEDDED_RSS < 30"
    target_row "cached listing, MongoDB + Redis: ≥ 80 % of bare req/s" "$share_f %" "$share_f >= 80"
    target_row "cached listing, MongoDB + Redis: p99 < 3 ms" "${P99[$f]} ms" "${P99[$f]} < 3"
    target_row "cached listing, MongoDB + Redis: RSS < 30 MiB" "$FLEET_RSS MiB" "$FLEET_RSS < 30"
    target_row "uncached listing, embedded: ≥ 13 % of bare (2 × 6.5 % before)" "$share_u %" "$share_u >= 13"
    target_row "order placement, embedded: ≥ 2,500/s (1,310/s before)" "${RPS[$o]}/s" "${RPS[$o]} >= 2500"
    target_row "order placement, embedded: p99 < 50 ms (83 ms before)" "${P99[$o]} ms" "${P99[$o]} < 50"
    target_row "order placement, embedded: 0 errors" "${ERRORS[$o]}" "${ERRORS[$o]} == 0"
}

COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    COMMIT="$COMMIT + uncommitted changes"
fi
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "# Benchmark results"
    echo
    echo "Written by \`bash scripts/bench.sh\` (one run; do not edit by hand). Absolute req/s on a"
    echo "small machine move ±10-30 % between runs because wrk shares the cores with the server;"
    echo "the ratios to the bare poem handler, measured in the same run, are what to compare."
    echo
    echo "## Machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- commit: $COMMIT"
    echo "- CPU: $CPU, $(nproc) cores (nproc)"
    echo "- memory: $MEM"
    echo "- kernel: $(uname -sr)"
    echo "- $(rustc --version 2>/dev/null || echo 'rustc unknown'), release profile; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- load: wrk -t $THREADS -c $CONNECTIONS, ${WARMUP} s warm-up then ${SECONDS_PER_RUN} s per scenario, client and servers on the same machine"
    echo "- machine load average (1/5/15 min): $LOAD_BEFORE_BUILD before the build, $LOAD_AT_START before the runs, $LOAD_AFTER after"
    echo "- processes other than this benchmark used $OTHERS_ALL % of the CPU (both cores) during the measured runs"
    echo "- the bare handler's req/s moved $DRIFT % between the start and the end of the run"
    if ((OTHERS_ALL >= 5)); then
        echo "- **the machine was not quiet during this run** (other builds or tests): absolute"
        echo "  numbers, tail latencies and even ratios are skewed; rerun on a quiet machine to compare."
    fi
    if awk -v d="$DRIFT" 'BEGIN { exit !(d > 15 || d < -15) }'; then
        echo "- **the yardstick moved by more than 15 % within the run**: the ratios of the later"
        echo "  scenarios are skewed by as much (its notes say what else ran meanwhile)."
    fi
    echo "- MongoDB: SecantusDB $SECANTUS_VERSION (Python server, a test stand-in, not mongod); Redis: $(redis-server --version | awk '{ print $3 }' | tr -d 'v=')"
    echo
    echo "## Results"
    echo
    table
    echo
    echo "## Targets"
    echo
    targets
    echo
    echo "## Password logins and everything else"
    echo
    echo "\`cargo run --release -p examples --example login_pressure -- --seconds $SECONDS_PER_RUN --logins 32\`:"
    echo "the embedded server on its own runtime, 2 probe loops each on \`/healthz\` and on the"
    echo "cached \`GET $LISTING\`, first alone, then while 32 clients log in with a password in a"
    echo "loop (a client answered 503 BUSY waits its Retry-After). The ratio is p99 with logins"
    echo "over p99 alone, measured in the same run."
    echo
    echo "$LOGIN_TABLE"
    echo
    echo "## Scenarios"
    echo
    echo "- **bare poem handler**: \`examples/yardstick.rs\`, answering every GET with the embedded"
    echo "  server's exact \`GET $LISTING\` bytes ($LISTING_BYTES bytes) and the same content type,"
    echo "  ETag shape, Cache-Control and X-Cache."
    echo "- **cached listing**: \`GET $LISTING\`, the same request every time (served from the"
    echo "  catalog cache after the warm-up). Embedded: SQLite in a temp dir, in-process cache."
    echo "  MongoDB + Redis: the shared Redis cache with its local layer. RSS is the server's"
    echo "  VmRSS right after its cached run."
    echo "- **uncached listing**: the same page with \`excludeAllergen=<unique token>\` on every"
    echo "  request (\`bench/uncached.lua\`): no product has it, so the answer lists the same"
    echo "  products, and every request is a new key, a miss that runs the query."
    echo "- **mixed**: \`bench/mixed.lua\`; every 20th request of each wrk thread places an"
    echo "  order, the others cycle through five catalog reads and one product page. Orders change"
    echo "  the counters of the products they sell, so listings showing them go out of date."
    echo "  The hit rate comes from an \`X-Cache\` response header when the server sends one."
    echo "- **order placement**: \`bench/orders.lua\`, \`POST /api/v1/orders\` as a signed-in"
    echo "  admin: two products without limited stock, a delivery address, cash."
    echo "- errors: responses with status ≥ 400 plus socket errors (connect, read, write, timeout)."
    echo "- before each scenario the script waits (up to ${SETTLE_MAX} s) until the bakery servers"
    echo "  are idle, so that background work left by the previous one (the outbox after orders)"
    echo "  does not run during it; a note says when that took a while."
} >"$RUN_DIR/results.md"

mkdir -p "$(dirname "$RESULTS")"
cp "$RUN_DIR/results.md" "$RESULTS"
echo
table
echo
targets
echo
log "written to $RESULTS"
