#!/usr/bin/env bash
# npm ci in DIR, retried once: the registry sometimes times out on the first try.
set -euo pipefail
cd "$1"
npm ci --no-audit --no-fund || { echo "npm ci failed; retrying once" >&2; sleep 3; npm ci --no-audit --no-fund; }
