#!/usr/bin/env bash
# `make bench`: Mailroom's benchmarks, each against a named peer measured in the same run,
# printing medians and ratios. None exists yet: the sync benchmark (against mbsync on the
# same Dovecot) and the send benchmark (against go-mail over one connection) arrive with the
# sync and outbox features. This prints the list and measures nothing, rather than invent figures.
set -euo pipefail
cat <<'TXT'
Benchmarks (planned; each compares against a peer in the same run):
  bench-sync  IMAP full and incremental sync vs mbsync (isync) on the same Dovecot   — not yet implemented
  bench-send  1,000 messages through the outbox vs go-mail on one connection          — not yet implemented
No benchmark is implemented yet: nothing was measured.
TXT
