# The headers and libraries a cross-compiled addon links against, for the
# target CPU: Debian's -dev and library packages for that arch, downloaded with
# the target's apt view (target-apt.sh) and unpacked with dpkg-deb -x. No
# dpkg --add-architecture on the host, nothing installed. Cached by suite, arch
# and the exact package versions apt picked:
#   $HP_PI_CACHE/sysroot/bookworm-arm64-<key>/usr/{include,lib/aarch64-linux-gnu}
source "$(dirname "${BASH_SOURCE[0]}")/target-apt.sh"

# The echo canceller addon's build needs (kiosk/native/audio-processing/binding.gyp).
HP_SYSROOT_PACKAGES="libwebrtc-audio-processing-dev libwebrtc-audio-processing1 libspeexdsp-dev libspeexdsp1"

pi_sysroot() { # arch ; prints the sysroot directory
  local arch="$1" base="$HP_PI_CACHE/sysroot" tmp key dir
  mkdir -p "$base"
  # The key needs the versions, so the target's lists are read once per build; the
  # download and unpacking only happen for a version not in the cache.
  tmp="$(mktemp -d "$base/.tmp.XXXXXX")"; chmod 755 "$tmp" # apt's _apt user downloads into it
  pi_target_apt "$arch" "$tmp" >&2
  # shellcheck disable=SC2086
  key="$(apt-cache "${PI_APT[@]}" show --no-all-versions $HP_SYSROOT_PACKAGES | grep -E '^(Package|Version):' | sha256sum | cut -c1-12)"
  dir="$base/$HP_SUITE-$arch-$key"
  if [ ! -f "$dir/.complete" ]; then
    pi_log "downloading $HP_SYSROOT_PACKAGES for $arch into a sysroot ($dir)"
    mkdir -p "$tmp/debs" "$tmp/out"
    # shellcheck disable=SC2086
    (cd "$tmp/debs" && apt-get "${PI_APT[@]}" -qq download $HP_SYSROOT_PACKAGES >&2) \
      || pi_die "apt-get download $HP_SYSROOT_PACKAGES ($arch) failed"
    local d; for d in "$tmp/debs"/*.deb; do dpkg-deb -x "$d" "$tmp/out"; done
    touch "$tmp/out/.complete"
    pi_cache_publish "$tmp/out" "$dir"
  fi
  rm -rf "$tmp"
  echo "$dir"
}
