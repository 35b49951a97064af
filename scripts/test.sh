#!/usr/bin/env bash
# Every test, on a fresh clone: install what the tests need, build, then unit, integration and
# end-to-end suites. This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
# The run must leave the checkout clean (scripts/clean-check.mjs): what git shows now, compared at the end.
state=$(mktemp)
trap 'rm -f "$state"' EXIT
node scripts/clean-check.mjs snapshot "$state"
bash scripts/setup.sh all
npm run --silent build
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
node scripts/run-tests.mjs "${1:-all}"
node scripts/clean-check.mjs verify "$state"
