#!/usr/bin/env bash
# `npm run demo`: on a fresh clone, installs what is needed, packages Snag, starts the stuck batch
# worker from examples/stuck-worker and opens a real VS Code on that folder with Snag installed:
# code-server on 127.0.0.1 (open the printed URL), or desktop VS Code when `code` is on PATH and
# a display is available. Ctrl-C stops everything it started.
#   SNAG_DEMO_PORT     code-server port (default 8080)
#   SNAG_DEMO_EDITOR   auto | code-server | code (default auto)
#   SNAG_DEMO_PYTHON   interpreter for the demo program (default python3)
#   SNAG_DEMO_STATE    private editor profile, logs (default .state/demo, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
EXAMPLE="$ROOT/examples/stuck-worker"
STATE="${SNAG_DEMO_STATE:-$ROOT/.state/demo}"
PORT="${SNAG_DEMO_PORT:-8080}"
EDITOR_KIND="${SNAG_DEMO_EDITOR:-auto}"

say() { printf '[demo] %s\n' "$*"; }
die() { printf '[demo] %s\n' "$*" >&2; exit 1; }

if [ "$EDITOR_KIND" = auto ]; then
  EDITOR_KIND=code-server
  if command -v code >/dev/null && { [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" = Darwin ]; }; then EDITOR_KIND=code; fi
fi
case "$EDITOR_KIND" in code | code-server) ;; *) die "SNAG_DEMO_EDITOR must be auto, code-server or code" ;; esac
if [ "$EDITOR_KIND" = code-server ] && (: >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  die "port $PORT on 127.0.0.1 is taken; pick another with SNAG_DEMO_PORT=8090 npm run demo"
fi

# Everything started below is stopped on exit, Ctrl-C included (process groups, by PID).
GROUPS_STARTED=()
stop_all() {
  trap - EXIT INT TERM
  for pgid in "${GROUPS_STARTED[@]}"; do kill -TERM -- "-$pgid" 2>/dev/null || true; done
  sleep 0.5
  for pgid in "${GROUPS_STARTED[@]}"; do kill -KILL -- "-$pgid" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'echo; say "stopping"; exit 0' INT TERM
# Starts "$@" in its own process group (setsid) with output to a log; sets STARTED_PID.
# The groups are also listed in run/pgids, for whoever must clean up after a killed demo.
start_group() {
  local log="$1"; shift
  setsid "$@" >"$log" 2>&1 </dev/null &
  STARTED_PID=$!
  GROUPS_STARTED+=("$STARTED_PID")
  echo "$STARTED_PID" >>"$STATE/run/pgids"
}
# Waits up to $2 seconds for a line matching $3 in log $1 and prints it.
wait_for_line() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    grep -m1 -E "$3" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  die "timed out waiting for '$3' in $1: $(tail -n 5 "$1" 2>/dev/null)"
}

say "installing what the demo needs (idempotent)"
bash scripts/setup.sh core
[ "$EDITOR_KIND" = code ] || bash scripts/setup.sh e2e
say "packaging Snag"
npm run --silent package >/dev/null
VSIX="$ROOT/snag-$(node -p "require('./package.json').version").vsix"
PYSPY="$ROOT/.cache/tools/bin/py-spy"

rm -rf "$STATE/run" && mkdir -p "$STATE/run" "$STATE/user-data/User" "$STATE/user-data/Machine"
# The workspace is opened under this private profile only, so the user's own VS Code stays untouched.
cat >"$STATE/user-data/User/settings.json" <<EOF
{
  "workbench.startupEditor": "none",
  "workbench.colorTheme": "Default Dark Modern",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "git.openRepositoryInParentFolders": "never",
  "remote.autoForwardPorts": false,
  "snag.pyspyPath": "$PYSPY"
}
EOF
# code-server's window is a remote one: there machine-scoped settings such as the py-spy path count
# only from its Machine settings (user ones are dropped at the first settings change).
cat >"$STATE/user-data/Machine/settings.json" <<EOF
{
  "snag.pyspyPath": "$PYSPY"
}
EOF

# The real interpreter (not a pyenv shim), so the PID we print is the Python process itself.
PYTHON=$("${SNAG_DEMO_PYTHON:-python3}" -c 'import sys; print(sys.executable)')
say "starting the demo: a blob store and a batch worker that will hang on granule 4"
start_group "$STATE/run/blob_store.log" "$PYTHON" -u "$EXAMPLE/blob_store.py"
STORE=$(wait_for_line "$STATE/run/blob_store.log" 10 '^listening on ' | sed 's/^listening on //')
cd "$STATE/run"  # the worker writes its catalogue into its working folder
start_group "$STATE/run/worker.log" "$PYTHON" -u "$EXAMPLE/worker.py" --store "$STORE"
WORKER_PID=$STARTED_PID
cd "$ROOT"
wait_for_line "$STATE/run/worker.log" 10 'downloading .*G0004' >/dev/null
say "worker.py (pid $WORKER_PID) is stuck; its log: $STATE/run/worker.log"

DIRS=(--user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions")
if [ "$EDITOR_KIND" = code ]; then
  code "${DIRS[@]}" --install-extension "$VSIX" --force >/dev/null
  code "${DIRS[@]}" --new-window "$EXAMPLE"
  say "VS Code opened $EXAMPLE with Snag installed."
  WAIT_FOR=$WORKER_PID
else
  CS="$ROOT/.cache/code-server/node_modules/.bin/code-server"
  export XDG_CONFIG_HOME="$STATE/xdg-config" XDG_DATA_HOME="$STATE/xdg-data"
  "$CS" "${DIRS[@]}" --install-extension "$VSIX" --force >/dev/null
  start_group "$STATE/run/code-server.log" "$CS" --bind-addr "127.0.0.1:$PORT" --auth none \
    --disable-telemetry --disable-update-check --disable-workspace-trust "${DIRS[@]}" "$EXAMPLE"
  WAIT_FOR=$STARTED_PID
  wait_for_line "$STATE/run/code-server.log" 60 'HTTP server listening' >/dev/null
  say "code-server is ready. Open this URL in your browser:"
  echo
  echo "    http://127.0.0.1:$PORT/?folder=$EXAMPLE"
  echo
  say "(from another machine: ssh -L $PORT:127.0.0.1:$PORT <this host>, then the same URL)"
fi
HANG_LINE=$(grep -n 'urlopen(url)' "$EXAMPLE/worker.py" | cut -d: -f1)
cat <<EOF
[demo] Then, three clicks:
[demo]   1. the Snag icon in the activity bar (left edge)
[demo]   2. the Dump Stacks button on the "worker.py" row (pid $WORKER_PID) in Processes (or right-click it → Dump Stacks)
[demo]   3. click "download_file  worker.py:$HANG_LINE" under MainThread in Stacks: the editor opens the hanging line
[demo] Or in a terminal: SNAG_PYSPY=$PYSPY node dist/cli.js dump $WORKER_PID --root $EXAMPLE
[demo] Ctrl-C stops the demo.
EOF
wait "$WAIT_FOR" || true
say "$([ "$WAIT_FOR" = "$WORKER_PID" ] && echo "the worker" || echo "code-server") exited; stopping the rest"
