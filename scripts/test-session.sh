#!/usr/bin/env bash
# Runs the suites that need real servers, inside the mail test environment (see
# scripts/testenv/with-env.sh): it starts a private D-Bus session with an unlocked
# gnome-keyring, then the browser end-to-end tests, the hostile-HTML tests in Chromium and
# WebKit, the window smoke test under Xvfb, the Debian package's install test and the Go
# tests. Every suite runs even when an earlier one failed; the exit status is non-zero if any
# failed. A final line sums the test counts.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DBUS_SESSION_BUS_ADDRESS_MAILROOM:-}" ]; then
  # Re-run ourselves inside a private session bus; the keyring's files go to a temp dir.
  XDG_DATA_HOME=$(mktemp -d)
  export XDG_DATA_HOME
  trap 'rm -rf "$XDG_DATA_HOME"' EXIT
  DBUS_SESSION_BUS_ADDRESS_MAILROOM=1 dbus-run-session -- "$0" "$@"
  exit $?
fi

# The keyring daemon ends with the session bus; the password only unlocks this test keyring.
echo -n "mailroom-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null

export MAILROOM_TEST_KEYRING=1 MAILROOM_REQUIRE_INTEGRATION=1
failed=0
passed_total=0
failed_total=0
count() { # count FILE PASS_REGEX FAIL_REGEX
  local p f
  p=$(grep -cE "$2" "$1" || true)
  f=$(grep -cE "$3" "$1" || true)
  passed_total=$((passed_total + p))
  failed_total=$((failed_total + f))
}

# summary NAME LOG adds the "NAME: N passed, M failed" line of LOG to the totals; a run
# that printed none failed.
summary() {
  local line
  line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -n 1 || true)
  if [ -n "$line" ]; then
    passed_total=$((passed_total + $(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/')))
    failed_total=$((failed_total + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
  else
    failed=1
  fi
}

# The end-to-end test runs first: it counts what arrives in the fixed test mailboxes (alice,
# bob), which Go tests also write to.
echo "-- end-to-end (Chromium against the real app)"
if xvfb-run -a -s "-screen 0 1280x900x24" env MAILROOM_DEV_BINARY="$PWD/build/bin/mailroom-dev" \
  timeout 600 node frontend/e2e/run.mjs 2>&1 | tee build/logs/e2e.log; then :; else failed=1; fi
summary e2e build/logs/e2e.log

# Sign in with Google through the test OAuth provider's page, with its own Dovecot user:
# XOAUTH2 for the test, the sync and the test email; a revoked grant; Disconnect.
echo "-- end-to-end: Sign in with Google (Chromium against the real app)"
if xvfb-run -a -s "-screen 0 1280x900x24" env MAILROOM_DEV_BINARY="$PWD/build/bin/mailroom-dev" \
  timeout 600 node frontend/e2e/oauth.mjs 2>&1 | tee build/logs/oauth.log; then :; else failed=1; fi
summary oauth build/logs/oauth.log

# The hostile-HTML corpus through the real message view, reply and forward, with the canary
# bound method and the canary HTTP server (each run makes a mailbox of its own).
echo "-- hostile HTML in Chromium"
if xvfb-run -a -s "-screen 0 1280x900x24" env MAILROOM_DEV_BINARY="$PWD/build/bin/mailroom-dev" \
  timeout 600 node frontend/e2e/hostile-chromium.mjs 2>&1 | tee build/logs/hostile-chromium.log; then :; else failed=1; fi
summary hostile-chromium build/logs/hostile-chromium.log
# MiniBrowser, started by WebKitWebDriver, cannot open a display under xvfb-run's cookie:
# this private display runs without access control (-ac).
echo "-- hostile HTML in WebKit (WebKitWebDriver + MiniBrowser)"
if xvfb-run -a -s "-screen 0 1280x900x24 -ac" env MAILROOM_DEV_BINARY="$PWD/build/bin/mailroom-dev" \
  timeout 600 node frontend/e2e/hostile-webkit.mjs 2>&1 | tee build/logs/hostile-webkit.log; then :; else failed=1; fi
summary hostile-webkit build/logs/hostile-webkit.log

echo "-- window smoke test (production binary under Xvfb)"
if scripts/smoke.sh build/bin/mailroom 2>&1 | tee build/logs/smoke.log; then
  passed_total=$((passed_total + 1))
else
  failed=1
  failed_total=$((failed_total + 1))
fi

# The Debian package as a person gets it: lint, apt-get install, the installed app's window,
# purge, the data folder untouched (scripts/package-test.sh; about a minute).
echo "-- Debian package (make package-test)"
if timeout 600 make -s package-test 2>&1 | tee build/logs/package.log; then :; else failed=1; fi
summary package build/logs/package.log

echo "-- Go tests (-race)"
if go test -race -count=1 -tags "$TAGS" -v ./... >build/logs/go-test.log 2>&1; then :; else failed=1; fi
grep -E '^(ok|FAIL|panic:|--- FAIL)|^\s+--- FAIL|_test\.go:[0-9]+:' build/logs/go-test.log || true
count build/logs/go-test.log '^\s*--- PASS' '^\s*--- FAIL'
if grep -qE '^\s*--- SKIP' build/logs/go-test.log; then
  echo "Skipped tests (make test runs everything; a skip here is a missing server):"
  grep -E -A1 '^\s*--- SKIP' build/logs/go-test.log
  failed=1
fi

vitest_line=$(grep -E 'Tests +[0-9]+ passed' build/logs/vitest.log 2>/dev/null | tail -n 1 || true)
if [ -n "$vitest_line" ]; then
  passed_total=$((passed_total + $(echo "$vitest_line" | sed -E 's/.*Tests +([0-9]+) passed.*/\1/')))
fi

[ "$failed" = 0 ] || [ "$failed_total" -gt 0 ] || failed_total=1
echo
echo "tests: $passed_total passed, $failed_total failed"
exit "$failed"
