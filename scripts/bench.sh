#!/usr/bin/env bash
# Mailroom's benchmarks, each against a named peer measured in the same run. Figures are
# medians over the runs; this machine is shared and noisy, so read the ratios. Each prints the
# load average at its start and end (take figures on a quiet machine, load < 1.5).
#
#   scripts/bench.sh sync   `make bench-sync`: IMAP sync of two generated 10,000-message
#                           mailboxes from the project's Dovecot — "attachments" (~575 MB,
#                           backend/syncer/bench_corpus_test.go) and "ordinary" (small business
#                           mail in five charsets, bench_ordinary_test.go; BENCH_SYNC_SIZE=50000
#                           grows it; BENCH_SYNC_CORPUS picks one) — against mbsync (isync,
#                           FSync no, IMAPS) on the same mailbox in the same run: full sync,
#                           newest 50 rows, no-change re-sync, IDLE latency over 20 deliveries,
#                           peak RSS, CPU. BENCH_RUNS runs (default 3). Its last lines, one a corpus:
#                           sync: corpus=… full_s=… mbsync_full_s=… ratio=… first50_s=…
#                                 resync_s=… mbsync_resync_s=… resync_ratio=… idle_p95_s=…
#                                 rss_mb=… cpu_ratio=…
#   scripts/bench.sh send   `make bench-send`: 1,000 distinct personalised messages through the
#                           outbox to the project's Postfix, against go-mail sending the same
#                           messages over one connection in the same run (BenchmarkOutboxSend,
#                           backend/outbox/bench_test.go): after a warm-up, BENCH_RUNS rounds
#                           (default 7) of one run each, in alternate order; the medians of
#                           each side and of the rounds' ratios. Its last line:
#                           send: outbox_msgs_per_s=… raw_msgs_per_s=… ratio=…
#                           then the templated run (backend/bulk/bench_test.go): 1,000 mails
#                           rendered from 1,000 records by a bulk send, against go-mail
#                           sending them pre-rendered; the last line:
#                           templated: outbox_msgs_per_s=… raw_msgs_per_s=… ratio=… automation_eval_ms=…
#                           (automation_eval_ms: the bench-automations figure, run after it)
#   scripts/bench.sh records `make bench-records`: 10,000 companies then 50,000 contacts from
#                           generated French Excel files (Windows-1252, `;`) through the real
#                           import path, against the sqlite3 tool's .import of the same files
#                           into plain tables in the same run (the floor: no validation, no
#                           index); the first page of a 100,000-record list sorted by a custom
#                           date, the search p95, the peak RSS during the import
#                           (backend/records/bench_import_test.go). BENCH_RUNS runs (default 3).
#                           Before its last line, the indexed floor: sqlite3 storing the same
#                           rows in the same schema in plain SQL (indexed_floor_s=…
#                           ratio_to_indexed_floor=…). Its last line:
#                           records: import_s=… sqlite_import_s=… ratio=… list_ms=…
#                                    search_p95_ms=… rss_mb=…
#   scripts/bench.sh filing `make bench-filing`: a re-file of 100,000 stored messages against
#                           10,000 contacts and 2,000 companies (imported) from scratch
#                           (BenchmarkFilingRefile, backend/filing/bench_test.go; its CPU time
#                           is printed too: this machine is shared), and what filing adds to
#                           a first sync from the project's Dovecot, filing on against off
#                           in alternate order in the same run (BenchmarkSyncFiling,
#                           backend/syncer/bench_filing_test.go: the first 2,000 messages of
#                           the sync corpus, a smaller variant of bench-sync). BENCH_RUNS
#                           runs of each (default 3; at least 7 of the sync part). Its last line:
#                           filing: refile_s=… msgs=100000 contacts=10000 companies=2000
#                                   sync_overhead=…
#   scripts/bench.sh automations `make bench-automations`: the overdue-invoice automation
#                           evaluated over 100,000 invoices (backend/automations/bench_test.go,
#                           BENCH_RUNS runs, default 5; the median). Its last line:
#                           automations: automation_eval_ms=… automation_eval_cpu_ms=… due=… records=…
#   scripts/bench.sh list   one page of the inbox list over 100,000 stored messages.
#   scripts/bench.sh        `make bench`: all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
export TAGS=${TAGS:-webkit2_41,sqlite_fts5}
what=${1:-all}
scripts/deps.sh test
mkdir -p build/logs

