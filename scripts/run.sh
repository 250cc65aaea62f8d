#!/usr/bin/env bash
# Entry for `npm run demo`, `npm test` and `npm run test:arm64`: set up (idempotent), then run the
# project's command on its own Node 24, whatever node started npm.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cmd="${1:?usage: run.sh demo|test|test-arm64}"; shift || true
bash "$HP_ROOT/scripts/setup.sh"
export PATH="$HP_ROOT/node_modules/.bin:$HP_RUNTIME/bin:$PATH"
cd "$HP_ROOT"

build_console() {
  vite build --config relay/console/vite.config.ts --logLevel error
}

case "$cmd" in
  demo)
    build_console
    exec node scripts/demo.ts "$@"
    ;;
  test)
    echo "== type-check"
    for p in shared kiosk relay relay/console test; do tsc -p "$p" --noEmit; done
    echo "== lint"
    eslint --max-warnings=0 .
    echo "== console bundle"
    build_console
    echo "== tests"
    exec vitest run "$@"
    ;;
  test-arm64)
    # The arm64 terminal package under qemu-user (test/pi/kioskPackage.arm64.test.ts), which
    # npm test skips: .ci/run runs it after the main suite. A cold machine builds the arm64
    # root file system, node_modules and offline bundle (cached by version) on the way.
    echo "== the arm64 terminal package under qemu-user"
    HELPPOINT_PI_ARM64=1 exec vitest run test/pi/kioskPackage.arm64.test.ts "$@"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
