# The offline bundle: every Debian package the kiosk's Depends pull in that a
# Lite image lacks, downloaded from Debian's archive at build time. "Lacks" is
# computed, not listed by hand: apt resolves the Depends against the dpkg
# status of the Lite stand-in (scripts/lib/pi/rootfs.sh) and downloads what it
# would install there. The host's apt does the work with that root's status
# and sources, so no target binary runs (no qemu needed for arm64).
# Cached per arch and recipe; install.sh installs the bundle and the .deb with no network.
source "$(dirname "${BASH_SOURCE[0]}")/target-apt.sh"

pi_offline_bundle() { # arch out-dir kiosk-deb
  local arch="$1" out="$2" deb="$3" key cache
  key="$(pi_recipe_key)"
  cache="$HP_PI_CACHE/bundle/$HP_SUITE-$arch-$key"
  if [ ! -f "$cache/.complete" ]; then
    pi_rootfs_tar "$arch" >/dev/null
    pi_lock "bundle-$arch"
    if [ ! -f "$cache/.complete" ]; then
      pi_log "downloading the offline bundle for $arch from Debian's archive"
      local tmp="$cache.tmp.$$"; rm -rf "$tmp"; mkdir -p "$tmp/packages"
      pi_target_apt "$arch" "$tmp"
      # Package names from the Depends line, without version constraints or alternatives.
      local names; names="$(echo "$HP_KIOSK_DEPENDS" | tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep -v '^$')"
      # shellcheck disable=SC2086
      DEBIAN_FRONTEND=noninteractive apt-get "${PI_APT[@]}" -qq -y --download-only install $names >&2 \
        || pi_die "apt-get could not resolve the kiosk's Depends ($names) for $arch"
      mv "$tmp/archives/"*.deb "$tmp/packages/" 2>/dev/null || true
      rm -rf "$tmp/root" "$tmp/cache" "$tmp/archives"
      touch "$tmp/.complete"
      mkdir -p "$(dirname "$cache")"; pi_cache_publish "$tmp" "$cache"
    fi
    flock -u 9
  fi
  rm -rf "$out"; mkdir -p "$out"
  cp -r "$cache/packages" "$out/packages"
  install -m 0755 "$HP_ROOT/deploy/pi/offline-install.sh" "$out/install.sh"
  pi_log "offline bundle $out: $(find "$out/packages" -name '*.deb' | wc -l) packages, $(du -sh "$out" | cut -f1)"
}
