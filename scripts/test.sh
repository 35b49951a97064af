#!/usr/bin/env bash
# Every test, on a fresh clone: install what the tests need, build, then unit, integration and
# end-to-end suites. This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all
npm run --silent build
npm run --silent typecheck
npm run --silent lint
node scripts/run-tests.mjs "${1:-all}"
