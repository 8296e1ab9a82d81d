#!/usr/bin/env bash
# Prints Mailroom's version from `git describe`, in a form that is a valid Debian version and
# sorts the way releases do (the .deb, the Windows installer and Settings → About all show it):
#
#   v1.2.0                 → 1.2.0
#   v1.2.0-3-gabc1234      → 1.2.0+git3.abc1234        (3 commits after the 1.2.0 tag)
#   no tag, at abc1234     → 0.0~git20260412.abc1234   (the commit's date; sorts before 0.0.1)
#   uncommitted changes    → … followed by +dirty
#   not a git checkout     → 0.0~dev
set -euo pipefail
cd "$(dirname "$0")/.."

desc=$(git describe --tags --always --dirty --abbrev=7 --match 'v[0-9]*' 2>/dev/null) || { echo "0.0~dev"; exit 0; }
dirty=""
case "$desc" in *-dirty) dirty="+dirty"; desc=${desc%-dirty} ;; esac

if [[ "$desc" =~ ^v([0-9][0-9A-Za-z.~+-]*)-([0-9]+)-g([0-9a-f]+)$ ]]; then
  v="${BASH_REMATCH[1]}+git${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
elif [[ "$desc" =~ ^v([0-9][0-9A-Za-z.~+-]*)$ ]]; then
  v="${BASH_REMATCH[1]}"
else
  v="0.0~git$(git log -1 --format=%cd --date=format:%Y%m%d).$desc"
fi
# A tag like v1.2.0-rc1 would put a hyphen in the upstream version: Debian spells it 1.2.0~rc1.
v=${v//-/\~}
# "+dirty" after a "+git…" part stays valid: Debian allows several plus signs.
echo "$v$dirty"
