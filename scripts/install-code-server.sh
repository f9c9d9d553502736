#!/usr/bin/env bash
# Installs the real VS Code that the e2e suite drives: code-server (VS Code 1.100.3 in a browser,
# from npm) into test/e2e/.harness, plus the Debian packages it needs. Idempotent: a second run
# with everything in place only checks and exits. Why each workaround exists: docs/e2e.md.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}" # the newest whose engines accept Node 20
# @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds this archive in $TMPDIR.
RIPGREP_CACHE_DIR="vscode-ripgrep-cache-1.15.11"
RIPGREP_ARCHIVE="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
harness="$root/test/e2e/.harness"
started=$(date +%s)

say() { printf '[install-code-server] %s\n' "$*"; }

installed_version() {
  node -p "require('$harness/node_modules/code-server/package.json').version" 2>/dev/null || true
}

# 1. Debian packages: chromium (the browser Playwright drives), libkrb5-dev (code-server's
#    `kerberos` addon builds from source), ripgrep (VS Code's search, and the rg we hand npm).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing Debian packages: ${missing[*]} — run as root, or: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  # Another process may hold the dpkg lock (an image build, a parallel install): wait for it.
  for _ in $(seq 1 60); do
    fuser /var/lib/dpkg/lock-frontend >/dev/null 2>&1 || break
    say "waiting for another apt/dpkg to finish…"
    sleep 5
  done
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. code-server, in a folder of its own so it never enters the extension's dependencies.
if [[ "$(installed_version)" == "$CODE_SERVER_VERSION" && -x "$harness/node_modules/.bin/code-server" ]]; then
  say "code-server $CODE_SERVER_VERSION already installed in ${harness#"$root"/}"
else
  mkdir -p "$harness/tmp"
  [[ -f "$harness/package.json" ]] || printf '{\n  "name": "activation-lens-e2e-harness",\n  "private": true\n}\n' >"$harness/package.json"

  # The ripgrep cache: a tar.gz holding Debian's rg (13.0.0, the same version) as `rg`.
  cache="$harness/tmp/$RIPGREP_CACHE_DIR"
  if [[ ! -f "$cache/$RIPGREP_ARCHIVE" ]]; then
    mkdir -p "$cache"
    staging="$(mktemp -d "$harness/tmp/rg.XXXXXX")"
    cp "$(command -v rg)" "$staging/rg"
    tar -C "$staging" -czf "$cache/$RIPGREP_ARCHIVE" rg
    rm -rf "$staging"
  fi

  say "npm install code-server@$CODE_SERVER_VERSION (≈1 min, ≈300 MB)"
  # unsafe_perm: code-server's postinstall refuses root otherwise; yes: node-pty's postinstall runs
  # `npx node-gyp`, which would wait for a prompt where npm is configured with yes=false.
  (
    cd "$harness"
    TMPDIR="$harness/tmp" \
      npm_config_unsafe_perm=true \
      npm_config_yes=true \
      npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
  if [[ "$(installed_version)" != "$CODE_SERVER_VERSION" ]]; then
    say "code-server did not install (see the npm output above)"
    exit 1
  fi
fi

# 3. playwright-core drives Chromium; it is a devDependency of the project.
if ! (cd "$root" && node -e "require.resolve('playwright-core')" >/dev/null 2>&1); then
  say "playwright-core is missing: run \`npm install\` in $root"
  exit 1
fi

server_main="$harness/node_modules/code-server/lib/vscode/out/server-main.js"
[[ -f "$server_main" ]] || { say "missing $server_main"; exit 1; }
# (Not `code-server --version`: that writes a config file into $HOME.)
say "ready: code-server $(installed_version) in ${harness#"$root"/} ($(($(date +%s) - started)) s)"
