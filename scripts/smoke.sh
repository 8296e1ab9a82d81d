#!/usr/bin/env bash
# Launches the production binary under its own Xvfb display and checks that its window
# appears and is not blank (the page rendered). Saves build/e2e/window-smoke.png, or the
# PNG named second. The app's data goes to a throwaway folder, or to SMOKE_DATA_DIR when set
# (the package test looks at it after uninstalling).
#
#   scripts/smoke.sh build/bin/mailroom
#   SMOKE_DATA_DIR=/tmp/data scripts/smoke.sh /usr/bin/mailroom build/e2e/package-window.png
#
# With SMOKE_WM_CLASS set, the window's WM_CLASS (xprop) must name it: the menu entry's
# StartupWMClass, by which desktops group the window under the app's icon.
set -euo pipefail
bin=$(realpath "$1")
out=$(realpath -m "${2:-build/e2e/window-smoke.png}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"

export SMOKE_BIN=$bin SMOKE_TMP=$tmp SMOKE_OUT=$out SMOKE_DATA=${SMOKE_DATA_DIR:-$tmp/data} SMOKE_WM_CLASS=${SMOKE_WM_CLASS:-}
xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  set -euo pipefail
  MAILROOM_DATA_DIR=$SMOKE_DATA XDG_DATA_HOME=$SMOKE_TMP/xdg-data XDG_CACHE_HOME=$SMOKE_TMP/xdg-cache \
    "$SMOKE_BIN" >"$SMOKE_TMP/app.log" 2>&1 &
  pid=$!
  trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null || true" EXIT
  win=""
  for _ in $(seq 1 60); do
    win=$(xdotool search --onlyvisible --name "^Mailroom$" 2>/dev/null | head -n 1 || true)
    [ -n "$win" ] && break
    kill -0 $pid 2>/dev/null || { echo "smoke: the app exited early:"; cat "$SMOKE_TMP/app.log"; exit 1; }
    sleep 0.5
  done
  [ -n "$win" ] || { echo "smoke: no window titled Mailroom after 30 s"; cat "$SMOKE_TMP/app.log"; exit 1; }
  if [ -n "$SMOKE_WM_CLASS" ]; then
    class=$(xprop -id "$win" WM_CLASS)
    echo "smoke: $class"
    case "$class" in *"\"$SMOKE_WM_CLASS\""*) ;; *) echo "smoke: WM_CLASS does not name $SMOKE_WM_CLASS"; exit 1 ;; esac
  fi
  # The window exists; wait until the page has rendered: a blank window is one flat colour.
  for _ in $(seq 1 20); do
    if ! import -window "$win" "$SMOKE_OUT" 2>/dev/null; then sleep 0.5; continue; fi
    sd=$(convert "$SMOKE_OUT" -colorspace Gray -format "%[fx:standard_deviation]" info:)
    colours=$(convert "$SMOKE_OUT" -format "%k" info:)
    if awk -v s="$sd" "BEGIN{exit !(s > 0.02)}" && [ "$colours" -gt 20 ]; then
      echo "smoke: window $win rendered (grey standard deviation $sd, $colours colours): $SMOKE_OUT"
      exit 0
    fi
    sleep 0.5
  done
  echo "smoke: the window stayed blank (standard deviation ${sd:-?}, ${colours:-?} colours); app log:"
  cat "$SMOKE_TMP/app.log"
  exit 1
'
