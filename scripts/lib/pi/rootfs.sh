# A Debian 12 root file system standing in for Raspberry Pi OS Lite (the
# Raspberry Pi archive is not reachable here), built with mmdebstrap from
# Debian's archive and cached as a tarball per arch and recipe:
#   $HP_PI_CACHE/rootfs/bookworm-<arch>-<key>.tar
# arm64 needs qemu-user-static registered with binfmt_misc (pi_binfmt_arm64).

# Makes arm64 binaries run here through qemu-user-static: mounts binfmt_misc
# if needed and registers Debian's qemu-aarch64 entry (flag F: the
# interpreter is opened now, so it also works inside chroots and containers).
pi_binfmt_arm64() {
  [ "$(uname -m)" = aarch64 ] && return 0
  local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  [ -f "$conf" ] || pi_die "$conf missing (Debian package qemu-user-static; scripts/setup.sh installs it)"
  [ -f /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
    || pi_die "cannot mount binfmt_misc (needs root on the host kernel)"
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || cat "$conf" > /proc/sys/fs/binfmt_misc/register 2>/dev/null \
    || [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || pi_die "cannot register qemu-aarch64 with binfmt_misc"
  grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 || echo 1 > /proc/sys/fs/binfmt_misc/qemu-aarch64
}

# Prints the cached tarball's path, building it first when missing.
pi_rootfs_tar() { # arch
  local arch="$1" key tar tmp
  key="$(pi_rootfs_key)"
  tar="$HP_PI_CACHE/rootfs/$HP_SUITE-$arch-$key.tar"
  [ -s "$tar" ] && { echo "$tar"; return 0; }
  command -v mmdebstrap >/dev/null || pi_die "mmdebstrap missing (scripts/setup.sh installs it)"
  [ "$arch" = arm64 ] && pi_binfmt_arm64
  mkdir -p "$HP_PI_CACHE/rootfs"
  pi_lock "rootfs-$arch"
  if [ ! -s "$tar" ]; then
    pi_log "building a $HP_SUITE $arch root file system with mmdebstrap (cached as $tar)"
    tmp="$HP_PI_CACHE/rootfs/.tmp.$$.$(basename "$tar")"
    # Lists kept (no apt clean): the bundle is computed against this root's own view of the archive.
    # /boot/firmware/config.txt: where Raspberry Pi OS (bookworm) keeps the firmware settings.
    mmdebstrap --quiet --format=tar --variant=minbase --architectures="$arch" --include="$HP_LITE_INCLUDE" \
      --customize-hook='mkdir -p "$1/boot/firmware" && printf "# Raspberry Pi firmware settings (stand-in)\n[all]\n" > "$1/boot/firmware/config.txt"' \
      --customize-hook='echo helppoint-pi > "$1/etc/hostname"' \
      --customize-hook='chroot "$1" passwd -d root' \
      --skip=cleanup/apt/lists \
      "$HP_SUITE" "$tmp" "$HP_MIRROR" >&2 || { rm -f "$tmp"; pi_die "mmdebstrap failed"; }
    mv "$tmp" "$tar"
  fi
  flock -u 9
  echo "$tar"
}
