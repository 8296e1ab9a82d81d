#!/usr/bin/env bash
# `make bench`: Mailroom's benchmarks, each against a named peer measured in the same run.
# Figures are medians over the runs; this machine is shared and noisy, so read the ratios.
#
#   BenchmarkSync      IMAP sync of a generated mailbox from the project's Dovecot, against
#                      mbsync (isync, FSync no, IMAPS) on the same mailbox in the same run:
#                      first 50 rows, full sync, no-change re-sync, IDLE latency, peak RSS.
#   BenchmarkListPage  one page of the inbox list over 100,000 stored messages.
#
# The send benchmark (outbox against go-mail on one connection) arrives with the outbox.
set -euo pipefail
cd "$(dirname "$0")/.."
export TAGS=${TAGS:-webkit2_41,sqlite_fts5}
scripts/deps.sh test
if ! command -v mbsync >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends isync
  else
    echo "The sync benchmark compares against mbsync: sudo apt-get install isync" >&2
    exit 1
  fi
fi
mkdir -p build/logs
scripts/testenv/with-env.sh go test -run '^$' -bench 'BenchmarkSync$' -benchtime "${BENCH_RUNS:-3}x" -timeout 30m \
  -tags "$TAGS" ./backend/syncer/ | tee build/logs/bench-sync.log
go test -run '^$' -bench 'BenchmarkListPage' -tags "$TAGS" ./backend/mailbox/ | tee build/logs/bench-list.log
