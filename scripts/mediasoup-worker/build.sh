#!/usr/bin/env bash
# Builds mediasoup's C++ worker offline from Debian 12's system libraries and
# installs it where mediasoup looks by default:
#   node_modules/mediasoup/worker/out/Release/mediasoup-worker
#
# mediasoup's own postinstall downloads a prebuilt worker or, failing that,
# builds one with pip-installed meson and subprojects fetched from the
# internet; neither works here (only the npm registry and Debian's archive are
# reachable), so npm runs with the postinstall skipped and this script builds
# the worker from the package's worker/ sources plus
# mediasoup-<version>-debian12.patch (next to this file; its header says why
# each change is needed).
#
# The binary is cached per mediasoup version + patch hash + CPU under
#   ${HELPPOINT_CACHE:-/var/cache/helppoint}/mediasoup-worker/<key>/mediasoup-worker
# (falling back to $HOME/.cache/helppoint when /var/cache is not writable), so
# later runs only copy it. Idempotent. Progress goes to stderr; the last line
# on stdout is the installed worker's path.
#
# Environment:
#   HELPPOINT_CACHE=DIR       cache root (default /var/cache/helppoint)
#   HP_MEDIASOUP_PREBUILT=1   first try mediasoup's own prebuilt download
#                             (falls back to building when it fails)
#   HP_MEDIASOUP_PREBUILT_TIMEOUT=SECONDS   limit for that try (default 120)
#   HP_KEEP_BUILD_DIR=1       keep the temporary build directory
# Options:
#   --force                   rebuild even if a cached binary exists
#   --print-deb-packages      print the Debian build packages and exit
set -euo pipefail

# Debian 12 packages needed to build the worker (the project's setup script
# installs them): compiler and build tools, then the -dev packages of the
# libraries the patched worker links against instead of meson subprojects.
DEB_BUILD_PACKAGES="g++ meson ninja-build pkg-config patch libuv1-dev libssl-dev libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler"
# The binary links these shared libraries dynamically; a machine that only
# runs a cached binary needs the runtime packages (the -dev ones pull them in):
#   libuv1 libssl3 libsrtp2-1 libabsl20220623

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --print-deb-packages) echo "$DEB_BUILD_PACKAGES"; exit 0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$script_dir/../.." && pwd)"
ms_dir="$root/node_modules/mediasoup"
[ -f "$ms_dir/package.json" ] || die "$ms_dir not found: run npm ci first"

# A node for reading package.json and for the prebuilt download: the project's
# pinned one if set up, else the system's.
node_bin=""
if [ -x "$root/.runtime/bin/node" ]; then
  node_bin="$root/.runtime/bin/node"
elif command -v node >/dev/null 2>&1; then
  node_bin="$(command -v node)"
fi

if [ -n "$node_bin" ]; then
  ms_version="$("$node_bin" -p 'require(process.argv[1]).version' "$ms_dir/package.json")"
else
  ms_version="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$ms_dir/package.json" | head -n1)"
fi
[ -n "$ms_version" ] || die "cannot read mediasoup's version from $ms_dir/package.json"

patch_file="$script_dir/mediasoup-$ms_version-debian12.patch"
[ -f "$patch_file" ] ||
  die "no patch for mediasoup $ms_version ($patch_file); port the previous version's patch to it"

patch_sha="$(sha256sum "$patch_file" | cut -c1-12)"
key="$ms_version-$patch_sha-$(uname -m)"
installed_bin="$ms_dir/worker/out/Release/mediasoup-worker"

# Run without MEDIASOUP_VERSION in its environment, the worker exits with 41
# ("you don't seem to be my real father"): mediasoup's own check that a binary
# runs on this host (it also catches missing shared libraries).
worker_runs() {
  [ -f "$1" ] && [ -x "$1" ] || return 1
  local rc=0
  env -i timeout 10 "$1" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 41 ]
}

# Copies $1 to $2 through a temporary file in $2's directory, so that $2 is
# either the old or the new binary, never a partial one.
install_atomic() {
  local tmp
  mkdir -p "$(dirname "$2")"
  tmp="$(mktemp "$(dirname "$2")/.mediasoup-worker.XXXXXX")"
  cp "$1" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$2"
}

# Cache roots to look in, in order; the fallback only when HELPPOINT_CACHE is
# not set explicitly.
cache_roots=("${HELPPOINT_CACHE:-/var/cache/helppoint}")
[ -n "${HELPPOINT_CACHE:-}" ] || cache_roots+=("${HOME:-/root}/.cache/helppoint")

cached_bin=""
if [ "$force" -eq 0 ]; then
  for r in "${cache_roots[@]}"; do
    if worker_runs "$r/mediasoup-worker/$key/mediasoup-worker"; then
      cached_bin="$r/mediasoup-worker/$key/mediasoup-worker"
      break
    fi
  done
fi

