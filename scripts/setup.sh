#!/usr/bin/env bash
# Installs what Snag's tests and demo need, idempotently. Each part can be asked for alone:
#   scripts/setup.sh [core|e2e|docker|ssh|all]     (default: all)
# Everything project-local lives under .cache/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE="$ROOT/.cache"
mkdir -p "$CACHE"
what="${1:-all}"

log() { printf '[setup] %s\n' "$*"; }

APT_UPDATED="$CACHE/.apt-updated"
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then log "apt-get not available; install ${missing[*]} by hand"; return 1; fi
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ ! -f "$APT_UPDATED" ]; then $sudo apt-get update -qq; touch "$APT_UPDATED"; fi
  log "apt: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"; npm ci --no-audit --no-fund --loglevel=error
  fi
}

# py-spy from PyPI into a project-local venv (.cache/tools); gdb and the interpreter's debug helpers.
setup_core() {
  local venv="$CACHE/tools"
  if [ ! -x "$venv/bin/py-spy" ]; then
    log "py-spy into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check 'py-spy>=0.4,<0.5'
  fi
  apt_install gdb procps python3 python3.11-dbg openssl  # openssl: a throwaway certificate for https_download.py
  setup_pylib
}

# Pure-Python libraries some stuck fixture programs import (a pool wait in urllib3/requests, a
# database client's read), pinned to versions that run on Python 3.8–3.13, into a site-packages
# folder the tests put on PYTHONPATH.
PYLIB_PINS=(urllib3==2.2.3 requests==2.32.3 idna==3.15 certifi==2026.10.19.post1 charset-normalizer==3.5.3 PyMySQL==1.1.1 pg8000==1.31.2 scramp==1.4.6 asn1crypto==1.5.1 python-dateutil==3.0.0 six==1.17.0)
setup_pylib() {
  local target="$CACHE/pylib/site-packages" stamp="$CACHE/pylib/.pins"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${PYLIB_PINS[*]}" ] && return 0
  log "pure-Python test libraries into $target"
  python3 -m pip install -q --disable-pip-version-check --no-deps --target "$target" --upgrade \
    --only-binary=:all: --platform any --implementation py --python-version 3.8 "${PYLIB_PINS[@]}"
  printf '%s' "${PYLIB_PINS[*]}" > "$stamp"
}

# code-server 4.100.3 (VS Code 1.100) from npm + Debian's Chromium; see docs in the README.
setup_e2e() {
  # fonts-noto-color-emoji: the ⏸ markers Snag draws render in screenshots, not as empty boxes.
  apt_install chromium fonts-noto-color-emoji ripgrep libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential python3
  local dir="$CACHE/code-server"
  local stamp="$dir/.snag-ready"
  [ -f "$stamp" ] && return 0
  log "code-server 4.100.3 into $dir (a few minutes, once)"
  mkdir -p "$dir"
  npm install --no-audit --no-fund --loglevel=error --ignore-scripts --prefix "$dir" code-server@4.100.3
  local vs="$dir/node_modules/code-server/lib/vscode"
  ( cd "$vs"
    npm install --no-audit --no-fund --loglevel=error --omit=dev --ignore-scripts
    mkdir -p node_modules/@vscode/ripgrep/bin && ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
    npm_config_yes=true npm rebuild --loglevel=error >/dev/null
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sf code-linux.sh code-server)
    (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
    (cd extensions && npm install --no-audit --no-fund --loglevel=error --omit=dev) )
  ( cd "$dir" && npm_config_yes=true npm rebuild argon2 --loglevel=error >/dev/null )
  touch "$stamp"
}

# Docker and Podman engines for the container tests. No daemon is started here: the tests use
# the one that runs (DOCKER_HOST or the default socket) or start a private dockerd of their own
# (test/support/dockerEngine.ts), and build their Python image from the host's python3 without any
# registry, cached as .cache/docker/snag-test-python-*.tar.
setup_docker() {
  apt_install docker.io debootstrap iptables podman python3
}

setup_ssh() {
  apt_install openssh-server openssh-client iproute2
}

case "$what" in
  core) setup_node_modules; setup_core ;;
  e2e) setup_node_modules; setup_e2e ;;
  docker) setup_docker ;;
  ssh) setup_ssh ;;
  all) setup_node_modules; setup_core; setup_docker; setup_ssh; setup_e2e ;;
  *) echo "usage: $0 [core|e2e|docker|ssh|all]" >&2; exit 2 ;;
esac
log "ok ($what)"
