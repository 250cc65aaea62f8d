#!/usr/bin/env bash
# Entry for `npm run demo` and `npm test`: set up (idempotent), then run the
# project's command on its own Node 24, whatever node started npm.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cmd="${1:?usage: run.sh demo|test}"; shift || true
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
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