bench_sync() {
  if ! command -v mbsync >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends isync
    else
      echo "The sync benchmark compares against mbsync: sudo apt-get install isync" >&2
      exit 1
    fi
  fi
  local runs=${BENCH_RUNS:-3}
  [ "$runs" -ge 3 ] || { echo "BENCH_RUNS must be at least 3 (medians)" >&2; exit 1; }
  MAILROOM_REQUIRE_INTEGRATION=1 scripts/testenv/with-env.sh go test -run '^$' -bench 'BenchmarkSync$' \
    -benchtime "${runs}x" -timeout 60m -tags "$TAGS" ./backend/syncer/ | tee build/logs/bench-sync.log
  local lines
  lines=$(grep -E '^sync: corpus=' build/logs/bench-sync.log || true)
  [ -n "$lines" ] || { echo "the sync benchmark printed no summary" >&2; exit 1; }
  echo
  echo "$lines"
}

bench_send() {
  local runs=${BENCH_RUNS:-7}
  [ "$runs" -ge 3 ] || { echo "BENCH_RUNS must be at least 3 (medians)" >&2; exit 1; }
  # The rounds are counted inside the benchmark (-benchtime 1x): with Nx the testing
  # package would first run it once more with N=1, and print its summary too.
  MAILROOM_BENCH_ROUNDS=$runs MAILROOM_REQUIRE_INTEGRATION=1 scripts/testenv/with-env.sh go test -run '^$' \
    -bench 'BenchmarkOutboxSend$' -benchtime 1x -timeout 30m -tags "$TAGS" ./backend/outbox/ | tee build/logs/bench-send.log
  local line
  line=$(grep -E '^send: outbox_msgs_per_s=' build/logs/bench-send.log | tail -n 1)
  [ -n "$line" ] || { echo "the send benchmark printed no summary" >&2; exit 1; }
  # The templated run: 1,000 mails rendered from 1,000 records through a template by a
  # bulk send, against go-mail sending the same mails pre-rendered (BenchmarkTemplatedSend,
  # backend/bulk/bench_test.go). automation_eval_ms is the automations' benchmark's figure.
  MAILROOM_BENCH_ROUNDS=$runs MAILROOM_REQUIRE_INTEGRATION=1 scripts/testenv/with-env.sh go test -run '^$' \
    -bench 'BenchmarkTemplatedSend$' -benchtime 1x -timeout 30m -tags "$TAGS" ./backend/bulk/ | tee build/logs/bench-templated.log
  local templated
  templated=$(grep -E '^templated: outbox_msgs_per_s=' build/logs/bench-templated.log | tail -n 1)
  [ -n "$templated" ] || { echo "the templated send benchmark printed no summary" >&2; exit 1; }
  # The automation's evaluation over 100,000 invoices (bench-automations) completes the line.
  local auto eval_ms
  auto=$(bench_automations | tail -n 1)
  eval_ms=$(sed -nE 's/^automations: automation_eval_ms=([0-9.]+).*/\1/p' <<<"$auto")
  [ -n "$eval_ms" ] || { echo "the automations benchmark printed no summary" >&2; exit 1; }
  templated=${templated/automation_eval_ms=NA/automation_eval_ms=$eval_ms}
  echo
  echo "$line"
  echo "$templated"
}

bench_records() {
  command -v sqlite3 >/dev/null 2>&1 || scripts/deps.sh bench
  local runs=${BENCH_RUNS:-3}
  [ "$runs" -ge 1 ] || { echo "BENCH_RUNS must be at least 1" >&2; exit 1; }
  go test -run '^$' -bench 'BenchmarkRecordsImport$' -benchtime "${runs}x" -timeout 60m -tags "$TAGS" \
    ./backend/records/ | tee build/logs/bench-records.log
  local line
  line=$(grep -E '^records: import_s=' build/logs/bench-records.log | tail -n 1)
  [ -n "$line" ] || { echo "the records benchmark printed no summary" >&2; exit 1; }
  echo
  # (not anchored: the test framework may print the benchmark's name on the same line)
  grep -oE 'records: indexed_floor_s=.*' build/logs/bench-records.log | tail -n 1
  echo "$line"
}

