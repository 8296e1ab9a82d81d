#!/usr/bin/env bash
# `make package-test`: checks the Debian package as a person gets it. Lints the menu entry
# and the AppStream metadata it ships, installs it with apt, opens the installed
# /usr/bin/mailroom under Xvfb with a throwaway data folder (scripts/smoke.sh: the window
# renders; screenshot in build/e2e/package-window.png), purges the package, and checks the
# app is gone and the data folder is exactly as the app left it. Ends with the line
# "package: N passed, M failed". Needs root (apt-get), like `make test`.
#
#   scripts/package-test.sh build/dist/mailroom_<version>_amd64.deb
set -uo pipefail
cd "$(dirname "$0")/.."

deb=$(realpath "$1")
appid=app.mailroom.Mailroom
passed=0
failed=0
check() { # check NAME COMMAND…: runs the command, counts and prints the result
  local name=$1
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    [ -n "$out" ] && echo "$out" | sed 's/^/     /'
  fi
}
finish() {
  echo "package: $passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit $?
}

[ "$(id -u)" = 0 ] || { echo "package-test installs the package with apt-get: run it as root"; failed=1; finish; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$tmp/user-data

# What the package ships, read from the .deb itself.
dpkg-deb -x "$deb" "$tmp/root"
field() { dpkg-deb -f "$deb" "$1"; }
check "version $(field Version) is a valid Debian version" dpkg --validate-version "$(field Version)"
check "depends on GTK 3 (Debian 12 or Ubuntu 24.04 name) and WebKitGTK 4.1" \
  test "$(field Depends)" = "libgtk-3-0t64 | libgtk-3-0, libwebkit2gtk-4.1-0"
check "recommends gnome-keyring" test "$(field Recommends)" = "gnome-keyring"
check "desktop-file-validate $appid.desktop" \
  bash -c 'out=$(desktop-file-validate "$1") && [ -z "$out" ] || { echo "$out"; exit 1; }' _ "$tmp/root/usr/share/applications/$appid.desktop"
check "appstreamcli validate $appid.metainfo.xml" \
  appstreamcli validate --no-net "$tmp/root/usr/share/metainfo/$appid.metainfo.xml"
check "the metainfo names the release $(field Version)" \
  grep -q "<release version=\"$(field Version)\"" "$tmp/root/usr/share/metainfo/$appid.metainfo.xml"
icons() {
  for s in 16 24 32 48 64 128 256 512; do
    f=$tmp/root/usr/share/icons/hicolor/${s}x$s/apps/$appid.png
    [ "$(identify -format '%wx%h' "$f")" = "${s}x$s" ] || { echo "$f is not ${s}x$s"; return 1; }
  done
}
check "icons in the 8 hicolor sizes, each its size" icons

# Install as a person does.
check "apt-get install ./$(basename "$deb")" \
  env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb"
check "dpkg reports mailroom installed" bash -c "dpkg-query -W -f='\${Status}' mailroom | grep -q 'install ok installed'"
check "/usr/bin/mailroom is executable" test -x /usr/bin/mailroom
check "the menu entry is installed" test -f /usr/share/applications/$appid.desktop

# Open the installed app; it creates its database in the throwaway data folder.
# Its window's WM_CLASS must be the menu entry's StartupWMClass (windows group under the icon).
wmclass=$(sed -n 's/^StartupWMClass=//p' /usr/share/applications/$appid.desktop)
check "the installed app's window renders (Xvfb), WM_CLASS names StartupWMClass=$wmclass" \
  env SMOKE_DATA_DIR="$data" SMOKE_WM_CLASS="$wmclass" scripts/smoke.sh /usr/bin/mailroom build/e2e/package-window.png
check "the app made its database in MAILROOM_DATA_DIR" test -s "$data/mailroom.db"
snapshot() { (cd "$data" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
before=$(snapshot)

# Uninstall, configuration included.
check "apt-get purge mailroom" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq mailroom
check "/usr/bin/mailroom is gone" test ! -e /usr/bin/mailroom
check "the menu entry and the icons are gone" \
  bash -c "! ls /usr/share/applications/$appid.desktop /usr/share/icons/hicolor/*/apps/$appid.png 2>/dev/null | grep -q ."
check "the user's data folder is untouched (same files, same bytes)" \
  bash -c '[ -n "$1" ] && [ "$1" = "$(cd "$2" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)" ]' _ "$before" "$data"

finish
