# The files of helppoint-kiosk_<version>_<arch>.deb. Sourced by scripts/package-kiosk.
#   /opt/helppoint-kiosk/node/bin/node          Node for the target CPU
#   /opt/helppoint-kiosk/app/{kiosk,shared}     sources (Node runs the .ts directly)
#   /opt/helppoint-kiosk/app/node_modules       production deps for the target CPU
#   /usr/bin/helppoint-kiosk                    run | enrol | doctor | provision | update | --version
#   units, udev rules, sysusers, journald and watchdog drop-ins, the config.txt block (deploy/)

pi_stage_tree() { # root arch version node-dir
  local root="$1" arch="$2" version="$3" node_dir="$4"
  local opt="$root/opt/helppoint-kiosk" app="$root/opt/helppoint-kiosk/app"
  mkdir -p "$opt/node/bin" "$app/kiosk" "$app/shared"
  install -m 0755 "$node_dir/bin/node" "$opt/node/bin/node"
  install -m 0644 "$node_dir/LICENSE" "$opt/node/LICENSE" 2>/dev/null || true
  # Sources without tests; the version stamped into the kiosk's package.json is
  # what KIOSK_VERSION (kiosk/src/version.ts) reports to the relay.
  (cd "$HP_ROOT" && tar -cf - --exclude='*.test.ts' kiosk/src shared/src kiosk/prompts/generated) | tar -xf - -C "$app"
  cp "$HP_ROOT/shared/package.json" "$app/shared/"
  sed "s/^\( *\"version\": *\"\)[^\"]*\"/\1$version\"/" "$HP_ROOT/kiosk/package.json" > "$app/kiosk/package.json"
  grep -q "\"version\": \"$version\"" "$app/kiosk/package.json" || pi_die "could not stamp version $version"
  echo "$version" > "$opt/VERSION"
  pi_node_modules "$app" "$arch" "$node_dir"
  pi_install_deploy_files "$root"
}

# Production dependencies of the kiosk workspace, resolved from the project's
# lock file, for the target CPU (npm's --cpu/--os pick wrtc's binary package),
# with install scripts off: the prebuilt binaries need none, and the addons
# that must be compiled (epoll, the echo canceller) are built below for the target.
pi_node_modules() { # app-dir arch node-dir
  local app="$1" arch="$2" node_dir="$3" narch key cached
  narch="$(pi_node_arch "$arch")"
  # Cached per lock file, CPU, Node and this recipe: the second build of a version only copies.
  key="$( (cat "$HP_ROOT/package-lock.json" "$HP_ROOT/kiosk/package.json" "${BASH_SOURCE[0]}" "$HP_ROOT/scripts/lib/pi/sysroot.sh"
    cd "$HP_ROOT/$HP_APM_DIR" && git ls-files -z 2>/dev/null | sort -z | xargs -0 cat) | sha256sum | cut -c1-12)"
  cached="$HP_PI_CACHE/node_modules/$arch-$HP_NODE_VERSION-$key.tar"
  if [ -s "$cached" ]; then
    pi_log "node_modules for $arch from the cache ($cached)"
    tar -xf "$cached" -C "$app"
    return 0
  fi
  pi_build_node_modules "$app" "$arch" "$node_dir"
  mkdir -p "$(dirname "$cached")"
  tar -cf "$cached.tmp.$$" -C "$app" node_modules && mv "$cached.tmp.$$" "$cached"
}

pi_build_node_modules() { # app-dir arch node-dir
  local app="$1" arch="$2" node_dir="$3" narch
  narch="$(pi_node_arch "$arch")"
  local stage="$app/.npm-stage"
  mkdir -p "$stage/kiosk" "$stage/shared" "$stage/relay" "$stage/$HP_APM_DIR"
  cp "$HP_ROOT/package.json" "$HP_ROOT/package-lock.json" "$stage/"
  cp "$HP_ROOT/$HP_APM_DIR/package.json" "$stage/$HP_APM_DIR/"
  cp "$app/kiosk/package.json" "$stage/kiosk/"; cp "$HP_ROOT/shared/package.json" "$stage/shared/"
  cp "$HP_ROOT/relay/package.json" "$stage/relay/"
  pi_log "npm ci (production, linux-$narch)"
  (cd "$stage" && npm ci --omit=dev --workspace=kiosk --include-workspace-root=false --ignore-scripts \
      --os=linux --cpu="$narch" --libc=glibc --no-audit --no-fund --loglevel=error 2>&1 \
    | grep -v 'Unknown env config "nodedir"\|Unknown user config "nodedir"' >&2) || true
  [ -d "$stage/node_modules/pino" ] || pi_die "npm ci of the kiosk's dependencies failed"
  mv "$stage/node_modules" "$app/node_modules"; rm -rf "$stage"
  # The workspace links npm made point at the staging copy's folders; the real ones sit beside node_modules.
  rm -f "$app/node_modules/@helppoint/kiosk"
  ln -sfn ../../shared "$app/node_modules/@helppoint/shared"
  # The echo canceller's workspace is built into node_modules itself (so the
  # node_modules cache holds the compiled addon); its tests stay behind.
  rm -f "$app/node_modules/@helppoint/audio-processing"
  mkdir -p "$app/node_modules/@helppoint/audio-processing"
  (cd "$HP_ROOT/$HP_APM_DIR" && tar -cf - --exclude='build' --exclude='*.test.*' package.json index.cjs binding.gyp src) \
    | tar -xf - -C "$app/node_modules/@helppoint/audio-processing"
  pi_build_addons "$app" "$arch" "$node_dir"
  pi_prune_node_modules "$app/node_modules" "$arch"
}

