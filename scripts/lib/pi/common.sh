# Shared by scripts/package-kiosk, scripts/bake-image and test/pi's helpers. Sourced, never run.
# Everything slow (Node for the target CPU, root file systems, the offline
# bundle) is cached by version under $HP_PI_CACHE; nothing depends on the
# cache existing: a missing entry is rebuilt, a half-written one is never
# used (entries are made in a temporary directory and renamed into place).
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
HP_PI_CACHE="${HELPPOINT_CACHE:-/var/cache/helppoint}/pi"
mkdir -p "$HP_PI_CACHE" 2>/dev/null || HP_PI_CACHE="$HOME/.cache/helppoint/pi"
mkdir -p "$HP_PI_CACHE"
HP_SUITE=bookworm
# The echo canceller addon's workspace (built for the target by deb-layout.sh).
HP_APM_DIR=kiosk/native/audio-processing
HP_MIRROR="${HELPPOINT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

pi_log() { printf '[pi] %s\n' "$*" >&2; }
pi_die() { printf '[pi] ERROR: %s\n' "$*" >&2; exit 1; }

# Debian's and Node's names for the two CPUs.
pi_node_arch() { case "$1" in amd64) echo x64 ;; arm64) echo arm64 ;; *) pi_die "unknown arch $1 (amd64 or arm64)" ;; esac; }
pi_elf_machine() { case "$1" in amd64) echo x86-64 ;; arm64) echo aarch64 ;; esac; }

# Debian packages the kiosk needs at run time (the .deb's Depends). ffmpeg: the
# camera, microphone and speaker pipes; socat: sd_notify (SystemdNotifier.ts);
# gpiod: libgpiod's tools and library for the character-device GPIO driver;
# alsa-utils: aplay -l / arecord -l for doctor's device list; ca-certificates:
# wss:// to a relay with a public certificate; libwebrtc-audio-processing1 and
# libspeexdsp1: the shared libraries the echo canceller addon (kiosk/native/audio-processing) links.
HP_KIOSK_DEPENDS="ffmpeg, socat, gpiod, alsa-utils, ca-certificates, libwebrtc-audio-processing1, libspeexdsp1"
# What a stock Raspberry Pi OS Lite already has, approximated with Debian
# packages: the base of the stand-in root file system and the baseline the
# offline bundle is computed against (the bundle holds what apt would still
# have to download on top of it).
HP_LITE_INCLUDE="systemd,systemd-sysv,dbus,udev,apt,ca-certificates,iproute2,kmod,procps,curl,less"

# One key per recipe: a change to the package lists makes a new cache entry.
# The bundle depends on both lists; the Lite stand-in root only on the suite and
# its own list (a new Depends must not rebuild the root with mmdebstrap).
pi_recipe_key() { printf '%s|%s|%s' "$HP_SUITE" "$HP_LITE_INCLUDE" "$HP_KIOSK_DEPENDS" | sha256sum | cut -c1-12; }
pi_rootfs_key() { printf '%s|%s' "$HP_SUITE" "$HP_LITE_INCLUDE" | sha256sum | cut -c1-12; }

# Atomically publish a directory into the cache: build in $1.tmp.$$, then mv.
pi_cache_publish() { # tmp-dir final-dir
  rm -rf "$2.old.$$"; [ -e "$2" ] && mv "$2" "$2.old.$$"
  mv "$1" "$2"; rm -rf "$2.old.$$"
}

# Serialise builders of one cache entry across processes (flock on a lock file).
pi_lock() { # name ; run the rest of the caller under the lock (fd 9)
  exec 9>"$HP_PI_CACHE/.$1.lock"
  flock 9
}
