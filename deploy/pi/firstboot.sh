#!/bin/sh
# First boot of a HelpPoint terminal from a stock Raspberry Pi OS Lite card.
# cmdline.txt runs it once (systemd.run=/boot/firmware/helppoint/firstboot.sh
# systemd.run_success_action=reboot systemd.unit=kernel-command-line.target),
# the way Raspberry Pi Imager runs its own firstrun.sh. It installs the
# package and its offline bundle from this folder with no network, removes
# itself from cmdline.txt, and lets the reboot start the terminal: the
# package's helppoint-provision.service then enrols with helppoint.txt.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
boot="$(dirname "$here")"
log="$boot/helppoint-install.log"
exec >>"$log" 2>&1
echo "== HelpPoint first boot $(date -Is)"
deb="$(ls "$here"/helppoint-kiosk_*.deb | sort -V | tail -n 1)"
bundle="$(ls -d "$here"/helppoint-kiosk-*-offline | sort -V | tail -n 1)"
# Never again, whatever happens below: a failed install must not loop at every boot.
if [ -f "$boot/cmdline.txt" ]; then
  sed -i 's| systemd.run=[^ ]*firstboot.sh||; s| systemd.run_success_action=[^ ]*||; s| systemd.unit=kernel-command-line.target||' "$boot/cmdline.txt"
fi
sync
if sh "$bundle/install.sh" "$deb"; then
  echo "installed $(dpkg-query -W -f='${Version}' helppoint-kiosk)"
else
  echo "INSTALL FAILED: see above; the terminal boots without HelpPoint"
fi
sync
exit 0
