# Shared variables for the set-up scripts. Sourced, never run.
# Pinned runtime: Node 20 reached end of life in April 2026, so the project
# always runs on this Node 24 LTS, installed from the npm registry's
# node-linux-<arch> package when the system's node is older.
HP_NODE_VERSION="24.22.3"
HP_NPM_VERSION="11.21.2"
HP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HP_RUNTIME="$HP_ROOT/.runtime"

case "$(uname -m)" in
  x86_64|amd64) HP_ARCH=x64 ;;
  aarch64|arm64) HP_ARCH=arm64 ;;
  *) echo "helppoint: unsupported CPU $(uname -m) (need x86_64 or 64-bit ARM)" >&2; exit 1 ;;
esac

hp_log() { printf '[setup] %s\n' "$*" >&2; }

# Root for apt-get: run as root directly, or through sudo when available.
hp_sudo() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
