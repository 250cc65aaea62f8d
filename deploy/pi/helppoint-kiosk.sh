#!/bin/sh
# /usr/bin/helppoint-kiosk, installed by the helppoint-kiosk package.
#   helppoint-kiosk run | enrol | doctor     the terminal service and its technician verbs
#   helppoint-kiosk provision                first-boot provisioning from helppoint.txt (root)
#   helppoint-kiosk update <verb>            the update agent (root; see kiosk/src/update/)
#   helppoint-kiosk --version
# run, enrol and doctor always run as the service's user, so a file enrol
# writes is one the service can read, whoever typed the command.
set -e
APP=/opt/helppoint-kiosk/app
NODE=/opt/helppoint-kiosk/node/bin/node
# The same settings the unit reads, for a technician's shell.
if [ -r /etc/default/helppoint-kiosk ]; then set -a; . /etc/default/helppoint-kiosk; set +a; fi
: "${HELPPOINT_KIOSK_STATE_DIR:=/var/lib/helppoint-kiosk}"
export HELPPOINT_KIOSK_STATE_DIR
if [ -z "${HELPPOINT_KIOSK_CONFIG:-}" ] && [ -f "$HELPPOINT_KIOSK_STATE_DIR/kiosk.json" ]; then
  export HELPPOINT_KIOSK_CONFIG="$HELPPOINT_KIOSK_STATE_DIR/kiosk.json"
fi
verb="${1:-run}"
case "$verb" in
  --version|version) exec cat /opt/helppoint-kiosk/VERSION ;;
  provision) shift; exec "$NODE" "$APP/kiosk/src/provision/provisionCli.ts" "$@" ;;
  update) shift; exec "$NODE" "$APP/kiosk/src/update/updateCli.ts" "$@" ;;
esac
if [ "$(id -u)" = 0 ]; then
  HOME=/var/lib/helppoint-kiosk exec setpriv --reuid=helppoint --regid=helppoint --init-groups \
    "$NODE" "$APP/kiosk/src/main.ts" "$@"
fi
exec "$NODE" "$APP/kiosk/src/main.ts" "$@"
