#!/usr/bin/env bash
# Makes .runtime/bin hold the project's node, npm and npx, so every project
# command runs on Node 24 whatever the system has (Node 20 is end of life).
# - node: the system's when it is >= 24, else the npm registry's
#   node-linux-<arch> package at a pinned version (it carries Node's headers,
#   so native addons build without downloading them).
# - npm: pinned, from the registry, so `npm ci` behaves the same everywhere.
# Idempotent and silent when already done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

bin="$HP_RUNTIME/bin"
stamp="$bin/.node-$HP_NODE_VERSION-npm-$HP_NPM_VERSION"
[ -f "$stamp" ] && exit 0

fetch_pkg() { # name@version dest-dir
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$1" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x"
  rm -rf "$2" && mkdir -p "$(dirname "$2")" && mv "$tmp/x/package" "$2"
  rm -rf "$tmp"
}

command -v npm >/dev/null 2>&1 || {
  hp_log "npm is needed once to fetch Node 24 from the npm registry; installing Debian's npm"
  hp_sudo apt-get update -qq && hp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
}

# The system's node, not ours: .runtime/bin may already be on PATH.
sys_node="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin" | paste -sd:)" command -v node || true)"
sys_major=0
if [ -n "$sys_node" ]; then
  sys_major="$("$sys_node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
fi
mkdir -p "$bin"
if [ "$sys_major" -ge 24 ] && [ -z "${HP_FORCE_PINNED_NODE:-}" ]; then
  ln -sf "$sys_node" "$bin/node"
else
  dir="$HP_RUNTIME/node-v$HP_NODE_VERSION-linux-$HP_ARCH"
  if [ ! -x "$dir/bin/node" ]; then
    hp_log "installing Node $HP_NODE_VERSION ($HP_ARCH) from the npm registry into .runtime/"
    fetch_pkg "node-linux-$HP_ARCH@$HP_NODE_VERSION" "$dir"
  fi
  ln -sf "$dir/bin/node" "$bin/node"
fi
if [ ! -f "$HP_RUNTIME/npm-$HP_NPM_VERSION/bin/npm-cli.js" ]; then
  hp_log "installing npm $HP_NPM_VERSION into .runtime/"
  fetch_pkg "npm@$HP_NPM_VERSION" "$HP_RUNTIME/npm-$HP_NPM_VERSION"
fi
for tool in npm npx; do
  cat > "$bin/$tool" <<WRAP
#!/bin/sh
exec "$bin/node" "$HP_RUNTIME/npm-$HP_NPM_VERSION/bin/$tool-cli.js" "\$@"
WRAP
  chmod +x "$bin/$tool"
done
rm -f "$bin"/.node-*
touch "$stamp"
hp_log "node $("$bin/node" --version), npm $("$bin/npm" --version) ready in .runtime/bin"
