#!/usr/bin/env bash
# Installs the system packages Mailroom needs on Debian/Ubuntu.
#
#   scripts/deps.sh run              # to build and run the app
#   scripts/deps.sh test             # also what the tests use: Xvfb, Chromium, a keyring, Dovecot,
#                                    # Postfix, and the desktop-file and AppStream linters
#   scripts/deps.sh bench            # also the peers the benchmarks compare against: sqlite3, isync
#   scripts/deps.sh package          # to build the .deb: ImageMagick makes the icons
#   scripts/deps.sh package-windows  # to cross-build for Windows: MinGW-w64 (SQLite's C code), NSIS
#
# As root it installs what is missing with apt-get; otherwise it prints the exact apt-get
# line to run and exits 1. Go (see go.mod for the version) and Node.js must be installed.
set -euo pipefail

mode=${1:-run}

run_pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev)
test_pkgs=(xvfb xauth imagemagick xdotool x11-utils chromium webkit2gtk-driver dbus-daemon gnome-keyring
  dovecot-imapd dovecot-lmtpd postfix openssl ca-certificates desktop-file-utils appstream)
package_pkgs=(imagemagick)
bench_pkgs=(sqlite3 isync)
windows_pkgs=(gcc-mingw-w64-x86-64 nsis)

case "$mode" in
run) pkgs=("${run_pkgs[@]}") ;;
test) pkgs=("${run_pkgs[@]}" "${test_pkgs[@]}" "${package_pkgs[@]}") ;;
package) pkgs=("${run_pkgs[@]}" "${package_pkgs[@]}") ;;
bench) pkgs=("${run_pkgs[@]}" "${test_pkgs[@]}" "${package_pkgs[@]}" "${bench_pkgs[@]}") ;;
package-windows) pkgs=("${run_pkgs[@]}" "${windows_pkgs[@]}") ;;
*) echo "usage: $0 run|test|bench|package|package-windows" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Mailroom needs these packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  # Postfix is only ever run from the tests' own config directory: keep the system one unconfigured.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  # The package mirror sometimes times out once: try twice.
  for attempt in 1 2; do
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
      break
    fi
    [ "$attempt" = 2 ] && { echo "apt-get failed twice" >&2; exit 1; }
    sleep 5
  done
fi

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed: install Go $(sed -n 's/^go //p' go.mod) or newer from the Go website." >&2
  exit 1
fi
