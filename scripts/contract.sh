#!/usr/bin/env bash
# Checks the committed contract with the tools other teams use on it (issue: "openapi.json that
# every mobile and web team can generate from and trust"). Called by scripts/test.sh after the
# e2e suite, which leaves the real responses it saw in a capture directory.
#
#   scripts/contract.sh [CAPTURE_DIR]
#
# 1. @redocly/cli lint (recommended rules) and spectral lint (spectral:oas): no error, no warning,
#    on openapi.json and openapi.customer.json;
# 2. @hey-api/openapi-ts generates a TypeScript client (fetch + zod) that type-checks with
#    `tsc --strict`; openapi-python-client generates a package that passes `mypy --strict`;
#    openapi-generator generates `kotlin` and `swift6` clients with no warning (compiling them
#    is not possible on these machines);
# 3. with CAPTURE_DIR: every captured response body parses with the TypeScript (zod) and the
#    Python models of its schema.
#
# Tools are installed (pinned: scripts/contract/package.json, requirements.txt) into
# $BAKERY_TOOLS_DIR (default ~/.cache/bakery-tools) only when missing or when the pins change.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
CHECKS="$ROOT/scripts/contract"
CAPTURE_DIR="${1:-}"
TOOLS_DIR="${BAKERY_TOOLS_DIR:-$HOME/.cache/bakery-tools}"
NPM_DIR="$TOOLS_DIR/contract-npm"
VENV="$TOOLS_DIR/contract-venv"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bakery-contract.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log() { printf '==> contract: %s\n' "$*"; }
fail() { printf 'contract: %s\n' "$*" >&2; exit 1; }

install_npm_tools() {
    if [[ -f "$NPM_DIR/package.json" ]] && cmp -s "$CHECKS/package.json" "$NPM_DIR/package.json" \
        && [[ -x "$NPM_DIR/node_modules/.bin/openapi-ts" ]]; then
        return
    fi
    log "installing the npm tools (pinned in scripts/contract/package.json)"
    rm -rf "$NPM_DIR"
    mkdir -p "$NPM_DIR"
    cp "$CHECKS/package.json" "$NPM_DIR/package.json"
    (cd "$NPM_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
}

install_python_tools() {
    if [[ -f "$VENV/requirements.txt" ]] && cmp -s "$CHECKS/requirements.txt" "$VENV/requirements.txt" \
        && [[ -x "$VENV/bin/openapi-python-client" ]]; then
        return
    fi
    log "installing the Python tools (pinned in scripts/contract/requirements.txt)"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$CHECKS/requirements.txt"
    cp "$CHECKS/requirements.txt" "$VENV/requirements.txt"
}

install_npm_tools
install_python_tools
BIN="$NPM_DIR/node_modules/.bin"
export PATH="$VENV/bin:$PATH"

for spec in openapi.json openapi.customer.json; do
    log "redocly lint $spec"
    "$BIN/redocly" lint --config "$CHECKS/redocly.yaml" --format=json "$spec" \
        >"$WORK/redocly.json" 2>"$WORK/redocly.err" || true
    python3 - "$WORK/redocly.json" "$spec" <<'EOF' || { cat "$WORK/redocly.err" >&2; exit 1; }
import json, sys
report = json.load(open(sys.argv[1]))
totals = report["totals"]
for problem in report.get("problems", []):
    where = problem["location"][0]["pointer"] if problem.get("location") else ""
    print(f"  {problem['severity']}: {problem['ruleId']} at {where}: {problem['message']}", file=sys.stderr)
if totals["errors"] or totals["warnings"]:
    sys.exit(f"redocly: {sys.argv[2]}: {totals['errors']} errors, {totals['warnings']} warnings")
EOF
    log "spectral lint $spec"
    "$BIN/spectral" lint --quiet --ruleset "$CHECKS/spectral.yaml" --fail-severity=warn "$spec" \
        || fail "spectral: $spec has errors or warnings (above)"
done

log "TypeScript client (@hey-api/openapi-ts) + tsc --strict"
mkdir -p "$WORK/ts"
cp "$CHECKS/tsconfig.json" "$CHECKS/tsconfig.parse.json" "$CHECKS/parse_responses.ts" "$WORK/ts/"
printf '{"type": "module"}\n' >"$WORK/ts/package.json"
ln -s "$NPM_DIR/node_modules" "$WORK/ts/node_modules"
(cd "$WORK/ts" && "$BIN/openapi-ts" -i "$ROOT/openapi.json" -o client \
    -p @hey-api/client-fetch -p zod >"$WORK/openapi-ts.log" 2>&1) \
    || { cat "$WORK/openapi-ts.log" >&2; fail "openapi-ts could not generate"; }
if grep -qi "warn" "$WORK/openapi-ts.log"; then
    cat "$WORK/openapi-ts.log" >&2
    fail "openapi-ts warned"
fi
(cd "$WORK/ts" && "$BIN/tsc" -p tsconfig.json) || fail "the TypeScript client does not type-check"
(cd "$WORK/ts" && "$BIN/tsc" -p tsconfig.parse.json) || fail "parse_responses.ts does not type-check"

log "Python client (openapi-python-client) + mypy --strict"
(cd "$WORK" && openapi-python-client generate --path "$ROOT/openapi.json" --output-path py \
    >"$WORK/python-client.log" 2>&1) \
    || { cat "$WORK/python-client.log" >&2; fail "openapi-python-client could not generate"; }
if grep -qi "warning" "$WORK/python-client.log"; then
    cat "$WORK/python-client.log" >&2
    fail "openapi-python-client warned"
fi
(cd "$WORK/py" && mypy --strict --no-incremental bakery_api_client) \
    || fail "the Python client does not pass mypy --strict"

for generator in kotlin swift6; do
    log "openapi-generator $generator"
    openapi-generator-cli generate -g "$generator" -i "$ROOT/openapi.json" -o "$WORK/$generator" \
        >"$WORK/$generator.log" 2>&1 \
        || { tail -30 "$WORK/$generator.log" >&2; fail "openapi-generator $generator failed"; }
    if grep -q "WARN" "$WORK/$generator.log"; then
        grep "WARN" "$WORK/$generator.log" | sort | uniq -c >&2
        fail "openapi-generator $generator warned"
    fi
done

if [[ -n "$CAPTURE_DIR" ]]; then
    [[ -n "$(ls -A "$CAPTURE_DIR" 2>/dev/null)" ]] || fail "no captured responses in $CAPTURE_DIR"
    log "parsing $(ls "$CAPTURE_DIR" | wc -l) captured responses with the generated clients"
    node "$WORK/ts/build/parse_responses.js" "$CAPTURE_DIR"
    PYTHONPATH="$WORK/py" python3 "$CHECKS/parse_responses.py" "$CAPTURE_DIR"
fi
log "ok"
