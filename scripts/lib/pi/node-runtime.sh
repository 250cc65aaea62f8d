# Node for the target CPU: the npm registry's node-linux-<arch> package at the
# project's pinned version (the same source scripts/setup-node.sh uses), cached.
# Prints the directory holding bin/node and include/node.
pi_node_runtime() { # deb-arch
  local narch dir tmp
  narch="$(pi_node_arch "$1")"
  dir="$HP_PI_CACHE/node/node-linux-$narch-$HP_NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    pi_log "fetching node-linux-$narch@$HP_NODE_VERSION from the npm registry"
    tmp="$(mktemp -d "$HP_PI_CACHE/node.tmp.XXXXXX")"
    (cd "$tmp" && npm pack --silent "node-linux-$narch@$HP_NODE_VERSION" >/dev/null)
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x"
    [ -x "$tmp/x/package/bin/node" ] || pi_die "node-linux-$narch@$HP_NODE_VERSION has no bin/node"
    mkdir -p "$(dirname "$dir")"
    pi_cache_publish "$tmp/x/package" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}
