#!/usr/bin/env bash
# Records the outputs `snag open` reads, made by the real tools on the stuck fixture programs, into
# test/fixtures/outputs/open-*.txt|json (their README says what each is). Run from anywhere:
#   bash scripts/record-open-outputs.sh
# Needs py-spy (.cache/tools/bin, scripts/setup.sh core), gdb, and the pyenv Pythons named below.
# Every program it starts is killed on exit; gdb detaches from each one it reads.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT="$ROOT/test/fixtures/outputs"
PROGRAMS=test/fixtures/programs
PYENV="${PYENV_ROOT:-$HOME/.pyenv}/versions"
PY311="$PYENV/3.11.7/bin/python3"
PYSPY="$ROOT/.cache/tools/bin/py-spy"
GDB=$(command -v gdb)
# Paths in the outputs are this checkout's: replaced by a neutral one, as in the other recordings.
NEUTRAL=/home/dev/snag

pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

neutral() { sed -e "s#$ROOT#$NEUTRAL#g"; }

# start PYTHON PROGRAM [python options...]: runs it in the background, waits for "ready", sets $pid.
start() {
  local python=$1 program=$2 log
  shift 2
  log=$(mktemp)
  "$python" "$@" -u "$PROGRAMS/$program" >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do grep -q '^ready' "$log" && break; sleep 0.1; done
  grep -q '^ready' "$log" || { echo "$program did not get ready: $(cat "$log")" >&2; exit 1; }
  sleep 0.3
}

# gdb_run PID PYTHON COMMAND...: gdb in batch mode with the interpreter's python-gdb.py loaded.
gdb_run() {
  local p=$1 python=$2
  shift 2
  local real ext
  real=$(readlink -f "$python")
  ext="$real-gdb.py"
  local args=(-nx -q -batch -iex 'set debuginfod enabled off' -iex 'set pagination off' -ex "source $ext" -p "$p")
  for c in "$@"; do args+=(-ex "$c"); done
  timeout 120 "$GDB" "${args[@]}" 2>&1
}

header() { printf '%s\n' "$1"; }

echo "deadlock.py under 3.11.7: py-spy text with locals and native, snag's JSON, gdb"
start "$PY311" deadlock.py
"$PYSPY" dump --pid "$pid" --locals | neutral >"$OUT/open-pyspy-deadlock-locals.txt"
"$PYSPY" dump --pid "$pid" --native | neutral >"$OUT/open-pyspy-deadlock-native.txt"
node --conditions=import --import tsx --import ./scripts/load-text.mjs src/cli/main.ts dump "$pid" --json --root "$PROGRAMS" --pyspy "$PYSPY" |
  neutral >"$OUT/open-snag-deadlock.json"
gdb_run "$pid" "$PY311" 'thread apply all py-bt' | neutral >"$OUT/open-gdb-deadlock-py-bt.txt"
gdb_run "$pid" "$PY311" 'thread apply all bt' | neutral >"$OUT/open-gdb-deadlock-bt.txt"
kill -9 "$pid"

echo "sleeping_thread.py under 3.11.7: bt and py-bt in one gdb session; a single py-bt"
start "$PY311" sleeping_thread.py
gdb_run "$pid" "$PY311" 'thread apply all bt' 'thread apply all py-bt' | neutral >"$OUT/open-gdb-sleeping-bt-and-py-bt.txt"
gdb_run "$pid" "$PY311" 'py-bt' | neutral >"$OUT/open-gdb-sleeping-py-bt-main.txt"
kill -9 "$pid"

echo "busy_and_stuck.py under 3.11.7: gdb bt of a busy MainThread beside threads in recv and sleep"
start "$PY311" busy_and_stuck.py
gdb_run "$pid" "$PY311" 'thread apply all bt' | neutral >"$OUT/open-gdb-busy-and-stuck-bt.txt"
kill -9 "$pid"

echo "socket_recv.py: py-spy --json, then Ctrl-C (SIGINT) prints the traceback"
start "$PY311" socket_recv.py
"$PYSPY" dump --pid "$pid" --json | neutral >"$OUT/open-pyspy-socket-recv.json"
log=$(mktemp)
# A background job of a script starts with SIGINT ignored; Python then never raises KeyboardInterrupt.
env --default-signal=INT "$PY311" -u "$PROGRAMS/socket_recv.py" >"$log" 2>&1 &
tpid=$!
pids+=("$tpid")
for _ in $(seq 100); do grep -q '^ready' "$log" && break; sleep 0.1; done
sleep 0.3
kill -INT "$tpid"
timeout 10 tail --pid="$tpid" -f /dev/null || true
neutral <"$log" >"$OUT/open-traceback-socket-recv-sigint.txt"
kill -9 "$pid"

echo "faulthandler: python -X faulthandler + SIGABRT (all threads), under 3.8 and 3.13"
for v in 3.8.18 3.13.0; do
  short=$(echo "$v" | cut -d. -f1,2 | tr -d .)
  log=$(mktemp)
  "$PYENV/$v/bin/python3" -X faulthandler -u "$PROGRAMS/deadlock.py" >"$log" 2>&1 &
  fpid=$!
  pids+=("$fpid")
  for _ in $(seq 100); do grep -q '^ready' "$log" && break; sleep 0.1; done
  sleep 0.3
  kill -ABRT "$fpid"
  timeout 10 tail --pid="$fpid" -f /dev/null || true
  neutral <"$log" >"$OUT/open-faulthandler-deadlock-py$short.txt"
done

echo "faulthandler.dump_traceback_later on many_waiters.py (3.12)"
log=$(mktemp)
timeout 20 "$PYENV/3.12.1/bin/python3" -u -c '
import faulthandler, runpy, sys
faulthandler.dump_traceback_later(2, exit=True)
sys.argv = [sys.argv[1], "3", "2"]
runpy.run_path(sys.argv[0], run_name="__main__")
' "$PROGRAMS/many_waiters.py" >"$log" 2>&1 || true
neutral <"$log" >"$OUT/open-faulthandler-later-many-waiters-py312.txt"

echo "done: $(ls "$OUT"/open-* | wc -l) files in $OUT"
