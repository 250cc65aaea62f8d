# apt on this host, answering for another CPU: the Lite stand-in root's apt
# sources, keyrings and dpkg status with APT::Architecture set to the target.
# Nothing of the target runs (no qemu) and the host's own apt (its lists, its
# architectures) is untouched. Used by the offline bundle and the arm64 sysroot.
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

# Fills the global array PI_APT with the options for apt-get, after an update
# into dir. The caller removes dir.
pi_target_apt() { # arch dir
  local arch="$1" dir="$2" tar
  tar="$(pi_rootfs_tar "$arch")"
  mkdir -p "$dir/root" "$dir/cache" "$dir/archives/partial"
  tar -xf "$tar" -C "$dir/root" ./etc/apt ./var/lib/dpkg/status ./var/lib/apt ./usr/share/keyrings 2>/dev/null \
    || tar -xf "$tar" -C "$dir/root" ./etc/apt ./var/lib/dpkg/status ./var/lib/apt
  PI_APT=(-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "Dir::Etc=$dir/root/etc/apt"
    -o "Dir::State=$dir/root/var/lib/apt" -o "Dir::State::status=$dir/root/var/lib/dpkg/status"
    -o "Dir::Cache=$dir/cache" -o "Dir::Cache::archives=$dir/archives" -o Debug::NoLocking=1
    -o APT::Install-Recommends=0 -o "Dir::Etc::TrustedParts=$dir/root/etc/apt/trusted.gpg.d")
  apt-get "${PI_APT[@]}" -qq update >&2 || pi_die "apt-get update against Debian's archive failed ($arch)"
}
