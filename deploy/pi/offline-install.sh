#!/bin/sh
# Installs the HelpPoint terminal with no network: the Debian packages in
# packages/ (what Raspberry Pi OS Lite lacks) and the helppoint-kiosk .deb,
# given as the argument or found next to this folder.
#   sudo sh helppoint-kiosk-<version>-<arch>-offline/install.sh [helppoint-kiosk_<version>_<arch>.deb]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
deb="${1:-}"
if [ -z "$deb" ]; then
  base="$(basename "$here")"                      # helppoint-kiosk-<version>-<arch>-offline
  va="${base#helppoint-kiosk-}"; va="${va%-offline}"
  deb="$(dirname "$here")/helppoint-kiosk_${va%-*}_${va##*-}.deb"
fi
[ -f "$deb" ] || { echo "install.sh: no package at $deb" >&2; exit 1; }
case "$deb" in /*) ;; *) deb="$PWD/$deb" ;; esac
# Everything comes from these files: an empty sources list (and no lists) keeps
# apt from even trying a (closed) network.
empty="$(mktemp -d)"; trap 'rm -rf "$empty"' EXIT; : > "$empty/sources.list"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  -o Dir::Etc::SourceList="$empty/sources.list" -o Dir::Etc::SourceParts="$empty" -o Dir::State::Lists="$empty" \
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
  "$here"/packages/*.deb "$deb"
# Keep this package for the update agent: it is what a failed update rolls back to.
v="$(dpkg-deb -f "$deb" Version)"; a="$(dpkg-deb -f "$deb" Architecture)"
install -d -m 0755 /var/lib/helppoint-kiosk-update/packages
cp "$deb" "/var/lib/helppoint-kiosk-update/packages/helppoint-kiosk_${v}_${a}.deb"