bench_filing() {
  local runs=${BENCH_RUNS:-3}
  [ "$runs" -ge 1 ] || { echo "BENCH_RUNS must be at least 1" >&2; exit 1; }
  go test -run '^$' -bench 'BenchmarkFilingRefile$' -benchtime "${runs}x" -timeout 60m -tags "$TAGS" \
    ./backend/filing/ | tee build/logs/bench-filing.log
  # A run of the sync part takes about a second and varies by a tenth of that with the
  # machine: at least 7 pairs, so that the median says more than the noise.
  MAILROOM_REQUIRE_INTEGRATION=1 scripts/testenv/with-env.sh go test -run '^$' -bench 'BenchmarkSyncFiling$' \
    -benchtime "$((runs > 7 ? runs : 7))x" -timeout 60m -tags "$TAGS" ./backend/syncer/ | tee -a build/logs/bench-filing.log
  local refile sync
  refile=$(grep -E '^refile: refile_s=' build/logs/bench-filing.log | tail -n 1)
  sync=$(grep -E '^sync_filing: ' build/logs/bench-filing.log | tail -n 1)
  [ -n "$refile" ] && [ -n "$sync" ] || { echo "the filing benchmark printed no summary" >&2; exit 1; }
  field() { sed -nE "s/.*[ :]$1=([^ ]+).*/\1/p" <<<"$2"; }
  echo
  echo "refile CPU time: $(field refile_cpu_s "$refile") s; sync alone $(field off_s "$sync") s, with filing $(field on_s "$sync") s ($(field msgs "$sync") messages)"
  echo "filing: refile_s=$(field refile_s "$refile") msgs=$(field msgs "$refile") contacts=$(field contacts "$refile") companies=$(field companies "$refile") sync_overhead=$(field sync_overhead "$sync")"
}

bench_list() {
  go test -run '^$' -bench 'BenchmarkListPage' -tags "$TAGS" ./backend/mailbox/ | tee build/logs/bench-list.log
}

bench_automations() {
  local runs=${BENCH_RUNS:-5}
  go test -run '^$' -bench 'BenchmarkAutomationEval100k$' -benchtime "${runs}x" -timeout 30m -tags "$TAGS" \
    ./backend/automations/ | tee build/logs/bench-automations.log
  local line
  line=$(grep -E '^automations: automation_eval_ms=' build/logs/bench-automations.log | tail -n 1)
  [ -n "$line" ] || { echo "the automations benchmark printed no summary" >&2; exit 1; }
  echo
  echo "$line"
}

# with_load N CMD: runs CMD and prints the load average at its start and end just before
# CMD's last N lines (the summary lines stay last). The sync benchmark prints its own.
with_load() {
  local keep=$1 start
  shift
  start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
  "$@" | awk -v keep="$keep" -v start="$start" '
    { buf[NR] = $0; if (NR > keep) print buf[NR - keep]; delete buf[NR - keep] }
    END {
      end = "?"; if ((getline l < "/proc/loadavg") > 0) { split(l, f, " "); end = f[1] " " f[2] " " f[3] }
      print "load average (1, 5, 15 min) at the start " start ", at the end " end
      for (i = (NR > keep ? NR - keep + 1 : 1); i <= NR; i++) print buf[i]
    }'
}

case "$what" in
  sync) bench_sync ;;
  send) with_load 2 bench_send ;;
  records) with_load 1 bench_records ;;
  filing) with_load 1 bench_filing ;;
  automations) with_load 1 bench_automations ;;
  list) with_load 1 bench_list ;;
  all) with_load 1 bench_list; with_load 1 bench_records; with_load 1 bench_filing; with_load 2 bench_send; bench_sync ;; # send runs the automations one
  *) echo "usage: $0 [sync|send|records|filing|automations|list]" >&2; exit 2 ;;
esac
