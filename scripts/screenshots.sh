#!/usr/bin/env bash
# Refreshes the README's pictures (`npm run screenshots`): runs the end-to-end tests that take
# them, which write to test-results/screenshots/ (git-ignored, so a plain test run leaves the
# checkout clean), then copies every picture the README shows into docs/screenshots/.
# Fails, copying nothing, when a test fails or a picture the README names was not taken.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test-results/screenshots
DOCS=docs/screenshots
bash scripts/setup.sh all
rm -rf "$OUT"
mapfile -t files < <(grep -l 'wb\.screenshot(' test/e2e/*.test.ts)
# CI=true: a missing tool (docker, sshd, Chromium) fails its test instead of skipping it, so no
# picture is silently left out of date.
CI=true RUST_BACKTRACE=0 node --conditions=import --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
mapfile -t wanted < <(grep -o 'docs/screenshots/[A-Za-z0-9_.-]*\.png' README.md | sort -u | xargs -n1 basename)
missing=()
for name in "${wanted[@]}"; do [ -f "$OUT/$name" ] || missing+=("$name"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "screenshots: the tests took no ${missing[*]} (the README shows them); nothing copied" >&2
  exit 1
fi
mkdir -p "$DOCS"
for name in "${wanted[@]}"; do cp "$OUT/$name" "$DOCS/$name"; done
echo "screenshots: ${#wanted[@]} pictures copied to $DOCS/ (review with git diff --stat $DOCS)"
