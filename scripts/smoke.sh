#!/usr/bin/env bash
# Launches the production binary under its own Xvfb display and checks that its window
# appears and is not blank (the page rendered). Saves build/e2e/window-smoke.png.
#
#   scripts/smoke.sh build/bin/mailroom
set -euo pipefail
bin=$(realpath "$1")
out=$(realpath -m build/e2e/window-smoke.png)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"

export SMOKE_BIN=$bin SMOKE_TMP=$tmp SMOKE_OUT=$out
xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  set -euo pipefail
  MAILROOM_DATA_DIR=$SMOKE_TMP/data XDG_DATA_HOME=$SMOKE_TMP/xdg-data XDG_CACHE_HOME=$SMOKE_TMP/xdg-cache \
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