if [ -z "$cached_bin" ]; then
  cache_dir=""
  for r in "${cache_roots[@]}"; do
    if mkdir -p "$r/mediasoup-worker/$key" 2>/dev/null && [ -w "$r/mediasoup-worker/$key" ]; then
      cache_dir="$r/mediasoup-worker/$key"
      break
    fi
    log "cache root $r is not writable"
  done
  [ -n "$cache_dir" ] || die "no writable cache directory (set HELPPOINT_CACHE)"
  cached_bin="$cache_dir/mediasoup-worker"
  log_file="$cache_dir/build.log"
  : >"$log_file"

  work="$(mktemp -d "${TMPDIR:-/tmp}/hp-mediasoup-worker.XXXXXX")"
  prebuilt_tmp=""
  cleanup() {
    [ -z "$prebuilt_tmp" ] || rm -rf "$prebuilt_tmp"
    if [ "${HP_KEEP_BUILD_DIR:-0}" = 1 ]; then log "build directory kept: $work"; else rm -rf "$work"; fi
  }
  trap cleanup EXIT

  built=""

  # Optional: mediasoup's own prebuilt download. npm-scripts.mjs resolves its
  # imports (node-fetch, tar) from node_modules, so it runs from a scratch
  # directory inside node_modules. PYTHON=false makes its fallback (a pip-based
  # local build) fail at once: we build ourselves below.
  if [ "${HP_MEDIASOUP_PREBUILT:-0}" = 1 ]; then
    if [ -z "$node_bin" ]; then
      log "HP_MEDIASOUP_PREBUILT=1 but no node found: skipping the prebuilt download"
    else
      log "trying mediasoup's prebuilt worker download (log: $log_file)"
      prebuilt_tmp="$(mktemp -d "$root/node_modules/.hp-mediasoup-prebuilt.XXXXXX")"
      cp "$ms_dir/package.json" "$ms_dir/npm-scripts.mjs" "$prebuilt_tmp/"
      (cd "$prebuilt_tmp" &&
        env -u MEDIASOUP_WORKER_BIN -u MEDIASOUP_LOCAL_DEV -u MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD \
          PYTHON=false timeout "${HP_MEDIASOUP_PREBUILT_TIMEOUT:-120}" \
          "$node_bin" npm-scripts.mjs postinstall) >>"$log_file" 2>&1 ||
        log "mediasoup's postinstall exited with an error"
      if worker_runs "$prebuilt_tmp/worker/out/Release/mediasoup-worker"; then
        cp "$prebuilt_tmp/worker/out/Release/mediasoup-worker" "$work/mediasoup-worker"
        echo "prebuilt" >"$work/source"
        built="$work/mediasoup-worker"
        log "got mediasoup's prebuilt worker"
      else
        log "no usable prebuilt worker (see $log_file); building from source"
      fi
    fi
  fi

  if [ -z "$built" ]; then
    missing=""
    for c in c++ meson ninja pkg-config patch flatc; do
      command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    for m in libuv openssl libsrtp2 flatbuffers absl_strings; do
      pkg-config --exists "$m" 2>/dev/null || missing="$missing pkg-config:$m"
    done
    [ -z "$missing" ] ||
      die "missing build tools/libraries:$missing; install: apt-get install $DEB_BUILD_PACKAGES"

    log "building mediasoup-worker $ms_version from source with Debian's libraries (key $key)"
    start=$SECONDS
    cp -a "$ms_dir/worker" "$work/worker"
    rm -rf "$work/worker/out" "$work/worker/prebuild"
    (cd "$work/worker" && patch -p1 --batch --forward <"$patch_file") >>"$log_file" 2>&1 ||
      die "applying $patch_file failed (see $log_file)"

    # Release options as mediasoup's tasks.py passes them (its other options
    # keep their meson_options.txt defaults); nothing may be downloaded.
    meson setup "$work/build" "$work/worker" \
      --buildtype=release -Db_ndebug=true --wrap-mode=nodownload >>"$log_file" 2>&1 ||
      { tail -n 30 "$log_file" >&2; die "meson setup failed; full log: $log_file"; }

    # ninja prints one "[N/M] ..." line per step: keep them all in the log and
    # show every 25th (and the last) one.
    progress() {
      local line n m
      while IFS= read -r line; do
        printf '%s\n' "$line" >>"$log_file"
        if [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
          n="${BASH_REMATCH[1]}" m="${BASH_REMATCH[2]}"
          if ((n % 25 == 0 || n == m)); then log "  [$n/$m] $((SECONDS - start))s"; fi
        fi
      done
    }
    if ! ninja -C "$work/build" -j"$(nproc)" mediasoup-worker 2>&1 | progress; then
      grep -n -A 20 '^FAILED:' "$log_file" | head -n 60 >&2 || tail -n 40 "$log_file" >&2
      die "build failed; full log: $log_file"
    fi
    worker_runs "$work/build/mediasoup-worker" ||
      die "the built worker does not run (see $log_file)"
    built="$work/build/mediasoup-worker"
    echo "built from source in $((SECONDS - start))s with $patch_file" >"$work/source"
    log "built in $((SECONDS - start))s"
  fi

  install_atomic "$built" "$cached_bin"
  cp "$work/source" "$cache_dir/SOURCE"
  log "cached at $cached_bin"
fi

if ! cmp -s "$cached_bin" "$installed_bin"; then
  # Quiet when nothing changes: set-up runs before every demo and test run.
  log "installing cached worker $cached_bin"
  install_atomic "$cached_bin" "$installed_bin"
fi
worker_runs "$installed_bin" || die "$installed_bin does not run"
echo "$installed_bin"