# Addons that ship no prebuilt binary (epoll, under onoff; the echo canceller,
# kiosk/native/audio-processing) are compiled here with node-gyp against the
# target Node's own headers (no download): natively for amd64 on amd64, with
# Debian's aarch64-linux-gnu cross compiler for arm64. The echo canceller links
# libwebrtc-audio-processing through pkg-config: the host's for amd64, the
# arm64 sysroot's (sysroot.sh) for arm64.
pi_build_addons() { # app-dir arch node-dir
  local app="$1" arch="$2" node_dir="$3" gyp dir sysroot=""
  gyp="$(ls "$HP_RUNTIME"/npm-"$HP_NPM_VERSION"/node_modules/node-gyp/bin/node-gyp.js)"
  local cross=0; [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && cross=1
  if [ "$cross" = 1 ]; then
    command -v aarch64-linux-gnu-g++ >/dev/null || pi_die "aarch64-linux-gnu-g++ missing (Debian package g++-aarch64-linux-gnu; scripts/setup.sh installs it)"
    sysroot="$(pi_sysroot arm64)"
  else
    pkg-config --exists webrtc-audio-processing || pi_die "webrtc-audio-processing missing for pkg-config (Debian package libwebrtc-audio-processing-dev; scripts/setup.sh installs it)"
    pkg-config --exists speexdsp || pi_die "speexdsp missing for pkg-config (Debian package libspeexdsp-dev; scripts/setup.sh installs it)"
  fi
  for dir in "$app/node_modules/epoll" "$app/node_modules/@helppoint/audio-processing"; do
    [ -f "$dir/binding.gyp" ] || pi_die "$dir/binding.gyp missing: the package needs this addon"
    pi_log "compiling $(basename "$dir") for $arch"
    local env=(npm_config_nodedir="$node_dir")
    if [ "$cross" = 1 ]; then
      env+=(CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar)
      env+=(PKG_CONFIG_LIBDIR="$sysroot/usr/lib/aarch64-linux-gnu/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$sysroot")
    fi
    (cd "$dir" && env "${env[@]}" node "$gyp" rebuild --release --arch="$(pi_node_arch "$arch")" --nodedir="$node_dir" >/dev/null 2>"$dir/.gyp.log") \
      || { cat "$dir/.gyp.log" >&2; pi_die "could not compile $dir for $arch"; }
    rm -rf "$dir/build/Release/obj.target" "$dir/build/Release/.deps" "$dir/build/"*.mk "$dir/build/Makefile" "$dir/.gyp.log"
  done
}

# Other CPUs' and systems' prebuilt binaries are dead weight on a Pi.
pi_prune_node_modules() { # node_modules arch
  local nm="$1" narch; narch="$(pi_node_arch "$2")"
  find "$nm/better-sqlite3/prebuilds" -type f ! -name "linux-$narch.node" -delete
  find "$nm/@serialport/bindings-cpp/prebuilds" -mindepth 1 -maxdepth 1 ! -name "linux-$narch" -exec rm -rf {} +
  find "$nm/@serialport/bindings-cpp/prebuilds/linux-$narch" -name '*musl*' -delete
  rm -rf "$nm/better-sqlite3/deps" "$nm/better-sqlite3/src" "$nm/nan" "$nm/node-addon-api" "$nm/@types"
  rm -rf "$nm/@helppoint/audio-processing/src"
  find "$nm" \( -name '*.md' -o -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -type f -delete
}

# Every ELF in the tree must be for the target CPU: a stray x86 binary in an
# arm64 package would only show up on the Pi, as a crash. The addons compiled
# here must be there at all (a missing echo canceller only shows as a kiosk
# falling back to the raw microphone), and the echo canceller must link the
# library the package depends on.
pi_check_binaries() { # root arch
  local want bad=0 f req; want="$(pi_elf_machine "$2")"
  local app="$1/opt/helppoint-kiosk/app/node_modules"
  for req in epoll/build/Release/epoll.node @helppoint/audio-processing/build/Release/helppoint_apm.node; do
    [ -f "$app/$req" ] || { echo "  missing: ${app#"$1"}/$req" >&2; bad=1; }
  done
  f="$app/@helppoint/audio-processing/build/Release/helppoint_apm.node"
  local lib
  for lib in libwebrtc_audio_processing.so.1:libwebrtc-audio-processing1 libspeexdsp.so.1:libspeexdsp1; do
    if [ -f "$f" ] && ! readelf -d "$f" 2>/dev/null | grep -q "NEEDED.*${lib%%:*}"; then
      echo "  ${f#"$1"} does not link ${lib%%:*} (${lib#*:} in Depends)" >&2; bad=1
    fi
  done
  while IFS= read -r f; do
    if ! file -b "$f" | grep -q "$want"; then echo "  wrong CPU: ${f#"$1"} ($(file -b "$f" | cut -d, -f1-2))" >&2; bad=1; fi
  done < <(find "$1" -type f \( -name '*.node' -o -path '*/bin/node' \))
  [ "$bad" = 0 ] || pi_die "binaries missing or for the wrong CPU in the $2 package"
}

pi_install_deploy_files() { # root
  local root="$1" d="$HP_ROOT/deploy"
  install -D -m 0755 "$d/pi/helppoint-kiosk.sh" "$root/usr/bin/helppoint-kiosk"
  for u in helppoint-kiosk.service; do install -D -m 0644 "$d/$u" "$root/lib/systemd/system/$u"; done
  for u in helppoint-provision.service helppoint-kiosk-update.service helppoint-kiosk-update.path 'var-lib-helppoint\x2dkiosk.mount'; do
    install -D -m 0644 "$d/pi/systemd/$u" "$root/lib/systemd/system/$u"
  done
  install -D -m 0644 "$d/pi/sysusers.conf" "$root/usr/lib/sysusers.d/helppoint-kiosk.conf"
  install -D -m 0644 "$d/pi/journald.conf" "$root/usr/lib/systemd/journald.conf.d/60-helppoint-kiosk.conf"
  install -D -m 0644 "$d/pi/watchdog.conf" "$root/usr/lib/systemd/system.conf.d/60-helppoint-kiosk.conf"
  # The drivers' side writes the udev rules and the gpio= lines (kiosk/deploy-data, kept equal
  # to what hw/gpio/configTxt.ts expects); the package wraps the lines in its marked block.
  local dd="$HP_ROOT/kiosk/deploy-data" r
  for r in "$dd"/udev/*.rules; do install -D -m 0644 "$r" "$root/usr/lib/udev/rules.d/$(basename "$r")"; done
  mkdir -p "$root/usr/share/helppoint-kiosk"
  {
    echo '# >>> helppoint-kiosk: managed by the helppoint-kiosk package (removed on purge; edit /usr/share/helppoint-kiosk/config.txt.block instead)'
    echo '[all]'
    cat "$dd/config.txt.gpio"
    cat "$d/pi/config.txt.extra"
    echo '# <<< helppoint-kiosk'
  } > "$root/usr/share/helppoint-kiosk/config.txt.block"
  install -D -m 0644 "$d/pi/helppoint.txt.example" "$root/usr/share/doc/helppoint-kiosk/helppoint.txt.example"
  install -D -m 0644 "$d/pi/README.md" "$root/usr/share/doc/helppoint-kiosk/README.md"
  install -D -m 0644 "$d/pi/default.env" "$root/etc/default/helppoint-kiosk"
}

pi_write_control() { # root arch version
  local root="$1" arch="$2" version="$3" size
  mkdir -p "$root/DEBIAN"
  size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  cat > "$root/DEBIAN/control" <<CONTROL
Package: helppoint-kiosk
Version: $version
Architecture: $arch
Maintainer: HelpPoint <dev@helppoint.local>
Installed-Size: $size
Depends: $HP_KIOSK_DEPENDS, systemd (>= 252)
Recommends: rpicam-apps-lite | rpicam-apps
Section: misc
Priority: optional
Description: HelpPoint one-button video help terminal
 The terminal service of a HelpPoint help point: button, LED, camera,
 microphone, speaker and LTE modem, talking to the station's relay.
 Carries its own Node.js $HP_NODE_VERSION; provisions itself from
 helppoint.txt on the boot partition and updates from the relay.
CONTROL
  echo /etc/default/helppoint-kiosk > "$root/DEBIAN/conffiles"
  for s in postinst prerm postrm; do install -m 0755 "$HP_ROOT/deploy/pi/debian/$s" "$root/DEBIAN/$s"; done
}
