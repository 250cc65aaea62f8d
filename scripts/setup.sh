#!/usr/bin/env bash
# Everything the project needs on a fresh Debian 12 / Raspberry Pi OS (64-bit)
# machine, whatever Node it has. Idempotent, and quiet when already done.
#   scripts/setup.sh          relay + kiosk + tests (this machine runs everything)
#   scripts/setup.sh kiosk    a terminal only: no mediasoup worker build
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
role="${1:-all}"

# --- Debian packages -------------------------------------------------------
# kiosk: ffmpeg (camera, microphone, speaker pipes), build tools for the
# onoff/epoll addon, espeak-ng for the voice prompts. relay: the mediasoup worker's build deps (see
# scripts/mediasoup-worker/build.sh). tests/demo: chromium, CJK fonts for
# the console and the camera overlay, socat for the modem simulator, openssl
# for the TLS tests' throwaway CA. socat also forwards the kiosk's sd_notify
# messages (kiosk/src/status/SystemdNotifier.ts), so the kiosk gets it too.
# iproute2: the network-loss test puts a kiosk in its own network namespace.
# nats-server: district federation (issue 14) and its 3-node cluster tests; bookworm's 2.9 has
# JetStream, replication and key-value buckets with a bucket-wide TTL (per-key TTL needs 2.11).
# libwebrtc-audio-processing-dev + pkg-config: the kiosk's echo canceller addon
# (kiosk/native/audio-processing, built by npm ci with node-gyp; at run time it
# needs only libwebrtc-audio-processing1, which the -dev package pulls in).
# libspeexdsp-dev: the same addon's second echo canceller (speexdsp's MDF; libspeexdsp1 at run time).
pkgs=(ca-certificates ffmpeg python3 make g++ patch fonts-dejavu-core socat espeak-ng pkg-config libwebrtc-audio-processing-dev libspeexdsp-dev)
if [ "$role" != kiosk ]; then
  pkgs+=(meson ninja-build pkg-config libuv1-dev libssl-dev libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler)
  pkgs+=(chromium fonts-noto-cjk socat openssl iproute2 nats-server)
  # promtool (from Debian's prometheus) checks /metrics and deploy/prometheus/helppoint-alerts.yml in the tests.
  pkgs+=(prometheus)
  # The terminal's Debian package and its proof (scripts/package-kiosk, test/pi): mmdebstrap
  # (+ arch-test for arm64) builds the Lite stand-in root, systemd-container boots it,
  # qemu-user-static runs arm64 in it, the aarch64 cross compiler builds onoff's epoll addon
  # and the echo canceller addon for arm64 (against an arm64 sysroot of libwebrtc-audio-processing-dev and libspeexdsp-dev
  # that scripts/lib/pi/sysroot.sh downloads, so no arm64 in the host's apt architectures); binutils'
  # readelf checks the addon links libwebrtc_audio_processing.so.1 and libspeexdsp.so.1; mtools/fdisk/e2fsprogs let
  # scripts/bake-image edit an image without loop devices.
  pkgs+=(mmdebstrap arch-test systemd-container qemu-user-static g++-aarch64-linux-gnu binutils zstd file mtools fdisk e2fsprogs dosfstools curl xz-utils)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  hp_log "installing Debian packages: ${missing[*]}"
  hp_sudo apt-get update -qq
  hp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node 24 + pinned npm -----------------------------------------------------
bash "$HP_ROOT/scripts/setup-node.sh"
export PATH="$HP_RUNTIME/bin:$PATH"
# Native addons (epoll for onoff) build against the pinned Node's own headers: no download.
node_home="$(dirname "$(dirname "$(readlink -f "$HP_RUNTIME/bin/node")")")"
export npm_config_nodedir="$node_home"

# --- npm packages ------------------------------------------------------------
stamp="$HP_ROOT/node_modules/.helppoint-install"
want="$(sha256sum "$HP_ROOT/package-lock.json" | cut -c1-16)-$(node --version)-$role"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  hp_log "installing npm packages (npm ci)"
  # MEDIASOUP_WORKER_BIN makes mediasoup's postinstall skip its prebuilt
  # download (unreachable here; a failed postinstall rolls back the whole
  # install). The worker is built below instead.
  args=(ci --no-audit --no-fund --loglevel=error)
  [ "$role" = kiosk ] && args+=(--workspace=kiosk --include-workspace-root=false)
  (cd "$HP_ROOT" && MEDIASOUP_WORKER_BIN="${MEDIASOUP_WORKER_BIN:-skip-postinstall}" npm "${args[@]}" 2>&1 \
    | grep -v 'Unknown env config "nodedir"\|Unknown user config "nodedir"' >&2 || true)
  [ -d "$HP_ROOT/node_modules/pino" ] || { echo "helppoint: npm ci failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi

# --- voice prompts (espeak-ng, Mandarin) ------------------------------------------
# Regenerated only when a prompt's text changed; recorded prompts in
# HELPPOINT_PROMPTS_DIR replace them on a terminal.
node "$HP_ROOT/scripts/gen-prompts.ts"

# --- mediasoup worker (relay only) ----------------------------------------------
if [ "$role" != kiosk ]; then
  bash "$HP_ROOT/scripts/mediasoup-worker/build.sh" >/dev/null
fi
